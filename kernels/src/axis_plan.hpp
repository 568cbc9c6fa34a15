// How one axis of an output box is computed (internal to kernels/): which outputs are cval, the
// taps and weights of the others, the spline coefficients those taps read, and the input
// samples those coefficients depend on. Every index rule of the boundary modes lives here; the
// kernels only follow the tables.
#pragma once

#include <cstdint>
#include <vector>

#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow::detail {

// A tap or sample that reads cval instead of a voxel.
inline constexpr Index kCvalSource = -1;

// How the coefficients of an axis come from its samples.
enum class PrefilterMethod : std::uint8_t {
  kNone,       // orders 0 and 1, or the prefilter off: the coefficients are the samples
  kTruncated,  // the prefilter's taps h[-H..H] over the mode's extension of the line
  kRecursive,  // a line no longer than H + 1: scipy's own recursion over the whole line
};

// scipy's initialisation of the recursive prefilter at the line's ends (apply_filter), which is
// the extension of the line the filter sees.
enum class PrefilterInit : std::uint8_t {
  kMirror,    // whole-sample symmetric: modes constant, grid-constant, mirror, wrap
  kReflect,   // half-sample symmetric: modes nearest, reflect, grid-mirror
  kPeriodic,  // grid-wrap
};

struct AxisPlan {
  int order = 0;
  // The box's outputs [output_lo, output_hi); [inner_lo, inner_hi) are computed, the others are
  // cval (mode constant outside [0, n - 1]; order 0 in grid-constant outside the input).
  Index output_lo = 0, output_hi = 0;
  Index inner_lo = 0, inner_hi = 0;

  // Tap positions [tap_lo, tap_lo + tap_source.size()), in input coordinates (scipy's padded
  // coordinates less the padding), read the coefficient tap_source[j - tap_lo] (relative to
  // coef_lo) or cval.
  Index tap_lo = 0, tap_hi = 0;
  std::vector<Index> tap_source;
  // Per computed output: its first tap relative to tap_lo; scipy's order + 1 weights; and for
  // order 1 the lerp weight x (weights are 1 - x and 1 - (1 - x)).
  std::vector<Index> first_tap;
  std::vector<double> weights;
  std::vector<double> lerp_weight;

  // Coefficient positions [coef_lo, coef_hi); they reach into scipy's 12-voxel padding in modes
  // nearest and grid-constant when prefiltered.
  Index coef_lo = 0, coef_hi = 0;

  // The prefilter: the coefficient at q reads samples at positions q - H .. q + H (kTruncated),
  // or the whole padded line (kRecursive, where coef_lo..coef_hi is that line). Samples at
  // positions [sample_lo, sample_hi) are the input voxel sample_source[...] (relative to
  // input_lo) or cval.
  PrefilterMethod prefilter = PrefilterMethod::kNone;
  PrefilterInit init = PrefilterInit::kMirror;
  Index sample_lo = 0, sample_hi = 0;
  std::vector<Index> sample_source;

  // Input voxels read: [input_lo, input_hi), never empty.
  Index input_lo = 0, input_hi = 1;
  // Some output is cval, or some tap or sample reads cval.
  bool reads_cval = false;

  Index inner_count() const { return inner_hi - inner_lo; }
  Index tap_count() const { return tap_hi - tap_lo; }
  Index coef_count() const { return coef_hi - coef_lo; }
  Index sample_count() const { return sample_hi - sample_lo; }
  Index input_count() const { return input_hi - input_lo; }
};

// The plan of axis `axis` for outputs [output_lo, output_hi) (non-empty). With tables false only
// the ranges and reads_cval are filled (what required_input_box needs), not the vectors.
AxisPlan plan_axis(const ResampleSpec& spec, int axis, Index output_lo, Index output_hi,
                   bool tables);

// The plan of an output box: one AxisPlan per axis, or the identity (spec.is_identity()).
struct BoxPlan {
  int rank = 0;
  bool identity = false;     // output = input, converted
  bool prefiltered = false;  // spec.prefiltered() and not the identity
  bool all_cval = false;     // some axis computes no output: the box is cval throughout
  bool reads_cval = false;
  AxisPlan axes[kMaxRank];
  Box input_box;  // what the box reads
  Box inner_box;  // the outputs computed, in output coordinates
};

BoxPlan plan_box(const ResampleSpec& spec, const Box& output_box, bool tables);

// Index folds of the boundary modes, for tests: whole-sample symmetric (period 2L - 2),
// half-sample symmetric (period 2L) and periodic (period L), into [0, L).
Index fold_mirror(Index position, Index length);
Index fold_reflect(Index position, Index length);
Index fold_periodic(Index position, Index length);

}  // namespace zoomflow::detail
