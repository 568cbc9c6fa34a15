#include "n5_multiscale.hpp"

#include <algorithm>

#include "../chunked/directory_store.hpp"
#include "../chunked/json_file.hpp"

namespace zoomflow::storage {
namespace {

using nlohmann::json;

json attributes_at(const DirectoryStore& store, const std::string& key) {
  auto read = read_json(store, join_key(key, "attributes.json"));
  return read.ok() && *read && (*read)->is_object() ? **read : json::object();
}

bool is_list_of_lists(const json& value) {
  return value.is_array() && !value.empty() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_array(); });
}

// A list of numbers, fastest axis first, as C order (empty unless it has `rank` numbers).
std::vector<double> c_order(const json& value, int rank) {
  std::vector<double> out;
  if (!value.is_array() || value.size() != std::size_t(rank)) return out;
  for (auto it = value.rbegin(); it != value.rend(); ++it) {
    if (!it->is_number()) return {};
    out.push_back(it->get<double>());
  }
  return out;
}

// pixelResolution as n5-viewer writes it ({"dimensions": [...], "unit": ...}) or a bare list.
std::vector<double> pixel_resolution(const json& attributes, int rank, std::string* unit) {
  const json value = attributes.value("pixelResolution", json());
  if (value.is_object()) {
    if (unit != nullptr && value.contains("unit") && value["unit"].is_string())
      *unit = value["unit"].get<std::string>();
    return c_order(value.value("dimensions", json()), rank);
  }
  return c_order(value, rank);
}

json n5_order(const std::vector<double>& values) {
  json list = json::array();
  for (auto it = values.rbegin(); it != values.rend(); ++it) list.push_back(*it);
  return list;
}

json n5_order(const Shape& values) {
  json list = json::array();
  for (int a = values.rank() - 1; a >= 0; --a) list.push_back(values[a]);
  return list;
}

json resolution_object(const std::vector<double>& voxel_size, const std::string& unit) {
  return {{"dimensions", n5_order(voxel_size)}, {"unit", unit.empty() ? "pixel" : unit}};
}

}  // namespace

std::string n5_level_name(int level) {
  return "s" + std::to_string(level);
}

bool is_n5_multiscale(const DirectoryStore& store, const std::string& key) {
  const json group = attributes_at(store, key);
  if (group.contains("dimensions")) return false;  // a dataset
  if (is_list_of_lists(group.value("scales", json())) ||
      is_list_of_lists(group.value("downsamplingFactors", json())))
    return true;
  return group.value("multiScale", false) == true &&
         attributes_at(store, join_key(key, "s0")).contains("dimensions");
}

void describe_n5_levels(const DirectoryStore& store, const std::string& key, DatasetInfo& info) {
  const std::string group = parent_key(key);
  const std::string name = key_name(key);
  if (key.empty() || name.size() < 2 || name[0] != 's' ||
      !std::all_of(name.begin() + 1, name.end(), ::isdigit) || !is_n5_multiscale(store, group))
    return;
  const int rank = info.shape.rank();
  const json group_attributes = attributes_at(store, group);
  std::string group_unit;
  const std::vector<double> group_resolution =
      pixel_resolution(group_attributes, rank, &group_unit);
  json scales = group_attributes.value("scales", json());
  if (!is_list_of_lists(scales)) scales = group_attributes.value("downsamplingFactors", json());
  info.ome_group = "/" + group;
  for (int level = 0; level < 1024; ++level) {
    const std::string level_key = join_key(group, n5_level_name(level));
    const json attributes = attributes_at(store, level_key);
    if (!attributes.contains("dimensions")) break;
    LevelInfo described{n5_level_name(level), {}, {}};
    for (double e : c_order(attributes["dimensions"], int(attributes["dimensions"].size())))
      described.shape.push_back(Index(e));
    std::vector<double> factors = c_order(attributes.value("downsamplingFactors", json()), rank);
    if (factors.empty() && is_list_of_lists(scales) && std::size_t(level) < scales.size())
      factors = c_order(scales[std::size_t(level)], rank);
    if (factors.empty()) factors.assign(std::size_t(rank), level == 0 ? 1.0 : 0.0);
    std::string unit = group_unit;
    std::vector<double> resolution = pixel_resolution(attributes, rank, &unit);
    if (resolution.empty()) resolution = group_resolution;
    if (resolution.empty()) resolution.assign(std::size_t(rank), 1.0);
    if (std::find(factors.begin(), factors.end(), 0.0) == factors.end())
      for (int a = 0; a < rank; ++a) described.scale.push_back(resolution[a] * factors[a]);
    if (level_key == key && described.scale.size() == std::size_t(rank)) {
      info.voxel_size = described.scale;
      info.voxel_unit = unit == "pixel" ? "" : unit;
    }
    info.levels.push_back(std::move(described));
  }
}

json n5_group_attributes(const std::vector<Shape>& factors, const std::vector<double>& voxel_size,
                         const std::string& unit) {
  json scales = json::array();
  for (const Shape& f : factors) scales.push_back(n5_order(f));
  return {{"multiScale", true},
          {"scales", scales},
          {"downsamplingFactors", scales},
          {"pixelResolution", resolution_object(voxel_size, unit)},
          {"resolution", n5_order(voxel_size)}};
}

json n5_level_attributes(const Shape& factors, const std::vector<double>& voxel_size,
                         const std::string& unit) {
  return {{"downsamplingFactors", n5_order(factors)},
          {"pixelResolution", resolution_object(voxel_size, unit)}};
}

}  // namespace zoomflow::storage
