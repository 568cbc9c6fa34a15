// `zoomflow stats`: count, nonzero, min, max, sum, mean and a content checksum of a whole
// dataset, read block by block on all threads (the block graph, merged in block order so the
// floating-point sum is the same for any thread count) with bounded memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/pipeline/number.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow {

struct DatasetStats {
  Shape shape;
  DType dtype = DType::kUInt8;
  std::uint64_t count = 0;         // elements
  std::uint64_t nonzero = 0;       // elements != 0 (NaN counts as nonzero, as in numpy)
  std::uint64_t nan_count = 0;     // NaN elements, left out of min, max, sum and mean
  std::optional<Number> min, max;  // in the dtype's own type; none without a (non-NaN) element
  Number sum = std::int64_t(0);    // exact for integer dtypes (float64 beyond 64 bits)
  double mean = 0;
  // Sum over elements whose bits are not all zero, modulo 2^64, of mix(mix(i) ^ v): i the
  // element's C-order index, v its bits as an unsigned integer of the element's width (bool 0/1,
  // floats their IEEE bits, so -0.0 counts), mix the splitmix64 finaliser. Independent of
  // chunking, compression and byte order on disk; zeros add nothing, so the checksum of a sparse
  // mask costs about as much as its nonzero voxels.
  std::uint64_t checksum = 0;
};

struct StatsOptions {
  int threads = 0;  // 0: all
  std::uint64_t memory_limit_bytes = std::uint64_t(1) << 30;
  std::uint64_t block_bytes = std::uint64_t(4) << 20;  // about this much read per block
  const std::atomic<bool>* cancel = nullptr;           // optional; set to stop
};

Result<DatasetStats> compute_dataset_stats(const storage::InputDataset& input,
                                           const StatsOptions& options = {});

// splitmix64's finaliser (with its increment), the mix of the checksum.
constexpr std::uint64_t checksum_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace zoomflow
