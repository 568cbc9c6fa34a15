// HDF5 attributes: printable and JSON values for `zoomflow info` and other formats, copying from an
// input dataset to an output (voxel sizes scaled), and provenance strings. Each function takes the
// HDF5 lock as proof that the caller holds it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hdf5_handle.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

// The attributes of `object`, in name order, with printable values.
std::vector<AttributeInfo> read_attributes(const Hdf5Lock& lock, hid_t object);

// Copies every attribute of `from` to `to` (object references are skipped: they would point into
// the other file). A numeric voxel size with one value per axis (or one value) is multiplied by
// `voxel_scale` per axis and stored as float64.
Status copy_attributes(const Hdf5Lock& lock, hid_t from, hid_t to,
                       const std::vector<double>& voxel_scale);

// Writes a JSON value as an attribute: numbers, bools (h5py's enum) and strings, and flat lists
// of one of them, as HDF5 types; anything else (objects, nested or mixed lists) as its JSON text.
Status write_json_attribute(const Hdf5Lock& lock, hid_t object, const std::string& name,
                            const nlohmann::json& value);

// Writes (or replaces) a variable-length UTF-8 string attribute, as h5py writes str.
Status write_string_attribute(const Hdf5Lock& lock, hid_t object, const std::string& name,
                              const std::string& value);

}  // namespace zoomflow::storage
