#include "zoomflow/pipeline/resample.hpp"

#include <cmath>
#include <string>

#include <fmt/core.h>

#include "zoomflow/pipeline/builtin_steps.hpp"

namespace zoomflow {
namespace {

Result<ChainStepPtr> step_of(const ResampleRequest& request) {
  if (!request.method)
    return resample_step({request.zoom, request.output_shape, request.interpolation, request.grid,
                          request.mode, request.cval, request.prefilter, request.antialias});
  const std::string method(reduce_method_name(*request.method));
  if (request.output_shape.rank() > 0)
    return make_error(ErrorCode::kInvalidArgument,
                      "--method " + method +
                          " reduces by integer factors, not to a shape: give --factors A,B,C "
                          "(or --zoom 1/N), or --method interpolate for --shape");
  if (request.antialias)
    return make_error(ErrorCode::kInvalidArgument,
                      "--antialias smooths before an interpolation; --method " + method +
                          " reduces whole blocks and needs none");
  if (!request.zoom.empty() && !request.factors.empty())
    return make_error(ErrorCode::kInvalidArgument, "give --factors or --zoom, not both");
  std::vector<Index> factors = request.factors;
  if (factors.empty()) {
    if (request.zoom.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "--method " + method + " needs --factors A,B,C (or --zoom 1/N)");
    ZF_ASSIGN_OR_RETURN(factors, factors_from_zoom(request.zoom));
  }
  for (Index f : factors)
    if (f < 1) return make_error(ErrorCode::kInvalidArgument, "--factors must be integers from 1");
  return downsample_step(std::move(factors), *request.method);
}

}  // namespace

Result<std::vector<Index>> factors_from_zoom(const std::vector<double>& zoom) {
  std::vector<Index> factors;
  for (double z : zoom) {
    const double inverse = 1.0 / z;
    const double f = std::round(inverse);
    // 1/3 typed as 0.3333333333333333 is 3 within rounding; 0.4 (2.5) is no integer factor.
    if (!(z > 0) || !(f >= 1) || std::abs(inverse - f) > 1e-9 * f) {
      if (!(z < 1))
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("--zoom {}: a reduction only shrinks; give --factors "
                                      "(integers from 1) or --zoom 1/N, or --method interpolate "
                                      "to enlarge",
                                      z));
      const double lower = std::floor(inverse), upper = lower + 1;
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("--zoom {}: 1/{} = {} is not an integer, and a reduction is by "
                                    "whole factors; give --factors {} or {} (--zoom {} or {}), or "
                                    "--method interpolate for any zoom",
                                    z, z, inverse, lower, upper, 1.0 / lower, 1.0 / upper));
    }
    factors.push_back(Index(f));
  }
  return factors;
}

Result<RunReport> resample_dataset(const ResampleRequest& request, const RunOptions& options) {
  if (!request.zoom.empty() && request.output_shape.rank() > 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape, not both");
  if (!request.method && !request.factors.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "--factors goes with --method mean, mode, median, min, max or stride; to "
                      "interpolate, give --zoom or --shape");
  if (!request.method && request.zoom.empty() && request.output_shape.rank() == 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape");
  ChainRequest chain;
  chain.input = request.input;
  chain.output = request.output;
  ZF_ASSIGN_OR_RETURN(ChainStepPtr step, step_of(request));
  chain.steps = {std::move(step)};
  chain.chunk_shape = request.chunk_shape;
  chain.compression = request.compression;
  chain.overwrite = request.overwrite;
  chain.format = request.format;
  chain.shard_shape = request.shard_shape;
  chain.resume = request.resume;
  return run_chain(chain, options);
}

Result<RunReport> resample(const storage::InputDataset& source, storage::OutputDataset& sink,
                           const ResampleSpec& spec, const RunOptions& options) {
  ZF_RETURN_IF_ERROR(spec.validate_for(source.info().dtype));
  if (!(source.info().shape == spec.input_shape))
    return make_error(ErrorCode::kInvalidArgument, "input shape " + to_string(source.info().shape) +
                                                       " differs from the spec's " +
                                                       to_string(spec.input_shape));
  return run_chain(source, sink,
                   {resample_step({{}, spec.output_shape, spec.interpolation, spec.grid})},
                   options);
}

}  // namespace zoomflow
