// The row walk every downsampling kernel shares: the output box row by row (every axis but the
// last), each row function handed the input rows of its blocks as contiguous rows (strided rows
// copied first) and a contiguous output row. Scratch comes from one Workspace slot.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "downsample_rows.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/reduce_method.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::detail {

template <class In, class Out = In>
using RowFunction = void (*)(const RowArgs<In, Out>&);

// Where a downsampling's blocks lie: the input shape and the factors.
struct BlockGrid {
  Shape input_shape;
  Shape factors;
  int rank() const { return input_shape.rank(); }
  // Input rows per output row: the product over the outer axes of min(factor, length).
  Index rows_per_output_row() const {
    Index rows = 1;
    for (int a = 0; a + 1 < rank(); ++a) rows *= std::min(factors[a], input_shape[a]);
    return rows;
  }
};

inline constexpr std::size_t kScratchAlignment = 64;

inline std::size_t aligned_size(std::size_t bytes) {
  return (bytes + kScratchAlignment - 1) / kScratchAlignment * kScratchAlignment;
}

// The parts of run_rows' scratch, in bytes: row pointers (two sets: this row's and the next's),
// gathered strided input rows, a contiguous output row, the row function's own.
struct RowScratch {
  std::size_t pointers, gathered, out_row, method;
  std::size_t total() const {
    return aligned_size(pointers) + aligned_size(gathered) + aligned_size(out_row) +
           aligned_size(method) + kScratchAlignment;
  }
};

template <class In, class Out>
RowScratch row_scratch(const BlockGrid& grid, const Box& box, bool strided_in, bool strided_out,
                       std::size_t method_bytes) {
  const int last = grid.rank() - 1;
  const Index rows = grid.rows_per_output_row();
  const Index length = box.extent[last] * grid.factors[last];
  return {std::size_t(2 * rows) * sizeof(const In*),
          strided_in ? std::size_t(rows * length) * sizeof(In) : 0,
          strided_out ? std::size_t(box.extent[last]) * sizeof(Out) : 0, method_bytes};
}

// The input rows of output row `out_index` (box coordinates, last axis ignored): one per block
// offset over the outer axes, in C order, clipped to the input; returns how many.
template <class In>
Index input_rows(const BlockGrid& grid, const StridedView<const In>& input,
                 const IndexVector& origin, const Box& box, const IndexVector& out_index,
                 const In** rows) {
  const int last = grid.rank() - 1;
  const In* base =
      input.data() + (box.origin[last] * grid.factors[last] - origin[last]) * input.strides()[last];
  IndexVector count = IndexVector::filled(grid.rank(), 0), offset = count;
  for (int a = 0; a < last; ++a) {
    const Index first = (box.origin[a] + out_index[a]) * grid.factors[a];
    count[a] = std::min(grid.factors[a], grid.input_shape[a] - first);
    base += (first - origin[a]) * input.strides()[a];
  }
  Index n = 0;
  for (;;) {
    const In* p = base;
    for (int a = 0; a < last; ++a) p += offset[a] * input.strides()[a];
    rows[n++] = p;
    int a = last - 1;
    for (; a >= 0; --a) {
      if (++offset[a] < count[a]) break;
      offset[a] = 0;
    }
    if (a < 0) return n;
  }
}

// Rows this short are prefetched one output row ahead: the hardware prefetcher loses them at
// every page boundary, and a small block's rows lie pages apart.
inline constexpr std::size_t kPrefetchBytes = 16 << 10;

// Runs `fn` over every output row of `box`. `input` holds the input voxels from `origin` on
// (covering the box's blocks); `output` is the box's voxels. `scratch` holds at least
// row_scratch(...).total() bytes; the row function gets `method_bytes` of it.
template <class In, class Out>
void run_rows(const BlockGrid& grid, const StridedView<const In>& input, const IndexVector& origin,
              const StridedView<Out>& output, const Box& box, std::span<std::byte> scratch,
              std::size_t method_bytes, RowFunction<In, Out> fn) {
  const int rank = grid.rank();
  const int last = rank - 1;
  const Index factor = grid.factors[last];
  const Index length =
      std::min(box.end(last) * factor, grid.input_shape[last]) - box.origin[last] * factor;
  const Index out_length = box.extent[last];
  const Index in_step = input.strides()[last];
  const Index out_step = output.strides()[last];
  const RowScratch sizes =
      row_scratch<In, Out>(grid, box, in_step != 1, out_step != 1, method_bytes);

  // Carve the slot: aligned parts, in the order of RowScratch.
  std::byte* cursor = scratch.data();
  cursor += (kScratchAlignment - reinterpret_cast<std::uintptr_t>(cursor) % kScratchAlignment) %
            kScratchAlignment;
  const auto take = [&](std::size_t bytes) {
    std::byte* p = cursor;
    cursor += aligned_size(bytes);
    return p;
  };
  const Index max_rows = grid.rows_per_output_row();
  const In** current = reinterpret_cast<const In**>(take(sizes.pointers));
  const In** next = current + max_rows;
  In* gathered = reinterpret_cast<In*>(take(sizes.gathered));
  Out* out_row = reinterpret_cast<Out*>(take(sizes.out_row));
  std::byte* method_scratch = take(sizes.method);
  const bool prefetch =
      in_step == 1 && std::size_t(max_rows * length) * sizeof(In) <= kPrefetchBytes;

  IndexVector out_index = IndexVector::filled(rank, 0);  // within the box, last axis 0
  Index count = input_rows(grid, input, origin, box, out_index, current);
  const Index outer_rows = num_elements(box.extent) / std::max<Index>(out_length, 1);
  for (Index row = 0; row < outer_rows; ++row) {
    IndexVector following = out_index;
    for (int a = last - 1; a >= 0; --a) {
      if (++following[a] < box.extent[a]) break;
      following[a] = 0;
    }
    const Index next_count =
        row + 1 < outer_rows ? input_rows(grid, input, origin, box, following, next) : 0;
    if (prefetch) {
      for (Index r = 0; r < next_count; ++r) {
        const char* p = reinterpret_cast<const char*>(next[r]);
        for (std::size_t b = 0; b < std::size_t(length) * sizeof(In); b += 64)
          __builtin_prefetch(p + b);
      }
    }
    if (in_step != 1) {
      for (Index r = 0; r < count; ++r) {
        In* dst = gathered + r * length;
        for (Index i = 0; i < length; ++i) dst[i] = current[r][i * in_step];
        current[r] = dst;
      }
    }
    Out* out = &output[out_index];
    Out* target = out_step == 1 ? out : out_row;
    fn(RowArgs<In, Out>{current, count, length, factor, target, out_length, method_scratch});
    if (out_step != 1)
      for (Index x = 0; x < out_length; ++x) out[x * out_step] = target[x];
    std::swap(current, next);
    count = next_count;
    out_index = following;
  }
}

// The row functions, per element type (downsample.cpp and downsample_order.cpp).
template <class T>
RowFunction<T> accumulate_row_function(ReduceMethod method, DType dtype, Index block_elements);
template <class T>
RowFunction<T> order_statistic_row_function(bool median);
template <class T>
std::size_t order_statistic_row_scratch(Index block_elements);

}  // namespace zoomflow::detail
