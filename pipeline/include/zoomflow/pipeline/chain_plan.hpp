// Planning a chain of steps over an output: the volume between steps, the type each step's
// values are held in, the boxes an output box needs (walking the chain backwards: resampling
// maps boxes through its coordinate map, halos widen them, pointwise steps keep them), and what
// computing a box costs in memory. The planner is what makes a chain stream: each output block
// reads its input box once and runs every step in memory.
//
//   ChainPlan plan = plan_chain({shape, DType::kUInt16}, steps).value();
//   std::vector<Box> boxes = plan.boxes(output_block);   // boxes.front(): what to read
#pragma once

#include <cstddef>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/chain_step.hpp"

namespace zoomflow {

struct ChainPlan {
  // The steps as they run: a pointwise step that follows a value-copying step which enlarges
  // the volume (nearest upsampling) runs before it, on fewer voxels, with the same result.
  std::vector<ChainStepPtr> steps;
  // The volume before the first step (front) and after each step (back: the output).
  std::vector<StepGeometry> geometry;
  // The element type of the values entering step k (front: the input's dtype) and of what the
  // last step writes (back). The last step writes the output's dtype directly where it can;
  // otherwise the final conversion (round half away from zero, saturate) follows it.
  std::vector<DType> value_types;

  const StepGeometry& input() const { return geometry.front(); }
  const StepGeometry& output() const { return geometry.back(); }
  // The last step writes the output's dtype itself: no final conversion.
  bool writes_output_directly() const { return value_types.back() == output().dtype; }

  // The box before each step (front: what to read) and the output box (back).
  std::vector<Box> boxes(const Box& output_box) const;
  // The bytes one thread holds to compute `output_box`: its input, the values between steps
  // (two buffers, reused) and the steps' scratch.
  std::size_t compute_bytes(const Box& output_box) const;
  // The chain as given: "resample:zoom=2,order=1,grid=centers clip:lo=0,hi=1000".
  std::string description;
  const std::string& describe() const { return description; }
};

// Checks the chain against the input (an error names the failing step) and chooses the value
// types: the output's dtype is the input's unless a cast or threshold sets it.
Result<ChainPlan> plan_chain(const StepGeometry& input, std::vector<ChainStepPtr> steps);

}  // namespace zoomflow
