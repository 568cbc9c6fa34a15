// Running a chain of steps over a dataset in one streaming pass: each output block's input box
// is found by walking the chain backwards, read once, and pushed through every step in memory.
#pragma once

#include <vector>

#include "zoomflow/pipeline/chain_step.hpp"
#include "zoomflow/pipeline/resample.hpp"

namespace zoomflow {

struct ChainRequest {
  storage::DatasetPath input;
  storage::DatasetPath output;
  std::vector<ChainStepPtr> steps;
  Shape chunk_shape;  // empty: 64 per axis
  storage::CompressionSpec compression;
  bool overwrite = false;
  storage::StorageFormat format = storage::StorageFormat::kAuto;  // kAuto: from the suffix
  Shape shard_shape;  // Zarr v3: voxels per shard; empty: unsharded
};

// The volume before the first step and after each step; an error names the failing step.
Result<std::vector<StepGeometry>> chain_geometry(const StepGeometry& input,
                                                 const std::vector<ChainStepPtr>& steps);

// The boxes a block needs, from the input's (front) to the output block (back).
std::vector<Box> chain_boxes(const std::vector<ChainStepPtr>& steps,
                             const std::vector<StepGeometry>& geometry, const Box& output_box);

// Validates the chain against the input, creates the output under a temporary name, runs, and
// commits. The output's dtype is the input's unless a cast or threshold step sets it.
Result<ResampleReport> run_chain(const ChainRequest& request, const ResampleOptions& options);

}  // namespace zoomflow
