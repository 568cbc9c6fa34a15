#include "zoomflow/kernels/zoom.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <optional>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

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

// Coefficient planes (along axis 0) computed per step of the streamed prefilter.
constexpr Index kPlanesPerStep = 32;

// Prefiltered orders, streamed along axis 0 so that only a window of planes is held in double
// (scipy holds the whole array): each input plane is filtered along axes 1.. once (planes are
// independent there), kept while later steps need it; a step filters its coefficient planes
// along axis 0 from those, then interpolates the output planes that read them. Every value is
// computed with the arithmetic a box of resample_box uses, so the bytes equal any cut's.
Status zoom_prefiltered(ConstArrayView input, ArrayView output, const ResampleSpec& spec) {
  const int rank = spec.rank();
  const Box whole = Box::from_shape(spec.output_shape);
  tbb::enumerable_thread_specific<Workspace> workspaces;
  if (rank == 1) {
    const IndexVector origin = IndexVector::filled(1, 0);
    return resample_box(spec, input, origin, output, whole, workspaces.local());
  }
  const detail::BoxPlan plan = detail::plan_box(spec, whole, /*tables=*/true);
  if (plan.all_cval) {
    detail::fill_converted(output, spec.cval);
    return ok_status();
  }
  // Axes 1.. of every step are the whole output's: one plan of a plane serves every plane.
  detail::BoxPlan plane = plan;
  plane.rank = rank - 1;
  for (int a = 1; a < rank; ++a) plane.axes[a - 1] = plan.axes[a];
  Shape plane_coefficients = IndexVector::filled(rank - 1, 0);
  Shape plane_inputs = IndexVector::filled(rank - 1, 0);
  IndexVector plane_strides = IndexVector::filled(rank - 1, 0);
  Index plane_offset = 0;
  for (int a = 1; a < rank; ++a) {
    plane_coefficients[a - 1] = plan.axes[a].coef_count();
    plane_inputs[a - 1] = plan.axes[a].input_count();
    plane_strides[a - 1] = input.strides()[a];
    plane_offset += plan.axes[a].input_lo * input.strides()[a];
  }
  const Index plane_size = num_elements(plane_coefficients);
  const std::size_t element = dtype_size(input.dtype());

  // The steps: runs of output planes reading about kPlanesPerStep coefficient planes.
  const Index m0 = spec.output_shape[0], n0 = spec.input_shape[0];
  const Index step_planes = std::max<Index>(1, kPlanesPerStep * m0 / n0);
  std::vector<Box> steps;
  Index window = 0, step_coefficients = 0;  // the most input and coefficient planes of a step
  for (Index first = 0; first < m0; first += step_planes) {
    Box box = whole;
    box.origin[0] = first;
    box.extent[0] = std::min(step_planes, m0 - first);
    const detail::AxisPlan axis = detail::plan_axis(spec, 0, first, box.end(0), false);
    window = std::max(window, axis.input_count());
    step_coefficients = std::max(step_coefficients, axis.coef_count());
    steps.push_back(box);
  }
  // Filtered input planes: plane p in slot p % window while it is held.
  ZF_ASSIGN_OR_RETURN(Volume held, Volume::allocate(DType::kFloat64, Shape{window, plane_size}));
  ZF_ASSIGN_OR_RETURN(Volume coefficients,
                      Volume::allocate(DType::kFloat64, Shape{step_coefficients, plane_size}));
  auto* held_planes = reinterpret_cast<double*>(held.bytes().data());
  auto* step_values = reinterpret_cast<double*>(coefficients.bytes().data());
  auto held_plane = [&](Index p) { return held_planes + (p % window) * plane_size; };
  Index held_lo = 0, held_hi = 0;  // planes [held_lo, held_hi) are held
  const double sample_cval = detail::cval_as_sample(spec.cval, input.dtype());
  const Index panel = detail::prefilter_panel_width();
  const int threads = tbb::this_task_arena::max_concurrency();

  for (const Box& step : steps) {
    const detail::BoxPlan step_plan = detail::plan_box(spec, step, /*tables=*/true);
    if (step_plan.all_cval) {
      detail::fill_converted(output.subview(step), spec.cval);
      continue;
    }
    const detail::AxisPlan& axis = step_plan.axes[0];
    // Hold the input planes this step reads, filtering the new ones along axes 1.. .
    // (The span only moves forward; were it to jump, start afresh.)
    if (axis.input_lo < held_lo || axis.input_lo >= held_hi) held_hi = axis.input_lo;
    held_lo = axis.input_lo;
    const Index first_new = std::max(held_hi, axis.input_lo);
    tbb::parallel_for(first_new, axis.input_hi, [&](Index p) {
      const ConstArrayView source(
          input.data() + (p * input.strides()[0] + plane_offset) * Index(element), input.dtype(),
          plane_inputs, plane_strides);
      detail::prefilter_box(plane, spec.cval, source, held_plane(p), workspaces.local());
    });
    held_hi = std::max(held_hi, axis.input_hi);
    // The step's coefficient planes, filtered along axis 0 from the held planes.
    std::vector<const double*> rows(std::size_t(axis.input_count()));
    std::vector<double*> out_rows(std::size_t(axis.coef_count()));
    for (Index j = 0; j < axis.input_count(); ++j)
      rows[std::size_t(j)] = held_plane(axis.input_lo + j);
    for (Index k = 0; k < axis.coef_count(); ++k)
      out_rows[std::size_t(k)] = step_values + k * plane_size;
    tbb::parallel_for(Index(0), (plane_size + panel - 1) / panel, [&](Index chunk) {
      const Index lane0 = chunk * panel;
      detail::prefilter_panel(axis, sample_cval, rows.data(), lane0,
                              std::min(panel, plane_size - lane0), out_rows.data(),
                              workspaces.local());
    });
    // The step's output planes, in pieces over the threads, from its coefficient planes.
    const Index pieces = std::min<Index>(step.extent[0], 4 * Index(threads));
    tbb::parallel_for(Index(0), pieces, [&](Index piece) {
      Box box = step;
      box.origin[0] = step.origin[0] + piece * step.extent[0] / pieces;
      box.extent[0] = step.origin[0] + (piece + 1) * step.extent[0] / pieces - box.origin[0];
      if (box.extent[0] == 0) return;
      const detail::BoxPlan piece_plan = detail::plan_box(spec, box, /*tables=*/true);
      ArrayView piece_output = output.subview(box);
      if (piece_plan.all_cval) {
        detail::fill_converted(piece_output, spec.cval);
        return;
      }
      detail::fill_outside(piece_output, box, piece_plan.inner_box, spec.cval);
      Shape shape = IndexVector::filled(rank, 0);
      IndexVector strides = IndexVector::filled(rank, 0);
      shape[0] = piece_plan.axes[0].coef_count();
      strides[0] = plane_size;
      const IndexVector inner_strides = contiguous_strides(plane_coefficients);
      for (int a = 1; a < rank; ++a) {
        shape[a] = plane_coefficients[a - 1];
        strides[a] = inner_strides[a - 1];
      }
      const double* base = step_values + (piece_plan.axes[0].coef_lo - axis.coef_lo) * plane_size;
      const ConstArrayView source(reinterpret_cast<const std::byte*>(base), DType::kFloat64, shape,
                                  strides);
      Box inner = piece_plan.inner_box;
      for (int a = 0; a < rank; ++a) inner.origin[a] -= box.origin[a];
      detail::interpolate(piece_plan, spec.cval, source, piece_output.subview(inner),
                          workspaces.local());
    });
  }
  return ok_status();
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
