// One step of a processing chain (resample, clip, scale, cast, threshold, gaussian, or a user's
// own): it maps the values of an input box to those of an output box and may change the dtype
// and the shape. A step computes in the type its values need: nearest resampling, clip (to
// integer bounds), threshold and cast work on integers in their own type, so 64-bit values keep
// every bit; linear resampling, scale and gaussian compute in float64. The dtype of the geometry
// says what the values may hold; the final conversion into the output's dtype rounds half away
// from zero and saturates, as `cast` does.
//
// A step is shared by every thread of a run: apply() is called concurrently, for different
// boxes, and must not modify the step. Scratch comes from the context's Workspace, owned by the
// run (counted against --memory-limit through scratch_bytes, freed at the end).
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
#include "zoomflow/kernels/scalar.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/workspace.hpp"
#include "zoomflow/pipeline/cancel_token.hpp"

namespace zoomflow {

// The volume a step reads or writes: its shape and the dtype its values are held to.
struct StepGeometry {
  Shape shape;
  DType dtype = DType::kFloat64;
};

// What apply() may use besides its input: scratch, and the run's cancellation (long steps poll
// it and return cancel.error()).
struct StepContext {
  Workspace& workspace;
  const CancelToken& cancel;
};

class ChainStep {
 public:
  virtual ~ChainStep() = default;
  // As written on the command line, e.g. "clip:lo=0,hi=1000".
  virtual std::string describe() const = 0;
  // The volume after this step; an error (naming the step) when it cannot apply to `input`.
  virtual Result<StepGeometry> output(const StepGeometry& input) const = 0;
  // The input box whose values the output box depends on (halo included, inside the volume).
  // Separable: axis a of the result depends on axis a of output_box only.
  virtual Box input_box(const Box& output_box, const StepGeometry& input) const = 0;
  // The element type of the step's output values when its input values are of type `values`.
  virtual DType value_type(DType values) const = 0;
  // True when apply() can write `dtype` directly, rounded and saturated as the final conversion
  // would (saving a pass when the step is the last); value_type(values) always can.
  virtual bool writes_dtype(DType values, DType dtype) const { return value_type(values) == dtype; }
  // Bytes apply() takes from the workspace for one output box.
  virtual std::size_t scratch_bytes(const Box& output_box, const StepGeometry& input) const {
    (void)output_box;
    (void)input;
    return 0;
  }
  // Output values over output_box from input values over input_box (both contiguous, C order);
  // in.dtype() is the previous step's value type, out.dtype() this step's value type (or a dtype
  // writes_dtype() accepted).
  virtual Status apply(const StepGeometry& input, const Box& input_box, ConstArrayView in,
                       const Box& output_box, ArrayView out, StepContext& context) const = 0;
  // Each output value depends on the input value at the same position alone, through the same
  // function everywhere (clip, scale, cast, threshold, a user's per-voxel step).
  virtual bool is_pointwise() const { return false; }
  // Every output value is a copy of some input value (nearest resampling): a pointwise step
  // after this one gives the same values before it, where there may be fewer voxels.
  virtual bool copies_values() const { return false; }
  // The value every voxel of output_box takes when every voxel its input box reads is `value`,
  // computed with the step's own arithmetic (so the shortcut writes the bytes apply() would);
  // nullopt when the step cannot promise one value.
  virtual std::optional<Scalar> constant_output(const Scalar& value, const StepGeometry& input,
                                                const Box& output_box) const {
    (void)value;
    (void)input;
    (void)output_box;
    return std::nullopt;
  }
};

using ChainStepPtr = std::shared_ptr<const ChainStep>;

// A user's per-voxel step: `function` maps each value (in float64); the dtype is kept unless
// given. Called concurrently.
ChainStepPtr pointwise_step(std::string name, std::function<double(double)> function,
                            std::optional<DType> output_dtype = std::nullopt);

// A user's per-block step: `function` computes the output box's values from the input box's,
// which is the output box grown by `halo` voxels per axis (one value, or one per axis) and
// clipped to the volume (so a median filter or a connected-components pass sees its
// neighbourhood). Values are float64, contiguous, C order; the shape and dtype are kept unless a
// dtype is given. Called concurrently for different boxes, each call on one thread: it may use
// TBB algorithms inside (the run isolates it).
using BlockFunction = std::function<Status(ConstArrayView input, const Box& input_box,
                                           ArrayView output, const Box& output_box)>;
ChainStepPtr block_step(std::string name, std::vector<Index> halo, BlockFunction function,
                        std::optional<DType> output_dtype = std::nullopt);

}  // namespace zoomflow
