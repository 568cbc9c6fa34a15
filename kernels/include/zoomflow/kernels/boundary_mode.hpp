// How a resampling treats the space beyond the input's edges: scipy.ndimage's `mode`, under
// scipy's names. For input a b c d:
//
//   constant       k k k k | a b c d | k k k k   output points outside [0, n - 1] are cval (k);
//                                               inside, the spline reads mirrored taps
//   grid-constant  k k k k | a b c d | k k k k   taps outside the input read cval
//   nearest        a a a a | a b c d | d d d d
//   reflect        d c b a | a b c d | d c b a   (half-sample symmetric)
//   grid-mirror    the same as reflect
//   mirror         d c b | a b c d | c b a       (whole-sample symmetric)
//   wrap           scipy's 'wrap': coordinates repeat with period n - 1, taps mirror
//   grid-wrap      a b c d | a b c d | a b c d   (periodic)
//
//   auto mode = parse_boundary_mode("grid-constant");   // std::optional<BoundaryMode>
//   std::string_view name = boundary_mode_name(*mode);  // "grid-constant"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zoomflow {

enum class BoundaryMode : std::uint8_t {
  kConstant,
  kGridConstant,
  kNearest,
  kReflect,
  kGridMirror,
  kMirror,
  kWrap,
  kGridWrap,
};

inline constexpr BoundaryMode kAllBoundaryModes[] = {
    BoundaryMode::kConstant, BoundaryMode::kGridConstant, BoundaryMode::kNearest,
    BoundaryMode::kReflect,  BoundaryMode::kGridMirror,   BoundaryMode::kMirror,
    BoundaryMode::kWrap,     BoundaryMode::kGridWrap,
};

// scipy's name: "constant", "grid-constant", "nearest", "reflect", "grid-mirror", "mirror",
// "wrap", "grid-wrap".
std::string_view boundary_mode_name(BoundaryMode mode);
// The mode of a scipy name; nullopt for anything else.
std::optional<BoundaryMode> parse_boundary_mode(std::string_view name);
// Every name, comma separated, for messages.
std::string boundary_mode_names();

}  // namespace zoomflow
