#include "axis_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "zoomflow/kernels/bspline.hpp"

namespace zoomflow::detail {
namespace {

// scipy pads the input by this much (edge values, or cval) before prefiltering in modes nearest
// and grid-constant (_prepad_for_spline_filter), and samples the padded, filtered array.
constexpr Index kPrefilterPadding = 12;

// cval, among absolute positions (which are negative in scipy's padding); kCvalSource is its
// counterpart among the tables' relative indices.
constexpr Index kCvalPosition = std::numeric_limits<Index>::min();

Index floor_mod(Index a, Index b) {
  const Index r = a % b;
  return r < 0 ? r + b : r;
}

// scipy's map_coordinate (ni_interpolation.c) for a sample coordinate outside [0, len - 1], in
// its double arithmetic with its integer casts: a point inside maps to itself; mode constant
// maps a point outside to -1 (the output is cval).
double map_sample_coordinate(double in, Index len, BoundaryMode mode) {
  if (!(in < 0.0) && !(in > double(len - 1))) return in;
  if (mode == BoundaryMode::kConstant) return -1.0;
  if (len <= 1) return 0.0;
  const bool below = in < 0.0;
  switch (mode) {
    case BoundaryMode::kMirror: {
      const Index period = 2 * len - 2;
      if (below) {
        in = double(period * Index(-in / double(period))) + in;
        return in <= double(1 - len) ? in + double(period) : -in;
      }
      in -= double(period * Index(in / double(period)));
      return in >= double(len) ? double(period) - in : in;
    }
    case BoundaryMode::kReflect:
    case BoundaryMode::kGridMirror: {
      const Index period = 2 * len;
      if (below) {
        if (in < -double(period)) in = double(period * Index(-in / double(period))) + in;
        // scipy keeps -1e-15 < in < 0 from landing on -1 exactly.
        return in < -double(len) ? in + double(period) : (in > -1e-15 ? 1e-15 : -in) - 1.0;
      }
      in -= double(period * Index(in / double(period)));
      return in >= double(len) ? double(period) - in - 1.0 : in;
    }
    case BoundaryMode::kWrap: {
      const Index period = len - 1;  // scipy's 'wrap' repeats with period n - 1
      if (below) return in + double(period * (Index(-in / double(period)) + 1));
      return in - double(period * Index(in / double(period)));
    }
    case BoundaryMode::kGridWrap:
      if (below) return in + double(len * (Index((-1.0 - in) / double(len)) + 1));
      return in - double(len * Index(in / double(len)));
    default:  // nearest and grid-constant are never mapped
      return in;
  }
}

PrefilterInit init_of(BoundaryMode mode) {
  switch (mode) {
    case BoundaryMode::kNearest:
    case BoundaryMode::kReflect:
    case BoundaryMode::kGridMirror:
      return PrefilterInit::kReflect;
    case BoundaryMode::kGridWrap:
      return PrefilterInit::kPeriodic;
    default:
      return PrefilterInit::kMirror;
  }
}

// The index rules of one axis: input length n, scipy's padding, the mode.
struct AxisRules {
  Index n;
  Index pad;
  Index length;  // n + 2 pad: the line scipy filters and samples
  BoundaryMode mode;

  // The coefficient position a tap at `position` reads (scipy's edge_offsets / cval test).
  Index tap_coefficient(Index position) const {
    switch (mode) {
      case BoundaryMode::kNearest:
        return std::clamp(position, -pad, n + pad - 1);
      case BoundaryMode::kGridConstant:
        return position < -pad || position >= n + pad ? kCvalPosition : position;
      case BoundaryMode::kReflect:
      case BoundaryMode::kGridMirror:
        return fold_reflect(position, n);
      case BoundaryMode::kGridWrap:
        return fold_periodic(position, n);
      default:  // constant, mirror and wrap: taps mirror (scipy's spline boundary mode)
        return fold_mirror(position, n);
    }
  }

  // The input voxel (or cval) at `position` of the padded line, within [-pad, n + pad).
  Index padded_sample(Index position) const {
    if (position >= 0 && position < n) return position;
    if (mode == BoundaryMode::kNearest) return position < 0 ? 0 : n - 1;
    return kCvalPosition;  // grid-constant's padding
  }

  // The sample the prefilter sees at any `position`: the padded line extended beyond its ends as
  // scipy's boundary initialisation assumes.
  Index prefilter_sample(Index position) const {
    Index u = position + pad;
    switch (init_of(mode)) {
      case PrefilterInit::kMirror:
        u = fold_mirror(u, length);
        break;
      case PrefilterInit::kReflect:
        u = fold_reflect(u, length);
        break;
      case PrefilterInit::kPeriodic:
        u = fold_periodic(u, length);
        break;
    }
    return padded_sample(u - pad);
  }
};

// Where output i samples: cval, or its first tap (input coordinates) and scipy's coordinate.
struct OutputSample {
  bool cval;
  double coordinate;  // in scipy's padded coordinates, mapped by the mode
  Index first_tap;    // in input coordinates
};

OutputSample sample_of(const AxisMap& map, Index i, int order, const AxisRules& rules) {
  double cc = map.zoomed_coordinate(i) + double(rules.pad);
  const bool unmapped =
      rules.mode == BoundaryMode::kNearest || rules.mode == BoundaryMode::kGridConstant;
  if (!unmapped) cc = map_sample_coordinate(cc, rules.length, rules.mode);
  OutputSample sample{false, cc, 0};
  if (!unmapped && !(cc > -1.0)) {
    sample.cval = true;  // mode constant, outside
    return sample;
  }
  sample.first_tap = spline_first_tap(cc, order) - rules.pad;
  // Order 0 reads its one tap directly: cval there makes the output cval.
  if (order == 0 && rules.tap_coefficient(sample.first_tap) == kCvalPosition) sample.cval = true;
  return sample;
}

}  // namespace

Index fold_mirror(Index position, Index length) {
  if (length <= 1) return 0;
  const Index period = 2 * length - 2;
  const Index r = floor_mod(position, period);
  return r >= length ? period - r : r;
}

Index fold_reflect(Index position, Index length) {
  const Index period = 2 * length;
  const Index r = floor_mod(position, period);
  return r >= length ? period - 1 - r : r;
}

Index fold_periodic(Index position, Index length) {
  return floor_mod(position, length);
}

AxisPlan plan_axis(const ResampleSpec& spec, int axis, Index output_lo, Index output_hi,
                   bool tables) {
  AxisPlan plan;
  const int order = spec.order();
  plan.order = order;
  plan.output_lo = output_lo;
  plan.output_hi = output_hi;
  const bool prefiltered = spec.prefiltered();
  const Index n = spec.input_shape[axis];
  const Index pad = prefiltered && (spec.mode == BoundaryMode::kNearest ||
                                    spec.mode == BoundaryMode::kGridConstant)
                        ? kPrefilterPadding
                        : 0;
  const AxisRules rules{n, pad, n + 2 * pad, spec.mode};
  const AxisMap map = spec.axis(axis);

  // The computed outputs and the span of their taps. The sample coordinate grows with i, so the
  // cval outputs of mode constant (and of order 0 in grid-constant) lie at the two ends.
  constexpr Index kNone = std::numeric_limits<Index>::max();
  Index inner_lo = kNone, inner_hi = kNone;
  Index tap_lo = kNone, tap_hi = std::numeric_limits<Index>::min();
  for (Index i = output_lo; i < output_hi; ++i) {
    const OutputSample sample = sample_of(map, i, order, rules);
    if (sample.cval) {
      plan.reads_cval = true;
      continue;
    }
    if (inner_lo == kNone) inner_lo = i;
    inner_hi = i + 1;
    tap_lo = std::min(tap_lo, sample.first_tap);
    tap_hi = std::max(tap_hi, sample.first_tap + order + 1);
  }
  if (inner_lo == kNone) {
    // Every output cval: nothing is read; name the voxel nearest the box all the same.
    plan.inner_lo = plan.inner_hi = output_lo;
    plan.input_lo = map.nearest(output_lo);
    plan.input_hi = plan.input_lo + 1;
    return plan;
  }
  plan.inner_lo = inner_lo;
  plan.inner_hi = inner_hi;
  plan.tap_lo = tap_lo;
  plan.tap_hi = tap_hi;

  // The coefficients the taps read.
  Index coef_lo = kNone, coef_hi = std::numeric_limits<Index>::min();
  for (Index j = tap_lo; j < tap_hi; ++j) {
    const Index c = rules.tap_coefficient(j);
    if (c == kCvalPosition) {
      plan.reads_cval = true;
      continue;
    }
    coef_lo = std::min(coef_lo, c);
    coef_hi = std::max(coef_hi, c + 1);
  }
  if (coef_lo == kNone) coef_lo = 0, coef_hi = 1;  // every tap cval: one unused coefficient

  // The samples the coefficients depend on.
  const int halo = prefilter_halo(order);
  if (!prefiltered) {
    plan.input_lo = coef_lo;
    plan.input_hi = coef_hi;
  } else {
    plan.init = init_of(spec.mode);
    if (rules.length <= halo + 1) {
      // Every coefficient depends on the whole line: filter it whole, as scipy does (its
      // initialisation of the half-sample symmetric ends differs from the exact extension by
      // about z^(2 length), which matters only on lines this short).
      plan.prefilter = PrefilterMethod::kRecursive;
      coef_lo = -pad;
      coef_hi = n + pad;
    } else {
      plan.prefilter = PrefilterMethod::kTruncated;
    }
    plan.sample_lo = plan.prefilter == PrefilterMethod::kRecursive ? coef_lo : coef_lo - halo;
    const Index sample_hi =
        plan.prefilter == PrefilterMethod::kRecursive ? coef_hi : coef_hi + halo;
    plan.sample_hi = sample_hi;
    Index input_lo = kNone, input_hi = std::numeric_limits<Index>::min();
    for (Index q = plan.sample_lo; q < sample_hi; ++q) {
      const Index s = plan.prefilter == PrefilterMethod::kRecursive ? rules.padded_sample(q)
                                                                    : rules.prefilter_sample(q);
      if (s == kCvalPosition) {
        plan.reads_cval = true;
        continue;
      }
      input_lo = std::min(input_lo, s);
      input_hi = std::max(input_hi, s + 1);
    }
    if (input_lo == kNone) input_lo = 0, input_hi = 1;
    plan.input_lo = input_lo;
    plan.input_hi = input_hi;
    if (tables) {
      plan.sample_source.resize(std::size_t(sample_hi - plan.sample_lo));
      for (Index q = plan.sample_lo; q < sample_hi; ++q) {
        const Index s = plan.prefilter == PrefilterMethod::kRecursive ? rules.padded_sample(q)
                                                                      : rules.prefilter_sample(q);
        plan.sample_source[std::size_t(q - plan.sample_lo)] =
            s == kCvalPosition ? kCvalSource : s - input_lo;
      }
    }
  }
  plan.coef_lo = coef_lo;
  plan.coef_hi = coef_hi;
  if (!tables) return plan;

  plan.tap_source.resize(std::size_t(tap_hi - tap_lo));
  for (Index j = tap_lo; j < tap_hi; ++j) {
    const Index c = rules.tap_coefficient(j);
    plan.tap_source[std::size_t(j - tap_lo)] = c == kCvalPosition ? kCvalSource : c - coef_lo;
  }
  const Index count = inner_hi - inner_lo;
  plan.first_tap.resize(std::size_t(count));
  plan.weights.resize(std::size_t(count * (order + 1)));
  if (order == 1) plan.lerp_weight.resize(std::size_t(count));
  for (Index k = 0; k < count; ++k) {
    const OutputSample sample = sample_of(map, inner_lo + k, order, rules);
    plan.first_tap[std::size_t(k)] = sample.first_tap - tap_lo;
    spline_weights(sample.coordinate, order, &plan.weights[std::size_t(k * (order + 1))]);
    if (order == 1)
      plan.lerp_weight[std::size_t(k)] = sample.coordinate - std::floor(sample.coordinate);
  }
  return plan;
}

BoxPlan plan_box(const ResampleSpec& spec, const Box& output_box, bool tables) {
  BoxPlan box;
  box.rank = spec.rank();
  box.identity = spec.is_identity();
  box.prefiltered = spec.prefiltered() && !box.identity;
  box.input_box = output_box;
  box.inner_box = output_box;
  if (box.identity || output_box.empty()) return box;
  for (int a = 0; a < box.rank; ++a) {
    AxisPlan& plan = box.axes[a];
    plan = plan_axis(spec, a, output_box.origin[a], output_box.end(a), tables);
    box.all_cval = box.all_cval || plan.inner_count() == 0;
    box.reads_cval = box.reads_cval || plan.reads_cval;
    box.input_box.origin[a] = plan.input_lo;
    box.input_box.extent[a] = plan.input_count();
    box.inner_box.origin[a] = plan.inner_lo;
    box.inner_box.extent[a] = plan.inner_count();
  }
  return box;
}

}  // namespace zoomflow::detail
