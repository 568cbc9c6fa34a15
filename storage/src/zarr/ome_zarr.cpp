#include "ome_zarr.hpp"

namespace zoomflow::storage {
namespace {

using nlohmann::json;

std::vector<double> scale_of(const json& transformations) {
  std::vector<double> scale;
  if (!transformations.is_array()) return scale;
  for (const json& t : transformations) {
    if (!t.is_object() || t.value("type", std::string()) != "scale") continue;
    const json values = t.value("scale", json());
    if (!values.is_array()) continue;
    scale.clear();
    for (const json& v : values)
      if (v.is_number()) scale.push_back(v.get<double>());
  }
  return scale;
}

}  // namespace

std::optional<Multiscale> find_multiscale(const json& attributes) {
  if (!attributes.is_object()) return std::nullopt;
  const json* list = nullptr;
  std::string version;
  if (attributes.contains("ome") && attributes["ome"].is_object() &&
      attributes["ome"].contains("multiscales")) {
    list = &attributes["ome"]["multiscales"];
    version = attributes["ome"].value("version", std::string("0.5"));
  } else if (attributes.contains("multiscales")) {
    list = &attributes["multiscales"];
  }
  if (list == nullptr || !list->is_array() || list->empty() || !(*list)[0].is_object())
    return std::nullopt;
  const json& first = (*list)[0];
  Multiscale multiscale;
  multiscale.version = version.empty() ? first.value("version", std::string("0.4")) : version;
  for (const json& axis : first.value("axes", json::array())) {
    if (axis.is_string()) {
      multiscale.axes.push_back({axis.get<std::string>(), "", ""});
    } else if (axis.is_object()) {
      multiscale.axes.push_back({axis.value("name", std::string()),
                                 axis.value("type", std::string()),
                                 axis.value("unit", std::string())});
    }
  }
  const std::vector<double> global = scale_of(first.value("coordinateTransformations", json()));
  for (const json& dataset : first.value("datasets", json::array())) {
    if (!dataset.is_object() || !dataset.contains("path") || !dataset["path"].is_string()) continue;
    std::vector<double> scale = scale_of(dataset.value("coordinateTransformations", json()));
    if (global.size() == scale.size())
      for (std::size_t a = 0; a < scale.size(); ++a) scale[a] *= global[a];
    multiscale.levels.emplace_back(dataset["path"].get<std::string>(), std::move(scale));
  }
  if (multiscale.levels.empty()) return std::nullopt;
  return multiscale;
}

std::vector<AxisInfo> default_axes(int rank) {
  switch (rank) {
    case 2:
      return {{"y", "space", ""}, {"x", "space", ""}};
    case 3:
      return {{"z", "space", ""}, {"y", "space", ""}, {"x", "space", ""}};
    case 4:
      return {{"c", "channel", ""}, {"z", "space", ""}, {"y", "space", ""}, {"x", "space", ""}};
    case 5:
      return {{"t", "time", ""},
              {"c", "channel", ""},
              {"z", "space", ""},
              {"y", "space", ""},
              {"x", "space", ""}};
    default:
      return {};
  }
}

json multiscale_attributes(bool version_05, const std::vector<AxisInfo>& axes,
                           const std::string& level_path, const std::vector<double>& scale) {
  json axes_json = json::array();
  for (const AxisInfo& axis : axes) {
    json a = {{"name", axis.name}};
    if (!axis.type.empty()) a["type"] = axis.type;
    if (!axis.unit.empty()) a["unit"] = axis.unit;
    axes_json.push_back(a);
  }
  json multiscale = {
      {"axes", axes_json},
      {"datasets", json::array({{{"path", level_path},
                                 {"coordinateTransformations",
                                  json::array({{{"type", "scale"}, {"scale", scale}}})}}})}};
  if (version_05)
    return {{"ome", {{"version", "0.5"}, {"multiscales", json::array({multiscale})}}}};
  multiscale["version"] = "0.4";
  return {{"multiscales", json::array({multiscale})}};
}

}  // namespace zoomflow::storage
