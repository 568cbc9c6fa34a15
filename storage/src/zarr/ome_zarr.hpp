// OME-Zarr (NGFF) multiscale image metadata: read from an image group's attributes (0.4:
// "multiscales"; 0.5: "ome" -> "multiscales"), and written for a new image group around one
// level (0.4 beside Zarr v2 arrays, 0.5 beside Zarr v3).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

struct Multiscale {
  std::string version;
  std::vector<AxisInfo> axes;
  // Each level's path (relative to the group) and scale: the level's scale transform times the
  // multiscale's own, when it has one.
  std::vector<std::pair<std::string, std::vector<double>>> levels;
};

// The group's first multiscale, or nullopt when it is no OME-Zarr image.
std::optional<Multiscale> find_multiscale(const nlohmann::json& group_attributes);

// Axes for an image of `rank` when nothing says better: y x, z y x, c z y x, t c z y x (all
// space but c and t); empty outside rank 2..5 (OME-Zarr's limits).
std::vector<AxisInfo> default_axes(int rank);

// The group attributes of a new image whose only level is `level_path`, with `scale` per axis.
nlohmann::json multiscale_attributes(bool version_05, const std::vector<AxisInfo>& axes,
                                     const std::string& level_path,
                                     const std::vector<double>& scale);

}  // namespace zoomflow::storage
