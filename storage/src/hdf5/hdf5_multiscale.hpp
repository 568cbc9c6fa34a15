// HDF5 pyramids (storage/pyramid_output.hpp): an empty file to build one in, attributes written
// onto its levels and root once they are committed, and the root's `multiscales` attribute (the
// OME-Zarr 0.4 form, as JSON text) read back, so that `FILE.h5` opens at its full resolution and
// lists its levels. Each function takes the HDF5 lock itself.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "../zarr/ome_zarr.hpp"
#include "hdf5_handle.hpp"
#include "hdf5_library.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::storage {

// Creates `file` (which must not exist) holding nothing.
Status create_empty_hdf5_file(const std::string& file, FileFormat format);

// Writes (or replaces) each member of `attributes` on the object `name` ("/" the root, "/1" a
// dataset) of `file`, through write_json_attribute.
Status write_hdf5_attributes(const std::string& file, const std::string& name,
                             const nlohmann::json& attributes);

// The multiscale the root of `file` describes, or nullopt (the caller holds the lock).
std::optional<Multiscale> read_hdf5_multiscale(const Hdf5Lock& lock, hid_t file);

// Fills info.levels (each level's shape and scale) and info.ome_* from `multiscale` (the caller
// holds the lock).
void describe_hdf5_levels(const Hdf5Lock& lock, hid_t file, const Multiscale& multiscale,
                          DatasetInfo& info);

}  // namespace zoomflow::storage
