#include "pyramid_assembly.hpp"

#include <algorithm>
#include <cstring>

#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow::detail {

WriteUnitAssembly::WriteUnitAssembly(const Shape& level_shape, const Shape& write_unit, DType dtype,
                                     BufferPool& pool)
    : grid_(level_shape, write_unit), dtype_(dtype), pool_(pool) {}

Status WriteUnitAssembly::deposit(const Box& box, ConstArrayView values,
                                  std::vector<Completed>& completed) {
  return deposit_parts(box, &values, nullptr, completed);
}

Status WriteUnitAssembly::deposit_constant(const Box& box, const Scalar& value,
                                           std::vector<Completed>& completed) {
  return deposit_parts(box, nullptr, &value, completed);
}

Status WriteUnitAssembly::deposit_parts(const Box& box, const ConstArrayView* values,
                                        const Scalar* constant, std::vector<Completed>& completed) {
  if (box.empty()) return ok_status();
  const int rank = box.rank();
  const Shape& unit = grid_.block_shape();
  const std::size_t element = dtype_size(dtype_);
  const bool zero = constant != nullptr && constant->is_zero();
  // The write units the box meets: a box of grid positions.
  Box positions{box.origin, box.extent};
  for (int a = 0; a < rank; ++a) {
    positions.origin[a] = box.origin[a] / unit[a];
    positions.extent[a] = (box.end(a) - 1) / unit[a] + 1 - positions.origin[a];
  }
  Status status;
  storage::for_each_index(positions, [&](const IndexVector& position) {
    if (!status.ok()) return;
    const Box target = grid_.block_at(position);
    const Box part = intersect(target, box);
    Index linear = 0;
    for (int a = 0; a < rank; ++a) linear = linear * grid_.grid_shape()[a] + position[a];
    const std::size_t bytes = std::size_t(target.num_elements()) * element;
    Box in_target = part, in_box = part;
    for (int a = 0; a < rank; ++a) {
      in_target.origin[a] -= target.origin[a];
      in_box.origin[a] -= box.origin[a];
    }

    // Take (or begin) the unit; its buffer at the first part that is not zero (a zero part
    // of a sparse volume needs no copy: the buffer starts zeroed).
    const bool part_zero = zero || (values != nullptr && all_zero_bytes(values->subview(in_box)));
    ArrayView destination;
    {
      std::lock_guard lock(mutex_);
      Open& open = open_[linear];
      if (!part_zero && !open.buffer.bytes) {
        open.buffer = pool_.acquire(bytes);
        std::memset(open.buffer.bytes.get(), 0, bytes);
        open.values = ArrayView(open.buffer.bytes.get(), dtype_, target.extent);
        open_bytes_ += bytes;
      }
      destination = open.values;
      most_open_units_ = std::max(most_open_units_, open_.size());
      most_open_bytes_ = std::max(most_open_bytes_, open_bytes_);
    }
    // Parts of one unit never overlap: copied without the lock.
    if (!part_zero) {
      const ArrayView into = destination.subview(in_target);
      if (values != nullptr) {
        status = convert_array(values->subview(in_box), into);
      } else {
        status = convert_array(ConstArrayView(constant->bytes.data(), dtype_, part.extent,
                                              IndexVector::filled(rank, 0)),
                               into);
      }
      if (!status.ok()) return;
    }
    std::lock_guard lock(mutex_);
    const auto it = open_.find(linear);
    it->second.filled += part.num_elements();
    if (it->second.filled < target.num_elements()) return;
    if (it->second.buffer.bytes) open_bytes_ -= bytes;
    completed.push_back({target, std::move(it->second.buffer), it->second.values});
    open_.erase(it);
  });
  return status;
}

std::size_t WriteUnitAssembly::open_units() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

std::size_t WriteUnitAssembly::most_open_units() const {
  std::lock_guard lock(mutex_);
  return most_open_units_;
}

std::uint64_t WriteUnitAssembly::most_open_bytes() const {
  std::lock_guard lock(mutex_);
  return most_open_bytes_;
}

}  // namespace zoomflow::detail
