// Turning --memory-limit into a block size, a decoded-chunk cache and a count of blocks in
// flight, so that peak memory stays under the limit plus a fixed overhead.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zoomflow {

struct MemoryBudget {
  std::size_t block_target_bytes = 0;  // output bytes per block to aim for
  std::size_t chunk_cache_bytes = 0;   // decoded input chunks kept for reuse
};

struct BlockFootprint {
  std::size_t input_bytes = 0;    // largest input box of a block
  std::size_t output_bytes = 0;   // largest output block
  std::size_t scratch_bytes = 0;  // per-thread kernel scratch (order 1)
};

// How to split `memory_limit` before blocks are planned.
MemoryBudget split_memory_budget(std::uint64_t memory_limit, int threads);

// Blocks allowed in flight: each holds its input, its output and its compressed chunks (at most
// about the output's size); at least 1 even when one block alone is over the limit.
std::size_t blocks_in_flight(std::uint64_t memory_limit, const MemoryBudget& budget,
                             const BlockFootprint& footprint, int threads);

}  // namespace zoomflow
