#include "bench_plan.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "byte_size.hpp"
#include "command.hpp"
#include "measure.hpp"
#include "output_options.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/block_selection.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"

namespace zoomflow::tools {
namespace {

// Write units (chunks or shards) inside a block of whole units.
Index units_in(const Box& block, const Shape& unit) {
  Index units = 1;
  for (int a = 0; a < block.rank(); ++a) units *= (block.extent[a] + unit[a] - 1) / unit[a];
  return units;
}

}  // namespace

void add_plan_bench_options(CLI::App& command, PlanBenchArgs& args) {
  command.add_option("--shape", args.output_shape, "output shape")->capture_default_str();
  command.add_option("--zoom", args.zoom, "resample zoom (the input is the shape / zoom)")
      ->capture_default_str();
  command.add_option("--order", args.order, "resample order")->capture_default_str();
  command.add_option("--dtype", args.dtype)->capture_default_str();
  command.add_option("--chunks", args.chunks, "output chunks")->capture_default_str();
  command.add_option("--shards", args.shards, "output shards (Zarr v3)");
  command.add_option("--ranks", args.ranks, "ranks of the job")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  command.add_option("--rank", args.rank, "the rank whose plan is walked")->capture_default_str();
  command.add_option("--threads", args.threads, "threads per rank (the memory plan's)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command.add_option("--memory-limit", args.memory_limit, "per rank")->capture_default_str();
}

Status run_plan_bench(const PlanBenchArgs& args) {
  ZF_ASSIGN_OR_RETURN(const Shape output_shape, parse_positive_shape(args.output_shape, "--shape"));
  ZF_ASSIGN_OR_RETURN(const std::vector<double> zoom, parse_zoom(args.zoom, output_shape.rank()));
  const std::optional<DType> parsed_dtype = parse_dtype(args.dtype);
  if (!parsed_dtype) return make_error(ErrorCode::kInvalidArgument, "--dtype " + args.dtype + "?");
  const DType dtype = *parsed_dtype;
  ZF_ASSIGN_OR_RETURN(const Shape chunks, parse_positive_shape(args.chunks, "--chunks"));
  Shape unit = chunks;
  if (!args.shards.empty()) {
    ZF_ASSIGN_OR_RETURN(unit, parse_positive_shape(args.shards, "--shards"));
  }
  ZF_ASSIGN_OR_RETURN(const std::uint64_t memory_limit, parse_byte_size(args.memory_limit));
  if (args.rank < 0 || args.rank >= args.ranks)
    return make_error(ErrorCode::kInvalidArgument, "--rank must be below --ranks");
  Shape input_shape = output_shape;
  for (int a = 0; a < input_shape.rank(); ++a)
    input_shape[a] = std::max<Index>(1, Index(std::llround(double(output_shape[a]) / zoom[a])));

  const std::int64_t rss_before = peak_rss_bytes();
  const TimingWatch watch;
  ResampleStepSpec spec;
  spec.shape = output_shape;
  spec.interpolation = Interpolation(args.order);
  ZF_ASSIGN_OR_RETURN(const ChainPlan plan,
                      plan_chain({input_shape, dtype}, {resample_step(spec)}));
  MemoryRequest memory{memory_limit, args.threads, BlockLayout::kBricks};
  ZF_ASSIGN_OR_RETURN(const MemoryPlan memory_plan, plan_memory(plan, unit, memory));
  const BlockGrid grid(output_shape, memory_plan.block_shape);
  const BlockSelection mine{args.rank, args.ranks, choose_block_group(grid.count(), args.ranks)};
  const Timing planned = watch.elapsed();

  // The walk of this rank's blocks: what its source and compute stage plan, block by block.
  const TimingWatch walk_watch;
  std::uint64_t input_voxels = 0;
  Index units = 0;
  std::uint64_t bytes = 0;  // kept live: the walk is what is timed
  for (Index k = 0; k < mine.size(grid.count()); ++k) {
    const Box block = grid.block(mine.at(k));
    const std::vector<Box> boxes = plan.boxes(block);
    input_voxels += std::uint64_t(boxes.front().num_elements());
    units += units_in(block, unit);
    bytes += std::uint64_t(block.num_elements()) * dtype_size(dtype);
  }
  const Timing walked = walk_watch.elapsed();
  const std::int64_t rss_after = peak_rss_bytes();

  // Every rank's share: write units and uncompressed bytes.
  std::uint64_t least = ~std::uint64_t(0);
  std::uint64_t most = 0;
  Index least_units = grid.count() * units_in(grid.block(0), unit);
  Index most_units = 0;
  for (int r = 0; r < args.ranks; ++r) {
    const BlockSelection part{r, args.ranks, mine.group};
    std::uint64_t b = 0;
    Index u = 0;
    for (Index k = 0; k < part.size(grid.count()); ++k) {
      const Box block = grid.block(part.at(k));
      b += std::uint64_t(block.num_elements()) * dtype_size(dtype);
      u += units_in(block, unit);
    }
    least = std::min(least, b);
    most = std::max(most, b);
    least_units = std::min(least_units, u);
    most_units = std::max(most_units, u);
  }
  const double total = double(num_elements(output_shape)) * double(dtype_size(dtype));
  const double gib = double(1 << 30);
  std::printf(
      "plan: %s %s -> %s, resample order %d, %s %s, %d ranks x %d threads, %s per rank\n"
      "blocks: %lld of %s (%lld per rank, groups of %lld), %.0f GiB in all\n"
      "rank %d: planned (chain + memory + selection) in %.6f s; walked its %lld blocks (every "
      "block's box and input box) in %.4f s (%.2f us a block), peak RSS %.1f MiB (%.1f MiB more "
      "than before planning); it reads %.2f GiB of input boxes, writes %lld units\n"
      "each rank writes %.2f to %.2f GiB uncompressed (%.3f%% apart), %lld to %lld %s; its block "
      "log about %.1f KiB\n",
      to_string(input_shape).c_str(), std::string(dtype_name(dtype)).c_str(),
      to_string(output_shape).c_str(), args.order, args.shards.empty() ? "chunks" : "shards",
      to_string(unit).c_str(), args.ranks, args.threads, args.memory_limit.c_str(),
      static_cast<long long>(grid.count()), to_string(memory_plan.block_shape).c_str(),
      static_cast<long long>(mine.size(grid.count())), static_cast<long long>(mine.group),
      total / gib, args.rank, planned.wall, static_cast<long long>(mine.size(grid.count())),
      walked.wall, 1e6 * walked.wall / double(std::max<Index>(1, mine.size(grid.count()))),
      double(rss_after) / double(1 << 20), double(rss_after - rss_before) / double(1 << 20),
      double(input_voxels) * double(dtype_size(dtype)) / gib, static_cast<long long>(units),
      double(least) / gib, double(most) / gib,
      100.0 * double(most - least) / double(std::max<std::uint64_t>(most, 1)),
      static_cast<long long>(least_units), static_cast<long long>(most_units),
      args.shards.empty() ? "chunk files" : "shard files",
      double(mine.size(grid.count())) * 16.0 / 1024.0);
  (void)bytes;
  return ok_status();
}

}  // namespace zoomflow::tools
