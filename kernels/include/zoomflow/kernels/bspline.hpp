// B-splines of orders 0 to 5 as scipy.ndimage uses them: the interpolation weights at a
// coordinate, and the prefilter that turns samples into spline coefficients.
//
//   double w[kMaxSplineOrder + 1];
//   spline_weights(2.3, 3, w);          // the weights of taps 1, 2, 3, 4 (floor(2.3) - 1 ...)
//   prefilter_taps(3);                  // h[0..H] of the cubic prefilter, H = prefilter_halo(3)
//
// The prefilter of order k is the inverse of sampling the B-spline at the integers: per pole z
// (order / 2 of them) it is the symmetric filter (1 - z) / (1 + z) z^|j|, and the poles combine
// by convolution. scipy runs it recursively along whole lines; zoomflow uses the same filter
// truncated to |j| <= H, where H is the smallest halo whose left-out taps sum (in absolute
// value) to less than 1e-17: far below double rounding of the result, so each coefficient depends
// on at most H samples to either side, which bounds the halo an out-of-core block reads.
#pragma once

#include <span>

#include "zoomflow/kernels/coordinate_map.hpp"

namespace zoomflow {

// The order + 1 weights of the taps of a sample at `coordinate`, in scipy's own arithmetic
// (get_spline_interpolation_weights): the first tap is floor(x) - order / 2 for odd orders,
// floor(x + 0.5) - order / 2 for even ones; the last weight is 1 minus the others. Order 0 gives
// the single weight 1.
void spline_weights(double coordinate, int order, double* weights);

// The first tap of a sample at `coordinate` (see spline_weights).
std::int64_t spline_first_tap(double coordinate, int order);

// The prefilter's poles (order / 2 of them; none below order 2), as scipy lists them.
std::span<const double> prefilter_poles(int order);

// The prefilter's halo H: 22, 30, 40, 49 for orders 2 to 5 (0 below order 2).
int prefilter_halo(int order);

// h[0..H], the prefilter's taps from the centre outwards (h[-j] = h[j]); empty below order 2.
std::span<const double> prefilter_taps(int order);

}  // namespace zoomflow
