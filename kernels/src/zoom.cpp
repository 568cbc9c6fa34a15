#include "zoomflow/kernels/zoom.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "zoomflow/kernels/resample_cpu.hpp"

namespace zoomflow {
namespace {

// Tiles are slabs of whole outer-axis planes, a few MiB each: large enough to amortise the
// per-box tables, small enough to balance across threads and keep order-1 scratch in cache.
constexpr Index kTileBytes = Index(4) << 20;

}  // namespace

Status zoom_into(ConstArrayView input, ArrayView output, const ResampleSpec& spec) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
  if (!(input.shape() == spec.input_shape))
    return make_error(ErrorCode::kInvalidArgument, "input shape " + to_string(input.shape()) +
                                                       " differs from the spec's " +
                                                       to_string(spec.input_shape));
  if (!(output.shape() == spec.output_shape))
    return make_error(ErrorCode::kInvalidArgument, "output shape " + to_string(output.shape()) +
                                                       " differs from the spec's " +
                                                       to_string(spec.output_shape));
  const Index planes = spec.output_shape[0];
  const Index plane_bytes =
      num_elements(spec.output_shape) / planes * Index(dtype_size(input.dtype()));
  const Index planes_per_tile =
      std::clamp<Index>(kTileBytes / std::max<Index>(plane_bytes, 1), 1, planes);
  const Index tiles = (planes + planes_per_tile - 1) / planes_per_tile;
  const IndexVector input_origin = IndexVector::filled(spec.rank(), 0);

  std::once_flag first_error_flag;
  std::optional<Error> first_error;
  tbb::parallel_for(tbb::blocked_range<Index>(0, tiles), [&](const tbb::blocked_range<Index>& r) {
    for (Index tile = r.begin(); tile != r.end(); ++tile) {
      Box box = Box::from_shape(spec.output_shape);
      box.origin[0] = tile * planes_per_tile;
      box.extent[0] = std::min(planes_per_tile, planes - box.origin[0]);
      Status status = resample_box(spec, input, input_origin, output.subview(box), box);
      if (!status.ok()) std::call_once(first_error_flag, [&] { first_error = status.error(); });
    }
  });
  if (first_error) return *first_error;
  return ok_status();
}

Result<Volume> zoom(ConstArrayView input, const ResampleSpec& spec) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
  ZF_ASSIGN_OR_RETURN(Volume output, Volume::allocate(input.dtype(), spec.output_shape));
  ZF_RETURN_IF_ERROR(zoom_into(input, output.view(), spec));
  return output;
}

Result<Volume> zoom(ConstArrayView input, std::span<const double> zoom_factors,
                    Interpolation interpolation, Grid grid) {
  ZF_ASSIGN_OR_RETURN(Shape output_shape, zoomed_shape(input.shape(), zoom_factors));
  return zoom(input, ResampleSpec{input.shape(), output_shape, interpolation, grid});
}

}  // namespace zoomflow
