#include "zoomflow/pipeline/resample.hpp"

#include "zoomflow/pipeline/builtin_steps.hpp"

namespace zoomflow {
namespace {

ChainStepPtr step_of(const ResampleRequest& request) {
  return resample_step({request.zoom, request.output_shape, request.interpolation, request.grid,
                        request.mode, request.cval, request.prefilter});
}

}  // namespace

Result<RunReport> resample_dataset(const ResampleRequest& request, const RunOptions& options) {
  if (!request.zoom.empty() && request.output_shape.rank() > 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape, not both");
  if (request.zoom.empty() && request.output_shape.rank() == 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape");
  ChainRequest chain;
  chain.input = request.input;
  chain.output = request.output;
  chain.steps = {step_of(request)};
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
