// The TBB flow graph that streams planned blocks through a chain of stages.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/block_plan.hpp"
#include "zoomflow/pipeline/block_stage.hpp"

namespace zoomflow {

struct BlockGraphOptions {
  std::size_t max_blocks_in_flight = 4;  // the memory bound
  const std::atomic<bool>* cancel = nullptr;
  // Called (serially) when a block has passed every stage, before its buffers are reused.
  std::function<void(const BlockWork&)> on_block_done;
  // Gives a finished block's buffers back for reuse.
  BufferPool* pool = nullptr;
};

// Runs every block of `plan` through `stages` in order, at most max_blocks_in_flight at once,
// in the calling task arena. The first failing stage cancels the graph; its error comes back
// naming the stage and the block.
Status run_block_graph(const BlockPlan& plan, const std::vector<BlockStage>& stages,
                       const BlockGraphOptions& options);

}  // namespace zoomflow
