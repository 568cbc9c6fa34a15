#include "array_copy.hpp"

#include <algorithm>
#include <cstring>

namespace zoomflow::storage {
namespace {

// Calls f(row_offset_a, row_offset_b) in elements for every row (last axis) of `shape`.
template <class F>
void for_each_row(const Shape& shape, const IndexVector& strides_a, const IndexVector& strides_b,
                  F&& f) {
  const int rank = shape.rank();
  if (num_elements(shape) == 0) return;
  if (rank <= 1) {
    f(Index(0), Index(0));
    return;
  }
  IndexVector index = IndexVector::filled(rank - 1, 0);
  for (;;) {
    Index a = 0, b = 0;
    for (int axis = 0; axis < rank - 1; ++axis) {
      a += index[axis] * strides_a[axis];
      b += index[axis] * strides_b[axis];
    }
    f(a, b);
    int axis = rank - 2;
    for (; axis >= 0; --axis) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

}  // namespace

void copy_array(ConstArrayView from, ArrayView to) {
  const std::size_t size = dtype_size(from.dtype());
  const int rank = from.rank();
  const Index length = rank > 0 ? from.shape()[rank - 1] : 1;
  const Index from_step = rank > 0 ? from.strides()[rank - 1] : 1;
  const Index to_step = rank > 0 ? to.strides()[rank - 1] : 1;
  const bool dense = from_step == 1 && to_step == 1;
  for_each_row(from.shape(), from.strides(), to.strides(), [&](Index a, Index b) {
    const std::byte* src = from.data() + a * Index(size);
    std::byte* dst = to.data() + b * Index(size);
    if (dense) {
      std::memcpy(dst, src, std::size_t(length) * size);
      return;
    }
    for (Index i = 0; i < length; ++i)
      std::memcpy(dst + i * to_step * Index(size), src + i * from_step * Index(size), size);
  });
}

void fill_array(ArrayView to, std::span<const std::byte> value) {
  const std::size_t size = dtype_size(to.dtype());
  const int rank = to.rank();
  const Index length = rank > 0 ? to.shape()[rank - 1] : 1;
  const Index step = rank > 0 ? to.strides()[rank - 1] : 1;
  const bool zero =
      std::all_of(value.begin(), value.end(), [](std::byte b) { return b == std::byte{0}; });
  for_each_row(to.shape(), to.strides(), to.strides(), [&](Index a, Index) {
    std::byte* dst = to.data() + a * Index(size);
    if (zero && step == 1) {
      std::memset(dst, 0, std::size_t(length) * size);
      return;
    }
    for (Index i = 0; i < length; ++i)
      std::memcpy(dst + i * step * Index(size), value.data(), size);
  });
}

bool all_zero(ConstArrayView values) {
  const std::size_t size = dtype_size(values.dtype());
  const int rank = values.rank();
  const Index length = rank > 0 ? values.shape()[rank - 1] : 1;
  const Index step = rank > 0 ? values.strides()[rank - 1] : 1;
  bool zero = true;
  for_each_row(values.shape(), values.strides(), values.strides(), [&](Index a, Index) {
    if (!zero) return;
    const std::byte* row = values.data() + a * Index(size);
    if (step == 1) {
      const std::size_t bytes = std::size_t(length) * size;
      // Word-wise OR: the test is memory-bound and most chunks of a mask are entirely zero.
      std::uint64_t acc = 0;
      std::size_t i = 0;
      for (; i + 8 <= bytes; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, row + i, 8);
        acc |= word;
      }
      for (; i < bytes; ++i) acc |= std::uint64_t(row[i]);
      zero = acc == 0;
      return;
    }
    for (Index i = 0; i < length && zero; ++i)
      for (std::size_t k = 0; k < size; ++k)
        zero = zero && row[i * step * Index(size) + Index(k)] == std::byte{0};
  });
  return zero;
}

void swap_byte_order(std::span<std::byte> bytes, std::size_t element_size) {
  if (element_size <= 1) return;
  for (std::size_t i = 0; i + element_size <= bytes.size(); i += element_size)
    std::reverse(bytes.begin() + std::ptrdiff_t(i),
                 bytes.begin() + std::ptrdiff_t(i + element_size));
}

}  // namespace zoomflow::storage
