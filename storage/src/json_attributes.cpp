#include "json_attributes.hpp"

#include <algorithm>

namespace zoomflow::storage {
namespace {

using nlohmann::json;

constexpr std::size_t kPrintedValues = 16;

bool is_number_list(const json& value) {
  return value.is_array() && !value.empty() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); });
}

std::vector<double> numbers_of(const json& value) {
  std::vector<double> numbers;
  if (value.is_number()) numbers.push_back(value.get<double>());
  if (is_number_list(value))
    for (const json& v : value) numbers.push_back(v.get<double>());
  return numbers;
}

// The numbers of a voxel-size value and its unit: a number, a list, or N5's
// {"dimensions": [...], "unit": "..."}; empty when it is none of these or has the wrong length.
std::vector<double> voxel_numbers(const std::string& name, const json& value, int rank,
                                  std::string* unit) {
  const json* numbers = &value;
  if (value.is_object()) {
    const auto it = value.find("dimensions");
    if (it == value.end()) return {};
    numbers = &*it;
    if (unit != nullptr && value.contains("unit") && value["unit"].is_string())
      *unit = value["unit"].get<std::string>();
  } else if (unit != nullptr && name == "element_size_um") {
    *unit = "micrometer";
  }
  std::vector<double> result = numbers_of(*numbers);
  if (result.size() != 1 && result.size() != std::size_t(rank)) return {};
  return result;
}

json rebuilt_voxel_value(const json& original, const std::vector<double>& numbers) {
  json list = json::array();
  for (double v : numbers) list.push_back(v);
  json value = numbers.size() == 1 && original.is_number() ? json(numbers[0]) : list;
  if (original.is_object()) {
    json object = original;
    object["dimensions"] = list;
    return object;
  }
  return value;
}

bool reversed_axes(StorageFormat format) {
  return format == StorageFormat::kN5;
}

}  // namespace

bool is_voxel_size_name(const std::string& name) {
  return name == "element_size_um" || name == "resolution" || name == "voxel_size" ||
         name == "spacing" || name == "pixelResolution";
}

std::string printable_json(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array() && value.size() > kPrintedValues) {
    json head = json::array();
    for (std::size_t i = 0; i < kPrintedValues; ++i) head.push_back(value[i]);
    std::string text = head.dump();
    text.pop_back();
    return text + ", ... (" + std::to_string(value.size()) + " values)]";
  }
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<AttributeInfo> attribute_infos(const json& attributes) {
  std::vector<AttributeInfo> result;
  if (!attributes.is_object()) return result;
  for (const auto& [name, value] : attributes.items())
    result.push_back(
        {name, printable_json(value), value.dump(-1, ' ', false, json::error_handler_t::replace)});
  return result;
}

void set_voxel_size_from_attributes(DatasetInfo& info) {
  if (!info.voxel_size.empty()) return;
  const int rank = info.shape.rank();
  for (const AttributeInfo& attribute : info.attributes) {
    if (!is_voxel_size_name(attribute.name) || attribute.value_json.empty()) continue;
    const json value = json::parse(attribute.value_json, nullptr, false);
    if (value.is_discarded()) continue;
    std::string unit;
    std::vector<double> numbers = voxel_numbers(attribute.name, value, rank, &unit);
    if (numbers.empty()) continue;
    if (numbers.size() == 1) numbers.assign(std::size_t(rank), numbers[0]);
    if (reversed_axes(info.format)) std::reverse(numbers.begin(), numbers.end());
    info.voxel_size = numbers;
    info.voxel_unit = unit;
    return;
  }
}

std::vector<double> scaled_voxel_size(const DatasetInfo& input, const std::vector<double>& scale,
                                      int rank) {
  std::vector<double> size(std::size_t(rank), 1.0);
  if (input.voxel_size.size() == std::size_t(rank)) size = input.voxel_size;
  for (std::size_t a = 0; a < size.size() && a < scale.size(); ++a) size[a] *= scale[a];
  return size;
}

json copied_attributes(const DatasetInfo& input, const std::vector<double>& scale,
                       StorageFormat format, bool add_voxel_size) {
  json result = json::object();
  const int rank = input.shape.rank();
  bool voxel_size_copied = false;
  for (const AttributeInfo& attribute : input.attributes) {
    if (attribute.value_json.empty()) continue;
    json value = json::parse(attribute.value_json, nullptr, false);
    if (value.is_discarded()) continue;
    if (is_voxel_size_name(attribute.name) && !scale.empty()) {
      std::vector<double> numbers = voxel_numbers(attribute.name, value, rank, nullptr);
      if (!numbers.empty()) {
        const bool isotropic =
            std::all_of(scale.begin(), scale.end(), [&](double s) { return s == scale.front(); });
        if (numbers.size() == 1 && !isotropic) numbers.assign(std::size_t(rank), numbers[0]);
        // To C order, scaled, then to the output's order.
        if (numbers.size() > 1 && reversed_axes(input.format))
          std::reverse(numbers.begin(), numbers.end());
        for (std::size_t a = 0; a < numbers.size(); ++a)
          numbers[a] *= scale[numbers.size() == 1 ? 0 : a];
        if (numbers.size() > 1 && reversed_axes(format))
          std::reverse(numbers.begin(), numbers.end());
        value = rebuilt_voxel_value(value, numbers);
        voxel_size_copied = true;
      }
    }
    result[attribute.name] = std::move(value);
  }
  if (add_voxel_size && !voxel_size_copied && input.voxel_size.size() == std::size_t(rank)) {
    std::vector<double> size = scaled_voxel_size(input, scale, rank);
    const bool micrometres = input.voxel_unit == "micrometer" || input.voxel_unit == "um";
    if (format == StorageFormat::kN5) {
      std::reverse(size.begin(), size.end());
      result["pixelResolution"] = {{"dimensions", size}, {"unit", input.voxel_unit}};
    } else if (format == StorageFormat::kHdf5 && micrometres) {
      result["element_size_um"] = size;
    } else {
      result["voxel_size"] = size;
      if (!input.voxel_unit.empty()) result["voxel_size_unit"] = input.voxel_unit;
    }
  }
  return result;
}

}  // namespace zoomflow::storage
