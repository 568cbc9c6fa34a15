// Opening HDF5 files and finding datasets in them, with the messages users see. Every function
// here calls HDF5 and takes the HDF5 lock as proof that the caller holds it.
#pragma once

#include <string>
#include <vector>

#include "hdf5_handle.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow::storage {

// Opens an existing HDF5 file, after checking it exists, is a regular file this process may read
// (and write, when `writable`) and is HDF5.
Result<FileHandle> open_hdf5_file(const Hdf5Lock& lock, const std::string& file, bool writable);

// True when `file` is a regular, readable HDF5 file (false for missing or other files).
bool is_hdf5_file(const Hdf5Lock& lock, const std::string& file);

// "/a/b" for "a/b", "/a/b/", "//a//b".
std::string normalize_dataset_name(const std::string& name);

// Every dataset in the file, as absolute names, sorted.
std::vector<std::string> list_datasets(const Hdf5Lock& lock, hid_t file);

enum class ObjectKind { kMissing, kDataset, kGroup, kOther };
// What `name` (absolute) refers to; kMissing also when a component on the way is no group.
ObjectKind object_kind(const Hdf5Lock& lock, hid_t file, const std::string& name);

// The dataset an input path names: `path.dataset`, or the file's only dataset when empty.
// Fails with messages listing the file's datasets.
Result<std::string> resolve_input_dataset(const Hdf5Lock& lock, hid_t file,
                                          const DatasetPath& path);

// "a, b, c" (at most `limit` names, then "and N more").
std::string join_names(const std::vector<std::string>& names, std::size_t limit = 12);

}  // namespace zoomflow::storage
