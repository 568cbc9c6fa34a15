#include "graph_run.hpp"

#include <tbb/info.h>
#include <tbb/task_arena.h>

namespace zoomflow::detail {

int resolve_threads(int requested) {
  return requested > 0 ? requested : tbb::info::default_concurrency();
}

Status run_with_progress(const BlockPlan& plan, const std::vector<BlockStage>& stages,
                         BufferPool& pool, DType output_dtype, const ResampleOptions& options,
                         std::chrono::steady_clock::time_point start, ResampleReport& report) {
  Progress progress;
  progress.blocks_total = std::int64_t(plan.blocks.size());
  progress.output_bytes_total = report.output_bytes;
  BlockGraphOptions graph_options;
  graph_options.max_blocks_in_flight = report.blocks_in_flight;
  graph_options.cancel = options.cancel;
  graph_options.pool = &pool;
  graph_options.on_block_done = [&](const BlockWork& work) {
    ++progress.blocks_done;
    if (work.constant) ++report.constant_blocks;
    progress.output_bytes_done +=
        std::uint64_t(work.block.output_box.num_elements()) * dtype_size(output_dtype);
    for (const auto& chunk : work.chunks) progress.bytes_written += chunk.bytes.size();
    progress.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.progress) options.progress(progress);
  };
  Status status;
  tbb::task_arena arena(resolve_threads(options.threads));
  arena.execute([&] { status = run_block_graph(plan, stages, graph_options); });
  report.bytes_written = progress.bytes_written;
  return status;
}

}  // namespace zoomflow::detail
