#include "zoomflow/kernels/resample_spec.hpp"

#include <cfenv>
#include <cmath>
#include <string>

#include "axis_plan.hpp"

namespace zoomflow {

Status ResampleSpec::validate() const {
  if (input_shape.rank() < 1 || input_shape.rank() > kMaxRank)
    return make_error(ErrorCode::kInvalidArgument, "rank " + std::to_string(input_shape.rank()) +
                                                       " is not supported (1.." +
                                                       std::to_string(kMaxRank) + ")");
  if (output_shape.rank() != input_shape.rank())
    return make_error(ErrorCode::kInvalidArgument,
                      "output shape " + to_string(output_shape) + " has rank " +
                          std::to_string(output_shape.rank()) + " but the input has rank " +
                          std::to_string(input_shape.rank()));
  for (int a = 0; a < rank(); ++a) {
    for (Index length : {input_shape[a], output_shape[a]}) {
      if (length < 1 || length >= kMaxAxisLength)
        return make_error(ErrorCode::kInvalidArgument, "axis " + std::to_string(a) + " length " +
                                                           std::to_string(length) +
                                                           " is out of range (1 .. 2^31-1)");
    }
  }
  Index total = 1;
  for (Index e : output_shape) {
    if (total > kMaxOutputElements / e)
      return make_error(ErrorCode::kInvalidArgument,
                        "output shape " + to_string(output_shape) + " has more than 2^50 voxels");
    total *= e;
  }
  if (order() < 0 || order() > kMaxSplineOrder)
    return make_error(ErrorCode::kInvalidArgument,
                      "order " + std::to_string(order()) + " is not supported (0 to 5)");
  if (boundary_mode_name(mode) == "unknown")
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown boundary mode; use one of " + boundary_mode_names());
  return ok_status();
}

bool ResampleSpec::is_identity() const {
  return prefilter && input_shape == output_shape;
}

Status ResampleSpec::validate_for(DType dtype) const {
  ZF_RETURN_IF_ERROR(validate());
  if (dtype == DType::kBool && interpolation != Interpolation::kNearest)
    return make_error(ErrorCode::kInvalidArgument,
                      "bool data takes order 0 (nearest) only, not order " +
                          std::to_string(order()) + "; use --order 0");
  return ok_status();
}

Result<Shape> zoomed_shape(const Shape& input_shape, std::span<const double> zoom) {
  if (zoom.size() != std::size_t(input_shape.rank()))
    return make_error(ErrorCode::kInvalidArgument, "zoom has " + std::to_string(zoom.size()) +
                                                       " factors but the input has rank " +
                                                       std::to_string(input_shape.rank()));
  Shape output;
  for (int a = 0; a < input_shape.rank(); ++a) {
    const double factor = zoom[std::size_t(a)];
    if (!(factor > 0.0) || !std::isfinite(factor))
      return make_error(ErrorCode::kInvalidArgument, "zoom factor " + std::to_string(factor) +
                                                         " on axis " + std::to_string(a) +
                                                         " must be a positive finite number");
    const double product = double(input_shape[a]) * factor;
    if (product >= double(kMaxAxisLength))
      return make_error(ErrorCode::kInvalidArgument, "zoom " + std::to_string(factor) +
                                                         " makes axis " + std::to_string(a) +
                                                         " longer than 2^31-1");
    // Python's round(): half to even, which nearbyint does in the default rounding mode.
    output.push_back(std::max<Index>(1, Index(std::nearbyint(product))));
  }
  return output;
}

Box required_input_box(const ResampleSpec& spec, const Box& output_box) {
  if (output_box.empty())
    return {IndexVector::filled(spec.rank(), 0), IndexVector::filled(spec.rank(), 0)};
  return detail::plan_box(spec, output_box, /*tables=*/false).input_box;
}

}  // namespace zoomflow
