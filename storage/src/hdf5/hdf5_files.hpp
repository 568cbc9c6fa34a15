// Opening HDF5 files and finding datasets in them, with the messages users see. Every function
// here expects the caller to hold the HDF5 lock.
#pragma once

#include <string>
#include <vector>

#include "hdf5_handle.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow::storage {

// Opens an existing HDF5 file, after checking it exists, is a file and is HDF5.
Result<FileHandle> open_hdf5_file(const std::string& file, bool writable);

// True when `file` is an HDF5 file (false for missing or other files).
bool is_hdf5_file(const std::string& file);

// "/a/b" for "a/b", "/a/b/", "//a//b".
std::string normalize_dataset_name(const std::string& name);

// Every dataset in the file, as absolute names, sorted.
std::vector<std::string> list_datasets(hid_t file);

enum class ObjectKind { kMissing, kDataset, kGroup, kOther };
// What `name` (absolute) refers to; kMissing also when a component on the way is no group.
ObjectKind object_kind(hid_t file, const std::string& name);

// The dataset an input path names: `path.dataset`, or the file's only dataset when empty.
// Fails with messages listing the file's datasets.
Result<std::string> resolve_input_dataset(hid_t file, const DatasetPath& path);

// "a, b, c" (at most `limit` names, then "and N more").
std::string join_names(const std::vector<std::string>& names, std::size_t limit = 12);

}  // namespace zoomflow::storage
