#include "zoomflow/pipeline/memory_stages.hpp"

#include <cstring>

namespace zoomflow {
namespace {

// Copies `from` into `to` (same shape and dtype, any strides) one row at a time, or zeroes `to`
// when `from` is null.
void copy_rows(const ConstArrayView* from, const ArrayView& to) {
  const int rank = to.rank();
  const Shape& shape = to.shape();
  if (num_elements(shape) == 0) return;
  const auto element = Index(dtype_size(to.dtype()));
  const Index count = shape[rank - 1];
  IndexVector row = IndexVector::filled(rank, 0);
  const Index rows = num_elements(shape) / count;
  auto offset = [&](const IndexVector& strides) {
    Index o = 0;
    for (int a = 0; a < rank; ++a) o += row[a] * strides[a];
    return o * element;
  };
  const bool packed =
      to.strides()[rank - 1] == 1 && (from == nullptr || from->strides()[rank - 1] == 1);
  for (Index r = 0; r < rows; ++r) {
    std::byte* destination = to.data() + offset(to.strides());
    const std::byte* source = from != nullptr ? from->data() + offset(from->strides()) : nullptr;
    if (packed) {
      if (source != nullptr)
        std::memcpy(destination, source, std::size_t(count * element));
      else
        std::memset(destination, 0, std::size_t(count * element));
    } else {
      for (Index k = 0; k < count; ++k) {
        std::byte* d = destination + k * to.strides()[rank - 1] * element;
        if (source != nullptr)
          std::memcpy(d, source + k * from->strides()[rank - 1] * element, std::size_t(element));
        else
          std::memset(d, 0, std::size_t(element));
      }
    }
    for (int a = rank - 2; a >= 0; --a) {
      if (++row[a] < shape[a]) break;
      row[a] = 0;
    }
  }
}

}  // namespace

BlockStage read_memory_stage(ConstArrayView input, BufferPool& pool) {
  return {"reading input", false, [input, &pool](BlockWork& work) -> Status {
            const Box& box = work.block.input_box;
            const DType dtype = input.dtype();
            work.input_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
            work.input = ArrayView(work.input_buffer.bytes.get(), dtype, box.extent);
            const ConstArrayView source = input.subview(box);
            copy_rows(&source, work.input);
            return ok_status();
          }};
}

BlockStage write_memory_stage(ArrayView output) {
  return {"storing output", false, [output](BlockWork& work) -> Status {
            const ArrayView destination = output.subview(work.block.output_box);
            if (work.all_fill) {
              copy_rows(nullptr, destination);
            } else {
              const ConstArrayView source = work.output;
              copy_rows(&source, destination);
            }
            return ok_status();
          }};
}

}  // namespace zoomflow
