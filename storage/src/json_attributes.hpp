// Attributes in the one form every format shares, JSON: printable text for `zoomflow info`, the
// voxel size they hold, and the attributes an output copies from its input (voxel sizes scaled
// per axis). N5 lists per-axis values fastest axis first; everything else, and DatasetInfo's
// voxel_size, slowest first (C order).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

// element_size_um, resolution, voxel_size, spacing, pixelResolution.
bool is_voxel_size_name(const std::string& name);

// Compact JSON, long arrays cut after 16 values.
std::string printable_json(const nlohmann::json& value);

// One AttributeInfo per member of a JSON object, in name order.
std::vector<AttributeInfo> attribute_infos(const nlohmann::json& attributes);

// Fills info.voxel_size (and voxel_unit) from the first voxel-size attribute with one value, or
// one per axis, unless already set (OME-Zarr's scale comes first).
void set_voxel_size_from_attributes(DatasetInfo& info);

// The input's attributes as an output of `format` gets them: every attribute with a JSON form;
// voxel sizes multiplied per axis by `scale` (input length / output length, C order). When the
// input's voxel size came from elsewhere (OME-Zarr) and `add_voxel_size`, it is added scaled:
// element_size_um (micrometres) or voxel_size in HDF5, pixelResolution in N5, voxel_size in Zarr.
nlohmann::json copied_attributes(const DatasetInfo& input, const std::vector<double>& scale,
                                 StorageFormat format, bool add_voxel_size);

// The input's voxel size scaled (1 per axis where unknown), C order.
std::vector<double> scaled_voxel_size(const DatasetInfo& input, const std::vector<double>& scale,
                                      int rank);

}  // namespace zoomflow::storage
