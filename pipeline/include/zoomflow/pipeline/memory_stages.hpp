// Stages that take blocks from, and put them into, arrays in memory: the resampling graph without
// files, for benchmarks and tests of the resample stages.
#pragma once

#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/pipeline/block_work.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"

namespace zoomflow {

// Copies each block's input box (as `plan` walks it back) out of `input` (the whole input) into
// a buffer from `pool`.
BlockStage read_memory_stage(const ChainPlan& plan, ConstArrayView input, BufferPool& pool);

// Copies each block's output into `output` (the whole output); blocks of the fill value (never
// computed) become zeros.
BlockStage write_memory_stage(ArrayView output);

}  // namespace zoomflow
