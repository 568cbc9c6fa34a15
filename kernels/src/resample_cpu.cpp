#include "zoomflow/kernels/resample_cpu.hpp"

#include <cfloat>
#include <cmath>
#include <new>
#include <string>

#include "axis_plan.hpp"
#include "resample_nearest.hpp"
#include "resample_separable.hpp"

namespace zoomflow {
namespace {

Status check_arguments(const ResampleSpec& spec, const ConstArrayView& input,
                       const IndexVector& input_origin, const ArrayView& output,
                       const Box& output_box) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
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

Box relative(Box box, const IndexVector& origin) {
  for (int a = 0; a < box.rank(); ++a) box.origin[a] -= origin[a];
  return box;
}

bool uses_nearest_kernel(const ResampleSpec& spec, DType input, DType output) {
  return spec.order() == 0 && input == output;
}

Status compute_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                   ArrayView output, const Box& output_box, Workspace& workspace) {
  if (output_box.empty()) return ok_status();
  const detail::BoxPlan plan = detail::plan_box(spec, output_box, /*tables=*/true);
  if (plan.identity) {
    detail::copy_converted(input.subview(relative(output_box, input_origin)), output);
    return ok_status();
  }
  if (plan.all_cval) {
    detail::fill_converted(output, spec.cval);
    return ok_status();
  }
  detail::fill_outside(output, output_box, plan.inner_box, spec.cval);
  const ConstArrayView samples = input.subview(relative(plan.input_box, input_origin));
  const ArrayView inner = output.subview(relative(plan.inner_box, output_box.origin));
  if (uses_nearest_kernel(spec, input.dtype(), output.dtype())) {
    visit_dtype(input.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      detail::NearestBoxKernel<T>(plan, samples.as<T>(), inner.as<T>()).run();
    });
    return ok_status();
  }
  detail::run_separable(plan, spec.cval, samples, inner, workspace);
  return ok_status();
}

}  // namespace

Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box, Workspace& workspace) {
  ZF_RETURN_IF_ERROR(check_arguments(spec, input, input_origin, output, output_box));
  try {
    return compute_box(spec, input, input_origin, output, output_box, workspace);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory,
                      "out of memory for the scratch of output box " + to_string(output_box) +
                          " (" + std::to_string(resample_scratch_bytes(spec, output_box)) +
                          " bytes)");
  }
}

Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box) {
  Workspace workspace;
  return resample_box(spec, input, input_origin, output, output_box, workspace);
}

std::size_t resample_scratch_bytes(const ResampleSpec& spec, const Box& output_box,
                                   DType input_dtype, DType output_dtype) {
  if (output_box.empty() || spec.is_identity() ||
      uses_nearest_kernel(spec, input_dtype, output_dtype))
    return 0;
  const detail::BoxPlan plan = detail::plan_box(spec, output_box, /*tables=*/false);
  if (plan.all_cval) return 0;
  return detail::separable_scratch_bytes(plan);
}

std::size_t resample_scratch_bytes(const ResampleSpec& spec, const Box& output_box) {
  return resample_scratch_bytes(spec, output_box, DType::kFloat64, DType::kFloat64);
}

bool resample_keeps_constant(const ResampleSpec& spec, const Box& output_box, double value) {
  if (output_box.empty()) return true;
  const detail::BoxPlan plan = detail::plan_box(spec, output_box, /*tables=*/false);
  if (plan.identity) {
    // A copy; a run's shortcut of orders 1-5 computes v + w (v - v), which makes -0.0 +0.0.
    return spec.order() == 0 || (std::isfinite(value) && !(value == 0.0 && std::signbit(value)));
  }
  if (plan.all_cval || plan.reads_cval) return false;
  if (spec.order() == 0) return true;
  if (!std::isfinite(value)) return false;
  for (int a = 0; a < plan.rank; ++a)
    if (plan.axes[a].prefilter == detail::PrefilterMethod::kRecursive) return false;
  // The prefilter doubles each sample: beyond half the largest double that overflows.
  return !plan.prefiltered || std::fabs(value) <= DBL_MAX / 2;
}

}  // namespace zoomflow
