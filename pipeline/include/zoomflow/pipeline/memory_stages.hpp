// Stages that take blocks from, and put them into, arrays in memory: the resampling graph without
// files, for benchmarks and tests of the resample stages.
#pragma once

#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/pipeline/block_stage.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"

namespace zoomflow {

// Copies each block's input box out of `input` (the whole input) into a buffer from `pool`.
BlockStage read_memory_stage(ConstArrayView input, BufferPool& pool);

// Copies each block's output into `output` (the whole output); blocks of the fill value (never
// computed) become zeros.
BlockStage write_memory_stage(ArrayView output);

}  // namespace zoomflow
