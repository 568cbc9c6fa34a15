#include "zoomflow/kernels/zoom.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <optional>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "axis_plan.hpp"
#include "resample_separable.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"

namespace zoomflow {
namespace {

// Tiles are slabs of whole outer-axis planes, a few MiB each: large enough to amortise the
// per-box tables, small enough to balance across threads and keep scratch in cache.
constexpr Index kTileBytes = Index(4) << 20;

// The output cut into slabs along axis 0 of about kTileBytes each.
std::vector<Box> output_tiles(const ResampleSpec& spec, DType dtype) {
  const Index planes = spec.output_shape[0];
  const Index plane_bytes = num_elements(spec.output_shape) / planes * Index(dtype_size(dtype));
  const Index planes_per_tile =
      std::clamp<Index>(kTileBytes / std::max<Index>(plane_bytes, 1), 1, planes);
  std::vector<Box> tiles;
  for (Index first = 0; first < planes; first += planes_per_tile) {
    Box box = Box::from_shape(spec.output_shape);
    box.origin[0] = first;
    box.extent[0] = std::min(planes_per_tile, planes - first);
    tiles.push_back(box);
  }
  return tiles;
}

// Runs f(box, workspace) for every tile on the arena's threads; the first error wins.
template <class F>
Status for_each_tile(const std::vector<Box>& tiles, F&& f) {
  tbb::enumerable_thread_specific<Workspace> workspaces;
  std::once_flag first_error_flag;
  std::optional<Error> first_error;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, tiles.size()),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      Workspace& workspace = workspaces.local();
                      for (std::size_t t = r.begin(); t != r.end(); ++t) {
                        Status status = f(tiles[t], workspace);
                        if (!status.ok())
                          std::call_once(first_error_flag, [&] { first_error = status.error(); });
                      }
                    });
  if (first_error) return *first_error;
  return ok_status();
}

// Prefiltered orders: the coefficients of the whole input once (each pass over all threads),
// then the interpolation tile by tile from them. The coefficients have the bits every box would
// compute for itself, so this equals resample_box on any cut.
Status zoom_prefiltered(ConstArrayView input, ArrayView output, const ResampleSpec& spec) {
  const Box whole = Box::from_shape(spec.output_shape);
  const detail::BoxPlan plan = detail::plan_box(spec, whole, /*tables=*/true);
  if (plan.all_cval) {
    detail::fill_converted(output, spec.cval);
    return ok_status();
  }
  const detail::CoefficientRegion region = detail::coefficient_region(plan);
  ZF_ASSIGN_OR_RETURN(Volume coefficients, Volume::allocate(DType::kFloat64, region.extent));
  auto* values = reinterpret_cast<double*>(coefficients.bytes().data());
  {
    const detail::Prefilter prefilter(plan, spec.cval, input.subview(plan.input_box), values);
    tbb::enumerable_thread_specific<Workspace> workspaces;
    for (int pass = 0; pass < prefilter.passes(); ++pass) {
      tbb::parallel_for(tbb::blocked_range<Index>(0, prefilter.items(pass)),
                        [&](const tbb::blocked_range<Index>& r) {
                          prefilter.run(pass, r.begin(), r.end(), workspaces.local());
                        });
    }
  }
  const IndexVector strides = contiguous_strides(region.extent);
  return for_each_tile(
      output_tiles(spec, output.dtype()), [&](const Box& tile, Workspace& workspace) -> Status {
        const detail::BoxPlan tile_plan = detail::plan_box(spec, tile, /*tables=*/true);
        ArrayView tile_output = output.subview(tile);
        if (tile_plan.all_cval) {
          detail::fill_converted(tile_output, spec.cval);
          return ok_status();
        }
        detail::fill_outside(tile_output, tile, tile_plan.inner_box, spec.cval);
        Index offset = 0;
        Shape shape = IndexVector::filled(spec.rank(), 0);
        for (int a = 0; a < spec.rank(); ++a) {
          offset += (tile_plan.axes[a].coef_lo - region.lo[a]) * strides[a];
          shape[a] = tile_plan.axes[a].coef_count();
        }
        const ConstArrayView source(reinterpret_cast<const std::byte*>(values + offset),
                                    DType::kFloat64, shape, strides);
        Box inner = tile_plan.inner_box;
        for (int a = 0; a < spec.rank(); ++a) inner.origin[a] -= tile.origin[a];
        detail::interpolate(tile_plan, spec.cval, source, tile_output.subview(inner), workspace);
        return ok_status();
      });
}

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
  try {
    if (spec.prefiltered() && !spec.is_identity()) return zoom_prefiltered(input, output, spec);
    const IndexVector input_origin = IndexVector::filled(spec.rank(), 0);
    return for_each_tile(
        output_tiles(spec, output.dtype()), [&](const Box& box, Workspace& workspace) {
          return resample_box(spec, input, input_origin, output.subview(box), box, workspace);
        });
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory, "out of memory resampling " +
                                                   to_string(spec.input_shape) + " to " +
                                                   to_string(spec.output_shape));
  }
}

Result<Volume> zoom(ConstArrayView input, const ResampleSpec& spec) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
  ZF_ASSIGN_OR_RETURN(Volume output, Volume::allocate(input.dtype(), spec.output_shape));
  ZF_RETURN_IF_ERROR(zoom_into(input, output.view(), spec));
  return output;
}

Result<Volume> zoom(ConstArrayView input, std::span<const double> zoom_factors,
                    Interpolation interpolation, Grid grid, BoundaryMode mode, double cval,
                    bool prefilter) {
  ZF_ASSIGN_OR_RETURN(Shape output_shape, zoomed_shape(input.shape(), zoom_factors));
  return zoom(
      input, ResampleSpec{input.shape(), output_shape, interpolation, grid, mode, cval, prefilter});
}

}  // namespace zoomflow
