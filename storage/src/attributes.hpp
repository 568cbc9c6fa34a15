// Attributes: printable values for `zoomflow info`, copying from an input dataset to an output
// (voxel sizes scaled), and provenance strings. The caller holds the HDF5 lock.
#pragma once

#include <string>
#include <vector>

#include "hdf5_handle.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

// The attributes of `object`, in name order, with printable values.
std::vector<AttributeInfo> read_attributes(hid_t object);

// True for the names that hold a voxel size: element_size_um, resolution, voxel_size, spacing.
bool is_voxel_size_name(const std::string& name);

// Copies every attribute of `from` to `to` (object references are skipped: they would point into
// the other file). A numeric voxel size with one value per axis (or one value) is multiplied by
// `voxel_scale` per axis and stored as float64.
Status copy_attributes(hid_t from, hid_t to, const std::vector<double>& voxel_scale);

// Writes (or replaces) a variable-length UTF-8 string attribute, as h5py writes str.
Status write_string_attribute(hid_t object, const std::string& name, const std::string& value);

}  // namespace zoomflow::storage
