#include "zoomflow/kernels/boundary_mode.hpp"

namespace zoomflow {

std::string_view boundary_mode_name(BoundaryMode mode) {
  switch (mode) {
    case BoundaryMode::kConstant:
      return "constant";
    case BoundaryMode::kGridConstant:
      return "grid-constant";
    case BoundaryMode::kNearest:
      return "nearest";
    case BoundaryMode::kReflect:
      return "reflect";
    case BoundaryMode::kGridMirror:
      return "grid-mirror";
    case BoundaryMode::kMirror:
      return "mirror";
    case BoundaryMode::kWrap:
      return "wrap";
    case BoundaryMode::kGridWrap:
      return "grid-wrap";
  }
  return "unknown";
}

std::optional<BoundaryMode> parse_boundary_mode(std::string_view name) {
  for (BoundaryMode mode : kAllBoundaryModes)
    if (boundary_mode_name(mode) == name) return mode;
  return std::nullopt;
}

std::string boundary_mode_names() {
  std::string names;
  for (BoundaryMode mode : kAllBoundaryModes) {
    if (!names.empty()) names += ", ";
    names += boundary_mode_name(mode);
  }
  return names;
}

}  // namespace zoomflow
