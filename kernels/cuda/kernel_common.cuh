// Device helpers shared by the order-0 and order-1 kernels: the launch geometry and the stores
// of a thread's run of outputs (what the values are is kernel_rows.hpp's business). Internal to
// kernels/cuda.
//
// Geometry: every output row (all axes but the last fixed) is contiguous in the output box.
// Threads along x each compute kPerThread consecutive outputs of a row (so one warp writes one
// contiguous stretch with wide stores); threads along y take different rows of axis rank-2;
// blockIdx.z walks the axes before it, flattened. Grid-stride loops cover extents beyond the
// grid limits.
#pragma once

#include <type_traits>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "launch.hpp"

namespace zoomflow::cuda::detail {

inline constexpr int kThreadsPerBlock = 256;

// Storage-only types of 1, 2, 4, 8 and 16 bytes, for one wide store of a thread's run.
template <int kBytes>
struct StoreWord;
template <>
struct StoreWord<1> {
  using type = std::uint8_t;
};
template <>
struct StoreWord<2> {
  using type = std::uint16_t;
};
template <>
struct StoreWord<4> {
  using type = std::uint32_t;
};
template <>
struct StoreWord<8> {
  using type = uint2;
};
template <>
struct StoreWord<16> {
  using type = uint4;
};

// Writes values[0 .. kPerThread) to row[x0 ..], clipped to the row's `extent`: one aligned wide
// store when the whole run fits, element stores otherwise (the ragged end of a row, or rows that
// do not start on a run boundary).
template <class T, int kPerThread>
__device__ inline void store_run(T* row, std::int64_t x0, std::int64_t extent,
                                 const T (&values)[kPerThread]) {
  constexpr int kBytes = int(sizeof(T)) * kPerThread;
  T* destination = row + x0;
  if (x0 + kPerThread <= extent &&
      reinterpret_cast<std::uintptr_t>(destination) % std::uintptr_t(kBytes) == 0) {
    using Word = typename StoreWord<kBytes>::type;
    Word word;
    std::memcpy(&word, values, kBytes);
    *reinterpret_cast<Word*>(destination) = word;
  } else {
#pragma unroll
    for (int e = 0; e < kPerThread; ++e)
      if (x0 + e < extent) destination[e] = values[e];
  }
}

// The block (threads along x and y) and the grid for `per_thread` outputs per thread.
struct LaunchShape {
  dim3 grid;
  dim3 block;
};

inline LaunchShape launch_shape(const KernelArgs& args, std::int64_t per_thread) {
  const int rank = args.rank;
  const std::int64_t x_extent = args.output_extent[rank - 1];
  const std::int64_t y_extent = rank >= 2 ? args.output_extent[rank - 2] : 1;
  const std::int64_t row_threads = (x_extent + per_thread - 1) / per_thread;
  // As many x threads as a row needs (a power of two up to the block), the rest of the block on
  // further rows, so short rows do not leave lanes idle.
  std::int64_t bx = 1;
  while (bx < row_threads && bx < kThreadsPerBlock) bx *= 2;
  std::int64_t by = kThreadsPerBlock / bx;
  while (by > 1 && by / 2 >= y_extent) by /= 2;
  constexpr std::int64_t kMaxGridYZ = 65535;
  const std::int64_t gx = (row_threads + bx - 1) / bx;  // below 2^31: axis lengths are
  const std::int64_t gy = std::min<std::int64_t>((y_extent + by - 1) / by, kMaxGridYZ);
  const std::int64_t gz = std::min<std::int64_t>(args.outer_rows, kMaxGridYZ);
  return {dim3(unsigned(gx), unsigned(gy), unsigned(gz)), dim3(unsigned(bx), unsigned(by), 1)};
}

// Calls launch(std::integral_constant<int, R>{}) for the rank R = rank (1..8), so each kernel is
// instantiated once per rank and the dispatch is written once.
template <class Launch>
cudaError_t dispatch_rank(int rank, Launch&& launch) {
  switch (rank) {
    case 1:
      return launch(std::integral_constant<int, 1>{});
    case 2:
      return launch(std::integral_constant<int, 2>{});
    case 3:
      return launch(std::integral_constant<int, 3>{});
    case 4:
      return launch(std::integral_constant<int, 4>{});
    case 5:
      return launch(std::integral_constant<int, 5>{});
    case 6:
      return launch(std::integral_constant<int, 6>{});
    case 7:
      return launch(std::integral_constant<int, 7>{});
    case 8:
      return launch(std::integral_constant<int, 8>{});
    default:
      return cudaErrorInvalidValue;
  }
}

}  // namespace zoomflow::cuda::detail
