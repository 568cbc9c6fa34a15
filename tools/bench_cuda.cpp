// `zoomflow bench cuda`: the kernel against a device-to-device copy of its output, the
// end-to-end CUDA stage against a pinned download of the output, and several streams against
// one. Every figure comes from the same run on the same GPU; without one, nothing is measured.
#include "bench_cuda.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <nlohmann/json.hpp>

#include "measure.hpp"
#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/cuda/kernel_timing.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/pipeline/cuda_resample_stage.hpp"
#include "zoomflow/pipeline/memory_stages.hpp"

namespace zoomflow::tools {
namespace {

struct Row {
  std::string method;
  double seconds = 0;
  double bytes = 0;    // the bytes the rate is given for
  std::string versus;  // what it is compared with
  double ratio = 0;    // versus's seconds / this row's seconds (1.0: as fast)
};

bool same_bytes(const Volume& a, const Volume& b) {
  return a.size_bytes() == b.size_bytes() &&
         std::memcmp(a.bytes().data(), b.bytes().data(), a.size_bytes()) == 0;
}

struct StageRun {
  double seconds = 0;
  int streams = 0;
  int peak_busy = 0;
  bool identical = false;
};

// The in-memory graph read -> CUDA stage (-> store), with `max_streams`. One untimed run stores
// the output for the check and fills the pinned pool; the timed runs drop the output, so they
// measure reading into pinned memory, the transfers and the kernels.
Result<StageRun> run_stage(const ResampleSpec& spec, const Volume& input, const Volume& reference,
                           const BlockGrid& blocks, int max_streams, int repeats) {
  const std::size_t in_flight = 8;
  ZF_ASSIGN_OR_RETURN(auto stage, CudaResampleStage::create(spec, input.dtype(), blocks,
                                                            {0, in_flight, max_streams}));
  ZF_ASSIGN_OR_RETURN(
      const ChainPlan plan,
      plan_chain({spec.input_shape, input.dtype()},
                 {resample_step({{}, spec.output_shape, spec.interpolation, spec.grid})}));
  BufferPool pool(pinned_buffer_allocator());
  ZF_ASSIGN_OR_RETURN(Volume output, Volume::zeros(input.dtype(), spec.output_shape));
  const GraphOptions graph{in_flight, CancelToken()};
  const std::function<void(BlockWork&)> recycle = [&pool](BlockWork& work) {
    pool.release(std::move(work.input_buffer));
    pool.release(std::move(work.output_buffer));
  };
  const std::vector<BlockStage> checked = {read_memory_stage(plan, input.view(), pool),
                                           stage->block_stage(pool, {}),
                                           write_memory_stage(output.view())};
  const std::vector<BlockStage> timed = {read_memory_stage(plan, input.view(), pool),
                                         stage->block_stage(pool, {})};
  StageRun run;
  tbb::task_arena arena(tbb::info::default_concurrency());
  Status status;
  arena.execute([&] { status = run_block_graph(blocks, checked, graph, recycle); });
  ZF_RETURN_IF_ERROR(status);
  run.identical = same_bytes(output, reference);
  run.seconds = std::numeric_limits<double>::infinity();
  for (int r = 0; r < repeats; ++r) {
    Stopwatch watch;
    arena.execute([&] { status = run_block_graph(blocks, timed, graph, recycle); });
    ZF_RETURN_IF_ERROR(status);
    run.seconds = std::min(run.seconds, watch.seconds());
  }
  run.streams = stage->streams();
  run.peak_busy = stage->peak_streams_busy();
  return run;
}

}  // namespace

Status run_cuda_bench(const CudaBenchOptions& options) {
  const cuda::DeviceInfo device = cuda::query_device();
  if (!device.usable) {
    // Not a failure of the benchmark: there is nothing to measure here. --json stays parseable.
    fmt::print(stderr, "bench cuda: skipped, nothing measured ({})\n", cuda::describe(device));
    if (options.json) fmt::print("[]\n");
    return ok_status();
  }
  ZF_ASSIGN_OR_RETURN(Shape output_shape, zoomed_shape(options.input_shape, options.zoom));
  const ResampleSpec spec{options.input_shape, output_shape, options.interpolation, options.grid};
  ZF_RETURN_IF_ERROR(spec.validate_for(options.dtype));

  ZF_ASSIGN_OR_RETURN(Volume input, Volume::allocate(options.dtype, options.input_shape));
  ZF_RETURN_IF_ERROR(fill_volume(options.pattern, input.view()));
  ZF_ASSIGN_OR_RETURN(Volume reference, zoom(input.view(), spec));

  // 1. The kernel alone, data on the device, against copies of the same bytes.
  ZF_ASSIGN_OR_RETURN(Volume kernel_output, Volume::allocate(options.dtype, output_shape));
  ArrayView kernel_view = kernel_output.view();
  ZF_ASSIGN_OR_RETURN(const cuda::KernelTiming timing,
                      cuda::time_kernel(spec, input.view(), options.repeats, &kernel_view));
  const bool kernel_identical = same_bytes(kernel_output, reference);

  // 2. and 3. The CUDA stage end to end, with three streams and with one.
  const Shape chunks =
      options.chunk_shape.rank() > 0 ? options.chunk_shape : default_chunk_shape(output_shape);
  const Shape block_shape = choose_block_shape(output_shape, chunks, dtype_size(options.dtype),
                                               options.block_bytes, BlockLayout::kBricks);
  const BlockGrid blocks(output_shape, block_shape);
  ZF_ASSIGN_OR_RETURN(const StageRun overlapped,
                      run_stage(spec, input, reference, blocks, 3, options.repeats));
  ZF_ASSIGN_OR_RETURN(const StageRun single,
                      run_stage(spec, input, reference, blocks, 1, options.repeats));

  const double out = double(timing.output_bytes);
  const double in = double(timing.input_bytes);
  const std::vector<Row> rows = {
      {"cudaMemcpy device to device (output bytes)", timing.d2d_copy_seconds, out, "", 0},
      {"kernel, data on the device", timing.kernel_seconds, out, "device copy",
       timing.d2d_copy_seconds / timing.kernel_seconds},
      {"pinned upload (input bytes)", timing.h2d_seconds, in, "", 0},
      {"pinned download (output bytes)", timing.d2h_seconds, out, "", 0},
      {fmt::format("CUDA stage end to end, {} streams", overlapped.streams), overlapped.seconds,
       out, "pinned download", timing.d2h_seconds / overlapped.seconds},
      {fmt::format("CUDA stage end to end, {} stream", single.streams), single.seconds, out,
       fmt::format("{} streams", overlapped.streams), overlapped.seconds / single.seconds},
  };
  const bool identical = kernel_identical && overlapped.identical && single.identical;

  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const Row& row : rows)
      array.push_back({{"method", row.method},
                       {"seconds", row.seconds},
                       {"gb_per_s", row.bytes / row.seconds / 1e9},
                       {"versus", row.versus},
                       {"ratio", row.ratio},
                       {"gpu", device.name},
                       {"identical_to_cpu", identical}});
    fmt::print("{}\n", array.dump(2));
    return ok_status();
  }
  fmt::print("bench cuda on {}: {} {} {} -> {}, zoom {}, order {}, blocks of {} ({} blocks)\n",
             cuda::describe(device), to_string(options.input_shape), dtype_name(options.dtype),
             pattern_name(options.pattern), to_string(output_shape),
             fmt::format("{}", fmt::join(options.zoom, ",")), int(options.interpolation),
             to_string(block_shape), blocks.count());
  fmt::print("{:<46} {:>9} {:>9} {:>22}\n", "method", "seconds", "GB/s", "speed vs");
  for (const Row& row : rows)
    fmt::print("{:<46} {:>9.4f} {:>9.2f} {:>22}\n", row.method, row.seconds,
               row.bytes / row.seconds / 1e9,
               row.versus.empty() ? std::string("-")
                                  : fmt::format("{:.0f}% of {}", 100 * row.ratio, row.versus));
  fmt::print(
      "streams busy at once: {} of {}; output identical to the CPU backend: {}\n"
      "'speed vs': the other row's time over this row's (100%: as fast). The end-to-end rows "
      "include copying each input box into page-locked memory and drop the output; best of {}.\n",
      overlapped.peak_busy, overlapped.streams, identical ? "yes" : "NO", options.repeats);
  if (!identical)
    return make_error(ErrorCode::kInternal, "the CUDA backend's output differs from the CPU's");
  return ok_status();
}

}  // namespace zoomflow::tools
