// The one memory model of a run: how --memory-limit is split between the decoded-chunk cache,
// the threads' compute buffers (a tile's input, the values between steps, the steps' scratch)
// and the blocks in flight (each holds its output block and its compressed chunks), and the
// block and tile shapes that follow. Peak memory stays under the limit plus a fixed overhead
// (the program, its libraries, HDF5's own caches), whatever the output's size; a limit too small
// for even one block is refused up front, saying what limit would work.
#pragma once

#include <cstddef>
#include <cstdint>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"

namespace zoomflow {

struct MemoryRequest {
  std::uint64_t memory_limit = std::uint64_t(1) << 30;
  int threads = 1;
  BlockLayout layout = BlockLayout::kBricks;
  // Output blocks of about this size; 0: the default (about 1 MiB, whole write units).
  std::uint64_t block_target_bytes = 0;
  // Blocks hold their input box too (the GPU path uploads it whole).
  bool blocks_hold_input = false;
  // Blocks of exactly this shape (whole write units), planned elsewhere (an MPI job's ranks all
  // cut the output like rank 0); empty: chosen here.
  Shape block_shape{};
};

struct MemoryPlan {
  std::uint64_t chunk_cache_bytes = 0;  // decoded input chunks kept for neighbouring reads
  Shape block_shape;                    // whole write units
  Shape tile_shape;                     // computed at once inside a block (block_shape: one tile)
  std::uint64_t thread_bytes = 0;       // one thread's compute buffers for a tile
  std::uint64_t block_bytes = 0;        // one block in flight
  std::size_t blocks_in_flight = 1;
  // What the plan expects to hold at most: cache + threads x thread_bytes + blocks x block_bytes.
  std::uint64_t planned_bytes(int threads) const {
    return chunk_cache_bytes + std::uint64_t(threads) * thread_bytes +
           std::uint64_t(blocks_in_flight) * block_bytes;
  }
};

// The decoded-chunk cache an input gets under `memory_limit` (open the input with it).
std::uint64_t chunk_cache_bytes(std::uint64_t memory_limit);

// `threads` requested (0 or less: all the machine's), and the cores there are.
int resolve_threads(int requested);
int hardware_threads();

// Plans a chain run over an output cut into `write_unit`s (its chunks, or shards).
Result<MemoryPlan> plan_memory(const ChainPlan& chain, const Shape& write_unit,
                               const MemoryRequest& request);

// A pyramid run (pyramid.hpp): each thread reduces one unit at a time into every level
// (`thread_bytes`: the unit's input, every level's part, the kernel's scratch); every unit in
// flight holds the write units it fills and completes on their way to the files
// (`unit_write_bytes`), and each level one more begun write unit besides (`open_write_bytes`).
struct PyramidMemoryRequest {
  std::uint64_t memory_limit = std::uint64_t(1) << 30;
  int threads = 1;
  Shape unit_shape;
  std::uint64_t thread_bytes = 0;
  std::uint64_t unit_write_bytes = 0;
  std::uint64_t open_write_bytes = 0;
};

// block_shape and tile_shape are the unit; a limit too small for one unit per thread is refused,
// naming one that works.
Result<MemoryPlan> plan_pyramid_memory(const PyramidMemoryRequest& request);

// Blocks in flight for whole-dataset runs without a chain (stats, compare, generate): each block
// holds `block_bytes`; enough to keep every thread busy, never over the limit, at least 1.
std::size_t blocks_in_flight(std::uint64_t memory_limit, std::uint64_t fixed_bytes,
                             std::uint64_t block_bytes, int threads);

}  // namespace zoomflow
