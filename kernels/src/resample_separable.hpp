// The separable resampling kernel of orders 1 to 5 (and order 0 into another dtype), internal to
// kernels/. Two phases, each one pass per axis in a fixed order:
//
//   prefilter (prefiltered orders only): samples -> spline coefficients, along the last axis
//     first, then outwards; each coefficient is a fixed function of its samples (the truncated
//     filter, or scipy's recursion over a whole short line), so it has the same bits whatever box
//     computes it;
//   interpolation: coefficients -> outputs, along the last axis first, then outwards, each output
//     c0 + sum_t w_t (c_t - c0) over its taps (order 1: v0 + w (v1 - v0)), scipy's plain sum where
//     that is not finite; the last pass converts into the output's dtype.
//
// Every pass runs over rows (or panels of rows) with vectorisable inner loops; scratch comes from
// the caller's Workspace.
#pragma once

#include <cstddef>

#include "axis_plan.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/workspace.hpp"

namespace zoomflow::detail {

// Doubles over the positions region.lo[a] .. region.lo[a] + region.extent[a] - 1 of each axis,
// C order, contiguous.
struct CoefficientRegion {
  IndexVector lo;
  Shape extent;
};

// The region that holds a box's coefficients while they are computed in place: per axis the
// span of its input samples and of its coefficients.
CoefficientRegion coefficient_region(const BoxPlan& plan);

// What run_separable takes from the Workspace for `plan`, in bytes.
std::size_t separable_scratch_bytes(const BoxPlan& plan);

// The prefilter, one pass per axis, each split into independent work items (rows or panels of
// rows) that may run on different threads, each with its own Workspace.
class Prefilter {
 public:
  // `input`: the voxels of plan.input_box. `coefficients`: the region coefficient_region(plan),
  // written in place. Samples beyond the input (grid-constant's padding) are cval as the
  // input's dtype holds it, as scipy pads.
  Prefilter(const BoxPlan& plan, double cval, ConstArrayView input, double* coefficients);

  int passes() const { return rank_; }
  Index items(int pass) const;
  void run(int pass, Index item_begin, Index item_end, Workspace& workspace) const;
  // Every pass, every item, in order.
  void run_all(Workspace& workspace) const;

 private:
  void last_axis_row(Index row, double* line) const;
  void outer_axis_panel(int axis, Index item, double* panel) const;

  const BoxPlan& plan_;
  double cval_;  // as a sample of the input's dtype
  ConstArrayView input_;
  double* coefficients_;
  CoefficientRegion region_;
  IndexVector region_strides_;
  int rank_;
};

// The interpolation of plan.inner_box into `output` (its view of the inner box, any dtype) from
// `coefficients` (doubles, or the input's own dtype when not prefiltered): element [0, 0, ...] of
// that view is the coefficient at (coef_lo of every axis).
void interpolate(const BoxPlan& plan, double cval, ConstArrayView coefficients, ArrayView output,
                 Workspace& workspace);

// The whole box: prefilter (if any) and interpolation, into `output` (the inner box's view).
void run_separable(const BoxPlan& plan, double cval, ConstArrayView input, ArrayView output,
                   Workspace& workspace);

// Writes cval, converted, to the voxels of `box` (the box `output` views) outside `inner`.
void fill_outside(ArrayView output, const Box& box, const Box& inner, double cval);
// Writes `value`, converted to the view's dtype, to every element of `output`.
void fill_converted(ArrayView output, double value);
// Writes the input converted to the output's dtype (same shapes).
void copy_converted(ConstArrayView input, ArrayView output);

}  // namespace zoomflow::detail
