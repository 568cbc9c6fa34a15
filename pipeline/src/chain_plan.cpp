#include "zoomflow/pipeline/chain_plan.hpp"

#include <algorithm>

namespace zoomflow {

std::vector<Box> ChainPlan::boxes(const Box& output_box) const {
  std::vector<Box> result(steps.size() + 1);
  result.back() = output_box;
  for (std::size_t k = steps.size(); k-- > 0;)
    result[k] = steps[k]->input_box(result[k + 1], geometry[k]);
  return result;
}

std::size_t ChainPlan::compute_bytes(const Box& output_box) const {
  const std::vector<Box> b = boxes(output_box);
  std::size_t values = 0, scratch = 0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    values =
        std::max(values, std::size_t(b[k + 1].num_elements()) * dtype_size(value_types[k + 1]));
    scratch = std::max(scratch, steps[k]->scratch_bytes(b[k + 1], geometry[k]));
  }
  return std::size_t(b.front().num_elements()) * dtype_size(value_types.front()) + 2 * values +
         scratch;
}

namespace {

Result<std::vector<StepGeometry>> walk(const StepGeometry& input,
                                       const std::vector<ChainStepPtr>& steps) {
  std::vector<StepGeometry> geometry{input};
  for (const ChainStepPtr& step : steps) {
    ZF_ASSIGN_OR_RETURN(StepGeometry next, step->output(geometry.back()));
    geometry.push_back(next);
  }
  return geometry;
}

// Moves each pointwise step before the value-copying, volume-enlarging steps it follows, where
// the chain stays valid that way (same output geometry); the values are the same.
std::vector<ChainStepPtr> reorder(const StepGeometry& input, std::vector<ChainStepPtr> steps,
                                  std::vector<StepGeometry> geometry) {
  for (std::size_t k = 1; k < steps.size(); ++k) {
    if (!steps[k]->is_pointwise()) continue;
    for (std::size_t j = k; j > 0; --j) {
      const bool enlarges = num_elements(geometry[j].shape) > num_elements(geometry[j - 1].shape);
      if (!steps[j - 1]->copies_values() || !enlarges) break;
      std::vector<ChainStepPtr> moved = steps;
      std::swap(moved[j - 1], moved[j]);
      auto again = walk(input, moved);
      if (!again.ok() || !(again->back().shape == geometry.back().shape) ||
          again->back().dtype != geometry.back().dtype)
        break;
      steps = std::move(moved);
      geometry = std::move(*again);
    }
  }
  return steps;
}

}  // namespace

Result<ChainPlan> plan_chain(const StepGeometry& input, std::vector<ChainStepPtr> steps) {
  if (steps.empty()) return make_error(ErrorCode::kInvalidArgument, "the chain has no step");
  ChainPlan plan;
  for (const auto& step : steps) {
    if (!plan.description.empty()) plan.description += ' ';
    plan.description += step->describe();
  }
  ZF_ASSIGN_OR_RETURN(const std::vector<StepGeometry> given, walk(input, steps));
  steps = reorder(input, std::move(steps), given);
  ZF_ASSIGN_OR_RETURN(plan.geometry, walk(input, steps));
  plan.value_types.push_back(input.dtype);
  for (std::size_t k = 0; k < steps.size(); ++k)
    plan.value_types.push_back(steps[k]->value_type(plan.value_types.back()));
  const DType output = plan.geometry.back().dtype;
  const DType entering_last = plan.value_types[steps.size() - 1];
  if (plan.value_types.back() != output && steps.back()->writes_dtype(entering_last, output))
    plan.value_types.back() = output;
  plan.steps = std::move(steps);
  return plan;
}

}  // namespace zoomflow
