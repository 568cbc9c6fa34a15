// What one GPU thread computes: a run of consecutive outputs of one output row, for order 0 and
// order 1. The CUDA kernels (kernels/cuda/*.cu) only map threads onto (row, run) and store the
// values; everything that decides a value is here, ZF_HOST_DEVICE, so that a host test runs
// exactly this code over every row of a box and compares it with the CPU kernel, on machines
// without a GPU too. Plain data only: no CUDA type.
#pragma once

#include <cstddef>
#include <cstdint>

#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/host_device.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/resample_tables.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"

#if defined(__CUDACC__)
#define ZF_UNROLL _Pragma("unroll")
#else
#define ZF_UNROLL
#endif

namespace zoomflow::cuda::detail {

// One kernel launch's parameters, passed by value (a few hundred bytes, under the 4 KiB limit).
// Pointers are device pointers in a launch, host pointers in a host test.
struct KernelArgs {
  int rank = 0;
  Interpolation interpolation = Interpolation::kNearest;
  DType dtype = DType::kUInt8;
  std::int64_t output_extent[kMaxRank] = {};
  std::int64_t input_stride[kMaxRank] = {};  // elements; the input box is contiguous
  std::int64_t outer_rows = 1;               // product of output_extent[0 .. rank-3]
  const std::int32_t* index0[kMaxRank] = {};
  const std::int32_t* index1[kMaxRank] = {};
  const double* weight[kMaxRank] = {};
  const void* input = nullptr;
  void* output = nullptr;  // the contiguous output box
};

// The arguments for a contiguous output box of `output_extent` from a contiguous input box of
// `input_extent`, with tables laid out as `layout` at `tables`.
inline KernelArgs make_kernel_args(DType dtype, const ResampleTableLayout& layout,
                                   const Shape& input_extent, const Shape& output_extent,
                                   const std::byte* tables, const void* input, void* output) {
  KernelArgs args;
  args.rank = layout.rank;
  args.interpolation = layout.interpolation;
  args.dtype = dtype;
  const IndexVector strides = contiguous_strides(input_extent);
  const bool linear = layout.interpolation == Interpolation::kLinear;
  for (int a = 0; a < layout.rank; ++a) {
    const auto axis = std::size_t(a);
    args.output_extent[a] = output_extent[a];
    args.input_stride[a] = strides[a];
    // All tables sit in one allocation; these point into it.
    args.index0[a] = reinterpret_cast<const std::int32_t*>(tables + layout.index0_offset[axis]);
    if (linear) {
      args.index1[a] = reinterpret_cast<const std::int32_t*>(tables + layout.index1_offset[axis]);
      args.weight[a] = reinterpret_cast<const double*>(tables + layout.weight_offset[axis]);
    }
  }
  for (int a = 0; a + 2 < layout.rank; ++a) args.outer_rows *= output_extent[a];
  args.input = input;
  args.output = output;
  return args;
}

// Outputs per thread. Order 0: 16 bytes, one uint4 store. Order 1: 8 bytes for ranks up to 3
// (the row set-up is shared), one voxel above that, where 2^rank reads already keep it busy.
template <class T>
inline constexpr int kNearestPerThread = 16 / int(sizeof(T));
template <class T, int kRank>
inline constexpr int kLinearPerThread = kRank <= 3 && sizeof(T) < 8 ? 8 / int(sizeof(T)) : 1;

// The coordinates of axes 0 .. kRank-3 of flattened outer row `z` (C order). Axis 0 takes the
// last quotient without a division, so ranks up to 3 divide nothing. The caller sets axis
// kRank-2 (the row within the plane) itself.
template <int kRank>
ZF_HOST_DEVICE inline void outer_coordinates(const KernelArgs& args, std::int64_t z,
                                             std::int64_t (&coordinate)[kRank]) {
  if constexpr (kRank >= 3) {
    ZF_UNROLL
    for (int a = kRank - 3; a >= 1; --a) {
      coordinate[a] = z % args.output_extent[a];
      z /= args.output_extent[a];
    }
    coordinate[0] = z;
  }
}

// Order 0 -------------------------------------------------------------------------------------

// The last axis's source indices of outputs x0 .. x0+kPerThread-1: the same for every row a
// thread visits. Outputs past the row's end read element 0 (always valid) and are never stored.
template <int kPerThread>
struct NearestTaps {
  std::int32_t source[kPerThread];
};

template <int kRank, int kPerThread>
ZF_HOST_DEVICE inline NearestTaps<kPerThread> nearest_taps(const KernelArgs& args,
                                                           std::int64_t x0) {
  NearestTaps<kPerThread> taps;
  const std::int64_t extent = args.output_extent[kRank - 1];
  ZF_UNROLL
  for (int e = 0; e < kPerThread; ++e)
    taps.source[e] = x0 + e < extent ? args.index0[kRank - 1][x0 + e] : 0;
  return taps;
}

// Outputs x0.. of the row at `coordinate` (axes 0 .. kRank-2): copies of the input voxels the
// integer nearest tables name. T only needs the element's size: a copy of the bits.
template <class T, int kRank, int kPerThread>
ZF_HOST_DEVICE inline void nearest_row(const KernelArgs& args, const NearestTaps<kPerThread>& taps,
                                       const std::int64_t (&coordinate)[kRank],
                                       T (&values)[kPerThread]) {
  const T* __restrict__ input = static_cast<const T*>(args.input);
  std::int64_t offset = 0;
  ZF_UNROLL
  for (int a = 0; a + 1 < kRank; ++a)
    offset += std::int64_t(args.index0[a][coordinate[a]]) * args.input_stride[a];
  ZF_UNROLL
  for (int e = 0; e < kPerThread; ++e) values[e] = input[offset + taps.source[e]];
}

// Order 1 -------------------------------------------------------------------------------------

template <int kPerThread>
struct LinearTaps {
  std::int32_t lo[kPerThread];
  std::int32_t hi[kPerThread];
  double weight[kPerThread];
};

template <int kRank, int kPerThread>
ZF_HOST_DEVICE inline LinearTaps<kPerThread> linear_taps(const KernelArgs& args, std::int64_t x0) {
  LinearTaps<kPerThread> taps;
  const std::int64_t extent = args.output_extent[kRank - 1];
  ZF_UNROLL
  for (int e = 0; e < kPerThread; ++e) {
    const bool inside = x0 + e < extent;
    taps.lo[e] = inside ? args.index0[kRank - 1][x0 + e] : 0;
    taps.hi[e] = inside ? args.index1[kRank - 1][x0 + e] : 0;
    taps.weight[e] = inside ? args.weight[kRank - 1][x0 + e] : 0.0;
  }
  return taps;
}

// Outputs x0.. of the row at `coordinate`, byte-identical to the CPU kernel
// (kernels/src/resample_linear.hpp). That kernel is separable: it interpolates the whole box
// along the last axis, then along axis rank-2, ..., then axis 0, each step
// lerp(v0, v1, w) = v0 + w (v1 - v0) in double, then saturate_cast<T>. Every intermediate value
// is a function of the same two operands and weight whichever box it is computed in, so an
// output voxel is the tree
//   lerp_0(... lerp_{r-2}(lerp_{r-1}(in[.., j0], in[.., j1], w_{r-1}), ...) ..., w_0)
// evaluated here per voxel in the same order from the same host-built indices and weights, with
// the same lerp and saturate_cast. Built with --fmad=false and no fast-math on the GPU (and
// -ffp-contract=off on the CPU), each operation rounds the same way, so the bytes are equal.
template <class T, int kRank, int kPerThread>
ZF_HOST_DEVICE inline void linear_row(const KernelArgs& args, const LinearTaps<kPerThread>& taps,
                                      const std::int64_t (&coordinate)[kRank],
                                      T (&values)[kPerThread]) {
  constexpr int kOuter = kRank - 1;      // the axes interpolated between input rows
  constexpr int kCorners = 1 << kOuter;  // the input rows one output row reads
  const T* __restrict__ input = static_cast<const T*>(args.input);
  // Input row offset of each corner: bit (kOuter-1-a) of the corner index picks j1 rather than
  // j0 on outer axis a, so axis rank-2 is bit 0, reduced first below.
  std::int64_t row[kCorners];
  double weight[kOuter > 0 ? kOuter : 1];
  row[0] = 0;
  ZF_UNROLL
  for (int a = 0; a < kOuter; ++a) {
    const std::int64_t c = coordinate[a];
    const std::int64_t lo = std::int64_t(args.index0[a][c]) * args.input_stride[a];
    const std::int64_t hi = std::int64_t(args.index1[a][c]) * args.input_stride[a];
    weight[a] = args.weight[a][c];
    // Each corner so far splits in two, in place from the top: 2k and 2k+1 never overwrite an
    // entry below k that is still to be read.
    ZF_UNROLL
    for (int k = (1 << a) - 1; k >= 0; --k) {
      row[2 * k + 1] = row[k] + hi;
      row[2 * k] = row[k] + lo;
    }
  }
  ZF_UNROLL
  for (int e = 0; e < kPerThread; ++e) {
    double v[kCorners];
    // The last axis first, as the CPU kernel's first pass ...
    ZF_UNROLL
    for (int c = 0; c < kCorners; ++c)
      v[c] = lerp(double(input[row[c] + taps.lo[e]]), double(input[row[c] + taps.hi[e]]),
                  taps.weight[e]);
    // ... then axis rank-2, ..., axis 0: each time lerp(value at j0, value at j1, w).
    ZF_UNROLL
    for (int a = kOuter - 1; a >= 0; --a) {
      ZF_UNROLL
      for (int m = 0; m < (1 << a); ++m) v[m] = lerp(v[2 * m], v[2 * m + 1], weight[a]);
    }
    values[e] = saturate_cast<T>(v[0]);
  }
}

}  // namespace zoomflow::cuda::detail
