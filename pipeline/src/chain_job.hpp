// The parts of run_chain that a job of several attempts or ranks puts together (internal to
// pipeline/): preparing a chain's output, and running a share of its blocks with hooks that
// record each finished block. chain_job.cpp assembles them into run_chain(request, options):
// one process or an MPI job, fresh or resumed.
#pragma once

#include <functional>
#include <memory>

#include "zoomflow/pipeline/block_selection.hpp"
#include "zoomflow/pipeline/block_work.hpp"
#include "zoomflow/pipeline/chain.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"

namespace zoomflow::detail {

// The input opened, the chain planned against it, the output's options filled in (shape, dtype,
// chunks, attributes copied from the input, provenance). Held by pointer: the options point at
// the input.
struct PreparedChain {
  storage::InputDataset source;
  ChainPlan plan;
  storage::OutputOptions output;
};
Result<std::unique_ptr<PreparedChain>> prepare_chain(const ChainRequest& request,
                                                     const RunOptions& options);

struct BlockHooks {
  Shape block_shape;  // blocks of this shape (every rank's the same); empty: planned by the run
  BlockSelection selection;             // this process's share of the blocks
  std::function<bool(Index)> skip;      // blocks already complete
  std::int64_t blocks_done_before = 0;  // progress starts from there
  // After a block's units are written, serially: record it (by its number in the grid).
  std::function<Status(Index block, const BlockWork& work)> record;
  // Before progress is reported: add what other ranks did.
  std::function<void(Progress& progress)> add_progress;
};

// run_chain(source, sink, steps, options) over the share of the blocks `hooks` gives.
Result<RunReport> run_chain_blocks(const storage::InputDataset& source,
                                   storage::OutputDataset& sink,
                                   const std::vector<ChainStepPtr>& steps,
                                   const RunOptions& options, const BlockHooks& hooks);

}  // namespace zoomflow::detail
