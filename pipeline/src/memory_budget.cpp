#include "zoomflow/pipeline/memory_budget.hpp"

#include <algorithm>

namespace zoomflow {

namespace {
constexpr std::uint64_t kMiB = std::uint64_t(1) << 20;
}

MemoryBudget split_memory_budget(std::uint64_t memory_limit, int threads) {
  MemoryBudget budget;
  // A quarter for decoded input chunks, at most 256 MiB: enough for neighbours to share.
  budget.chunk_cache_bytes = std::size_t(std::min<std::uint64_t>(memory_limit / 4, 256 * kMiB));
  // Blocks of about 1 MiB (whole chunks, so one chunk when a chunk is larger): the compress
  // stage then scans and packs a block the kernel has just written while it is still in cache.
  // On the seed x2 (2 cores) 16 MiB blocks ran 5x slower, the compress stage waiting on memory.
  const std::uint64_t per_block =
      (memory_limit - budget.chunk_cache_bytes) / (3 * std::uint64_t(std::max(threads, 1)) * 3);
  budget.block_target_bytes = std::size_t(std::min<std::uint64_t>(per_block, kMiB));
  return budget;
}

std::size_t blocks_in_flight(std::uint64_t memory_limit, const MemoryBudget& budget,
                             const BlockFootprint& footprint, int threads) {
  const std::uint64_t fixed =
      budget.chunk_cache_bytes + std::uint64_t(std::max(threads, 1)) * footprint.scratch_bytes;
  const std::uint64_t per_block = footprint.input_bytes + 2 * footprint.output_bytes + 1;
  const std::uint64_t room = memory_limit > fixed ? memory_limit - fixed : 0;
  const std::uint64_t count = room / per_block;
  return std::size_t(
      std::clamp<std::uint64_t>(count, 1, 4 * std::uint64_t(std::max(threads, 1)) + 2));
}

}  // namespace zoomflow
