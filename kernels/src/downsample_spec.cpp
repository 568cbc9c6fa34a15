#include "zoomflow/kernels/downsample_spec.hpp"

#include <algorithm>
#include <string>

#include "zoomflow/kernels/resample_spec.hpp"  // kMaxAxisLength

namespace zoomflow {

Shape DownsampleSpec::output_shape() const {
  return downsampled_shape(input_shape, factors);
}

Index DownsampleSpec::block_elements() const {
  Index n = 1;
  for (int a = 0; a < rank(); ++a) n *= std::min(factors[a], input_shape[a]);
  return n;
}

Status DownsampleSpec::validate() const {
  if (input_shape.rank() < 1 || input_shape.rank() > kMaxRank)
    return make_error(ErrorCode::kInvalidArgument, "rank " + std::to_string(input_shape.rank()) +
                                                       " is not supported (1.." +
                                                       std::to_string(kMaxRank) + ")");
  if (factors.rank() != input_shape.rank())
    return make_error(ErrorCode::kInvalidArgument,
                      std::to_string(factors.rank()) +
                          " downsampling factors for an input of rank " +
                          std::to_string(input_shape.rank()));
  Index block = 1;
  for (int a = 0; a < rank(); ++a) {
    if (input_shape[a] < 1 || input_shape[a] >= kMaxAxisLength)
      return make_error(ErrorCode::kInvalidArgument, "axis " + std::to_string(a) + " length " +
                                                         std::to_string(input_shape[a]) +
                                                         " is out of range (1 .. 2^31-1)");
    if (factors[a] < 1 || factors[a] >= kMaxAxisLength)
      return make_error(ErrorCode::kInvalidArgument,
                        "downsampling factor " + std::to_string(factors[a]) + " on axis " +
                            std::to_string(a) + " must be an integer from 1 to 2^31-1");
    const Index used = std::min(factors[a], input_shape[a]);
    if (block > (Index(1) << 62) / used)
      return make_error(ErrorCode::kInvalidArgument, "downsampling factors " + to_string(factors) +
                                                         " make blocks of more than 2^62 voxels");
    block *= used;
  }
  if (reduce_method_name(method) == "unknown")
    return make_error(ErrorCode::kInvalidArgument, "unknown reduction method");
  return ok_status();
}

Status DownsampleSpec::validate_for(DType dtype) const {
  ZF_RETURN_IF_ERROR(validate());
  if (dtype_name(dtype) == "unknown")
    return make_error(ErrorCode::kInvalidArgument, "unknown element type");
  return ok_status();
}

Shape downsampled_shape(const Shape& input_shape, const Shape& factors) {
  Shape out;
  for (int a = 0; a < input_shape.rank(); ++a)
    out.push_back((input_shape[a] + factors[a] - 1) / factors[a]);
  return out;
}

Box downsample_input_box(const DownsampleSpec& spec, const Box& output_box) {
  Box input{IndexVector::filled(spec.rank(), 0), IndexVector::filled(spec.rank(), 0)};
  if (output_box.empty()) return input;
  for (int a = 0; a < spec.rank(); ++a) {
    const Index begin = std::min(output_box.origin[a] * spec.factors[a], spec.input_shape[a]);
    const Index end = std::min(output_box.end(a) * spec.factors[a], spec.input_shape[a]);
    input.origin[a] = begin;
    input.extent[a] = std::max<Index>(end - begin, 0);
  }
  return input;
}

}  // namespace zoomflow
