// One step of a processing chain (resample, clip, scale, cast, threshold, gaussian, or a user's
// own): it maps the values of an input box to those of an output box and may change the dtype
// and the shape. Values flow between steps as doubles; a dtype only says what they may hold.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

// The volume a step reads or writes: its shape and the dtype its values are held to.
struct StepGeometry {
  Shape shape;
  DType dtype = DType::kFloat64;
};

class ChainStep {
 public:
  virtual ~ChainStep() = default;
  // As written on the command line, e.g. "clip:lo=0,hi=1000".
  virtual std::string describe() const = 0;
  // The volume after this step; an error (naming the step) when it cannot apply to `input`.
  virtual Result<StepGeometry> output(const StepGeometry& input) const = 0;
  // The input box whose values the output box depends on (halo included, inside the volume).
  virtual Box input_box(const Box& output_box, const StepGeometry& input) const = 0;
  // Output values over output_box (C order) from input values over input_box (C order).
  virtual Status apply(const StepGeometry& input, const Box& input_box,
                       std::span<const double> input_values, const Box& output_box,
                       std::span<double> output_values) const = 0;
};

using ChainStepPtr = std::shared_ptr<const ChainStep>;

// A user's per-voxel step: `function` maps each value; the dtype is kept unless given.
ChainStepPtr pointwise_step(std::string name, std::function<double(double)> function,
                            std::optional<DType> output_dtype = std::nullopt);

}  // namespace zoomflow
