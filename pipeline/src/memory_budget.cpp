#include "zoomflow/pipeline/memory_budget.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/core.h>
#include <tbb/info.h>

namespace zoomflow {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t(1) << 20;
// Bookkeeping of one compressed chunk on its way to the writer (its vector and origin).
constexpr std::uint64_t kChunkOverhead = 128;
// Tiles are not cut below this many voxels per axis (or the block's extent, when smaller): a
// halo that does not fit such a tile is refused rather than run at a crawl.
constexpr Index kMinTileExtent = 8;

// Rounded up, so that a limit it names is enough: "96 KiB", "5 MiB", "1.3 GiB".
std::string mib(std::uint64_t bytes) {
  if (bytes < kMiB) return fmt::format("{:.0f} KiB", std::ceil(double(bytes) / 1024.0));
  if (bytes < 1024 * kMiB)
    return fmt::format("{:.0f} MiB", std::ceil(double(bytes) / double(kMiB)));
  return fmt::format("{:.1f} GiB", std::ceil(double(bytes) / double(kMiB) / 102.4) / 10.0);
}

// A box of `shape` placed in the middle of the output: interior blocks have halos on every side,
// the most any block of that shape reads.
Box interior_box(const Shape& shape, const Shape& output) {
  Box box{IndexVector::filled(shape.rank(), 0), shape};
  for (int a = 0; a < shape.rank(); ++a) {
    box.extent[a] = std::min(shape[a], output[a]);
    box.origin[a] = (output[a] - box.extent[a]) / 2;
  }
  return box;
}

std::uint64_t tile_cost(const ChainPlan& chain, const Shape& tile) {
  // One voxel more per axis: interior boxes' input extents vary by one with their position.
  Shape grown = tile;
  for (int a = 0; a < grown.rank(); ++a) grown[a] = std::min(grown[a] + 1, chain.output().shape[a]);
  return chain.compute_bytes(interior_box(grown, chain.output().shape));
}

// Halves the first axis, then the next, until the tile's compute buffers fit `budget`, never
// below kMinTileExtent: flat tiles keep the rows long, and a separable filter's first pass (the
// largest region: the tile's extent along axis 0 times the halo-wide cross-section) small.
Shape fit_tile(const ChainPlan& chain, const Shape& block, std::uint64_t budget) {
  Shape tile = block;
  for (int a = 0; a < tile.rank(); ++a)
    while (tile_cost(chain, tile) > budget && tile[a] > kMinTileExtent)
      tile[a] = std::max(kMinTileExtent, (tile[a] + 1) / 2);
  return tile;
}

// A --memory-limit that leaves at least `rest` bytes beside the chunk cache: chunk_cache_bytes
// (below) inverted (rounded up).
std::uint64_t limit_leaving(std::uint64_t rest) {
  return rest <= 768 * kMiB ? rest / 3 * 4 + 64 * 1024 : rest + 256 * kMiB;
}

}  // namespace

std::uint64_t chunk_cache_bytes(std::uint64_t memory_limit) {
  // A quarter for decoded input chunks, at most 256 MiB: enough for neighbours to share.
  return std::min<std::uint64_t>(memory_limit / 4, 256 * kMiB);
}

int hardware_threads() {
  return std::max(1, tbb::info::default_concurrency());
}

int resolve_threads(int requested) {
  return requested > 0 ? requested : hardware_threads();
}

Result<MemoryPlan> plan_memory(const ChainPlan& chain, const Shape& write_unit,
                               const MemoryRequest& request) {
  const int threads = std::max(1, request.threads);
  const std::uint64_t limit = request.memory_limit;
  const Shape& shape = chain.output().shape;
  const std::size_t element = dtype_size(chain.output().dtype);
  MemoryPlan plan;
  plan.chunk_cache_bytes = chunk_cache_bytes(limit);
  const std::uint64_t rest = limit - plan.chunk_cache_bytes;

  // Blocks of about 1 MiB (whole units, so one unit when a unit is larger): the compress stage
  // then packs a block the kernel has just written while it is still in cache. On the seed x2
  // (2 cores) 16 MiB blocks ran 5x slower, the compress stage waiting on memory.
  const Shape unit = BlockGrid(shape, write_unit).block_shape();
  std::uint64_t target = request.block_target_bytes;
  if (target == 0) {
    target = std::min<std::uint64_t>(rest / (9 * std::uint64_t(threads)), kMiB);
    // Enough blocks for every thread to have several. (Not fewer output bytes for steps with
    // large halos: a larger block reads its halo once for more output, and tiles keep its
    // buffers in the budget.)
    const std::uint64_t output = std::uint64_t(num_elements(shape)) * element;
    target = std::min(target, std::max<std::uint64_t>(output / (4 * std::uint64_t(threads)), 1));
  }
  plan.block_shape = request.block_shape.rank() == shape.rank()
                         ? request.block_shape
                         : choose_block_shape(shape, write_unit, element, target, request.layout);

  const std::uint64_t block_output = std::uint64_t(num_elements(plan.block_shape)) * element;
  std::uint64_t units_per_block = 1;
  for (int a = 0; a < shape.rank(); ++a)
    units_per_block *= std::uint64_t((plan.block_shape[a] + unit[a] - 1) / unit[a]);
  // The output block and its compressed chunks (about the output's size at most).
  plan.block_bytes = 2 * block_output + units_per_block * kChunkOverhead;
  if (request.blocks_hold_input)
    plan.block_bytes += chain.compute_bytes(interior_box(plan.block_shape, shape));

  // The threads' compute buffers get what is left once every thread can hold two blocks in
  // flight (at least a quarter of it): small blocks leave large tiles, which read less halo.
  const std::uint64_t blocks_room = std::uint64_t(2 * threads + 2) * plan.block_bytes;
  const std::uint64_t tiles_room = std::max(rest / 4, rest > blocks_room ? rest - blocks_room : 0);
  plan.tile_shape = fit_tile(chain, plan.block_shape, tiles_room / std::uint64_t(threads));
  plan.thread_bytes = tile_cost(chain, plan.tile_shape);

  std::uint64_t fixed = std::uint64_t(threads) * plan.thread_bytes;
  if (fixed + plan.block_bytes > rest) {
    // Tiles may grow into three quarters of what is left: a limit that works leaves a block the
    // last quarter.
    const std::uint64_t needed_rest = std::max(fixed + plan.block_bytes, 4 * plan.block_bytes);
    const std::uint64_t needed = limit_leaving(needed_rest);
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("--memory-limit {} is too small for this run: one block of {} ({} per output "
                    "chunk or shard) needs {}, and {} thread{} computing tiles of {} need {}; give "
                    "--memory-limit {} or more, or use smaller --chunks or fewer --threads",
                    mib(limit), to_string(plan.block_shape), to_string(unit), mib(plan.block_bytes),
                    threads, threads == 1 ? "" : "s", to_string(plan.tile_shape), mib(fixed),
                    mib(needed)));
  }
  fixed += plan.chunk_cache_bytes;
  plan.blocks_in_flight = blocks_in_flight(limit, fixed, plan.block_bytes, threads);
  return plan;
}

Result<MemoryPlan> plan_pyramid_memory(const PyramidMemoryRequest& request) {
  const int threads = std::max(1, request.threads);
  const std::uint64_t limit = request.memory_limit;
  MemoryPlan plan;
  plan.chunk_cache_bytes = chunk_cache_bytes(limit);
  plan.block_shape = request.unit_shape;
  plan.tile_shape = request.unit_shape;
  plan.thread_bytes = request.thread_bytes;
  // The unit's write units twice over: the partly filled buffers and what they are compressed to.
  plan.block_bytes = 2 * request.unit_write_bytes + 64 * 1024;
  const std::uint64_t fixed = plan.chunk_cache_bytes + std::uint64_t(threads) * plan.thread_bytes +
                              request.open_write_bytes;
  if (fixed + plan.block_bytes > limit) {
    const std::uint64_t needed_rest =
        fixed - plan.chunk_cache_bytes + 2 * plan.block_bytes;  // and the cache: a quarter
    const std::uint64_t needed = limit_leaving(needed_rest);
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("--memory-limit {} is too small for this pyramid: {} thread{} reducing units "
                    "of {} input voxels into every level need {}, and the write units they fill "
                    "{}; give --memory-limit {} or more, or use fewer --levels, smaller --chunks "
                    "or fewer --threads",
                    mib(limit), threads, threads == 1 ? "" : "s", to_string(request.unit_shape),
                    mib(std::uint64_t(threads) * plan.thread_bytes),
                    mib(plan.block_bytes + request.open_write_bytes), mib(needed)));
  }
  plan.blocks_in_flight = blocks_in_flight(limit, fixed, plan.block_bytes, threads);
  return plan;
}

std::size_t blocks_in_flight(std::uint64_t memory_limit, std::uint64_t fixed_bytes,
                             std::uint64_t block_bytes, int threads) {
  const std::uint64_t room = memory_limit > fixed_bytes ? memory_limit - fixed_bytes : 0;
  const std::uint64_t affordable = room / std::max<std::uint64_t>(block_bytes, 1);
  // Enough for every thread to hold one while the writer and the encoder hold others.
  const std::uint64_t wanted = 4 * std::uint64_t(std::max(threads, 1)) + 2;
  return std::size_t(std::clamp<std::uint64_t>(affordable, 1, wanted));
}

}  // namespace zoomflow
