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

// What run_separable takes from the Workspace for `plan`, in bytes.
std::size_t separable_scratch_bytes(const BoxPlan& plan);

// cval as a sample of the input's dtype holds it: scipy pads mode grid-constant's input with
// np.pad, which stores cval in the input's dtype (integers truncate toward zero; zoomflow
// saturates where numpy would refuse the value).
double cval_as_sample(double cval, DType dtype);

// The prefilter of a box: the samples `input` (the voxels of plan.input_box, any dtype) ->
// the coefficients at the plan's coefficient positions, compact C-order doubles of extents
// coef_count() per axis, into `coefficients`. Stages in Workspace slots 0 and 1, lines in 2.
void prefilter_box(const BoxPlan& plan, double cval, ConstArrayView input, double* coefficients,
                   Workspace& workspace);

// One panel of a prefilter pass along an outer axis: lanes lane0 .. lane0 + width (at most
// prefilter_panel_width()) of the rows rows[j] (input position axis.input_lo + j) filtered into
// out_rows[k] (coefficient axis.coef_lo + k). `sample_cval` is cval_as_sample's.
void prefilter_panel(const AxisPlan& axis, double sample_cval, const double* const* rows,
                     Index lane0, Index width, double* const* out_rows, Workspace& workspace);
Index prefilter_panel_width();

// The interpolation of plan.inner_box into `output` (its view of the inner box, any dtype) from
// `coefficients` (doubles, or the input's own dtype when not prefiltered): element [0, 0, ...] of
// that view is the coefficient at (coef_lo of every axis). Its stages alternate between slots
// 0 and 1, the first in `first_slot`.
void interpolate(const BoxPlan& plan, double cval, ConstArrayView coefficients, ArrayView output,
                 Workspace& workspace, int first_slot = 1);

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
