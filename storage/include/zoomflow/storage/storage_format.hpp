// The container formats zoomflow reads and writes, how an input's format is recognised (by its
// content) and how an output's is chosen (--format, or the suffix).
#pragma once

#include <string>
#include <string_view>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

enum class StorageFormat {
  kAuto,   // outputs: from the suffix (.zarr: Zarr v3, .n5: N5, anything else: HDF5)
  kHdf5,   // FILE.h5:/path
  kZarr2,  // DIR.zarr[:/path], .zarray/.zattrs/.zgroup
  kZarr3,  // DIR.zarr[:/path], zarr.json (optionally sharded)
  kN5,     // DIR.n5[:/path], attributes.json
};

// "hdf5", "zarr2", "zarr3", "n5" (as --format takes them); "auto".
std::string_view storage_format_name(StorageFormat format);
// "HDF5", "Zarr v2", "Zarr v3", "N5", for people.
std::string_view storage_format_title(StorageFormat format);
// --format: hdf5 | zarr2 | zarr3 | n5 (also "zarr": zarr3, "h5": hdf5).
Result<StorageFormat> parse_storage_format(std::string_view text);

// The format of an existing container: a file with the HDF5 signature, or a folder holding Zarr
// (zarr.json; .zarray/.zgroup/.zattrs) or N5 (attributes.json) metadata at its root or at
// `node` (a path inside it). Fails with one line naming what was found.
Result<StorageFormat> detect_storage_format(const std::string& container,
                                            const std::string& node = {});

// A new output's format from its suffix: .zarr -> kZarr3, .n5 -> kN5, otherwise kHdf5.
StorageFormat format_from_suffix(const std::string& container);

}  // namespace zoomflow::storage
