#include "zoomflow/kernels/resample_cpu.hpp"

#include <string>

#include "resample_linear.hpp"
#include "resample_nearest.hpp"

namespace zoomflow {
namespace {

Status check_arguments(const ResampleSpec& spec, const ConstArrayView& input,
                       const IndexVector& input_origin, const ArrayView& output,
                       const Box& output_box) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
  if (output.dtype() != input.dtype())
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("output dtype ") + std::string(dtype_name(output.dtype())) +
                          " differs from input dtype " + std::string(dtype_name(input.dtype())));
  if (input.rank() != spec.rank() || output.rank() != spec.rank() ||
      input_origin.rank() != spec.rank() || output_box.rank() != spec.rank())
    return make_error(ErrorCode::kInvalidArgument, "views, box and spec differ in rank");
  if (!(output.shape() == output_box.extent))
    return make_error(ErrorCode::kInvalidArgument,
                      "output view shape " + to_string(output.shape()) +
                          " differs from the output box " + to_string(output_box));
  if (!Box::from_shape(spec.output_shape).contains(output_box))
    return make_error(ErrorCode::kInvalidArgument, "output box " + to_string(output_box) +
                                                       " lies outside the output shape " +
                                                       to_string(spec.output_shape));
  const Box have{input_origin, input.shape()};
  const Box needed = required_input_box(spec, output_box);
  if (!have.contains(needed))
    return make_error(ErrorCode::kInvalidArgument,
                      "input box " + to_string(have) + " does not cover the needed box " +
                          to_string(needed) + " of output box " + to_string(output_box));
  return ok_status();
}

}  // namespace

Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box) {
  ZF_RETURN_IF_ERROR(check_arguments(spec, input, input_origin, output, output_box));
  if (output_box.empty()) return ok_status();
  visit_dtype(input.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (spec.interpolation == Interpolation::kNearest) {
      detail::NearestBoxKernel<T>(spec, input.as<T>(), input_origin, output.as<T>(), output_box)
          .run();
    } else {
      detail::LinearBoxKernel<T>(spec, input.as<T>(), input_origin, output.as<T>(), output_box)
          .run();
    }
  });
  return ok_status();
}

}  // namespace zoomflow
