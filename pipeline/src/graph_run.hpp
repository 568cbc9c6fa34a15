// Running a plan through stages with progress, cancellation and the report's counters, shared
// by resample and chain runs (internal to pipeline/).
#pragma once

#include <chrono>
#include <vector>

#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/resample.hpp"

namespace zoomflow::detail {

int resolve_threads(int requested);

// Fills report.bytes_written and report.constant_blocks; runs in an arena of options.threads.
Status run_with_progress(const BlockPlan& plan, const std::vector<BlockStage>& stages,
                         BufferPool& pool, DType output_dtype, const ResampleOptions& options,
                         std::chrono::steady_clock::time_point start, ResampleReport& report);

}  // namespace zoomflow::detail
