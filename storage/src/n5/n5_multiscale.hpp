// N5 multiscale groups as n5-viewer, BigDataViewer and Paintera read them: datasets s0, s1, ...
// in a group, each with `downsamplingFactors` (relative to s0, fastest axis first) and
// `pixelResolution` (s0's voxel size; a level's voxel size is it times its factors), the group
// listing `scales` and `downsamplingFactors` and setting `multiScale`. Written for new pyramids
// (storage/pyramid_output.hpp) and read so that the group opens at s0 and lists its levels.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../chunked/directory_store.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

// "s0", "s1", ...
std::string n5_level_name(int level);

// Whether the group at `key` is a multiscale group (its attributes list scales or
// downsamplingFactors, or it holds a dataset s0 beside multiScale: true).
bool is_n5_multiscale(const DirectoryStore& store, const std::string& key);

// For a dataset opened at `key`: when its parent is a multiscale group and it is one of its
// levels, fills info.levels (shapes and scales, C order) and info.ome_group, and makes
// info.voxel_size the level's own (pixelResolution times its downsamplingFactors).
void describe_n5_levels(const DirectoryStore& store, const std::string& key, DatasetInfo& info);

// The attributes a pyramid's group and its level k get, C order in: `factors` per level, the
// voxel size of level 0 and its unit ("" when unknown: "pixel" is written, as n5-viewer does).
nlohmann::json n5_group_attributes(const std::vector<Shape>& factors,
                                   const std::vector<double>& voxel_size, const std::string& unit);
nlohmann::json n5_level_attributes(const Shape& factors, const std::vector<double>& voxel_size,
                                   const std::string& unit);

}  // namespace zoomflow::storage
