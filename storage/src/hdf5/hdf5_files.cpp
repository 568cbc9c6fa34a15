#include "hdf5_files.hpp"

#include <algorithm>
#include <filesystem>

#include "../input_path.hpp"

namespace zoomflow::storage {
namespace {

herr_t collect_dataset(hid_t, const char* name, const H5O_info_t* info, void* client) {
  if (info->type == H5O_TYPE_DATASET)
    static_cast<std::vector<std::string>*>(client)->push_back(normalize_dataset_name(name));
  return 0;
}

std::string datasets_hint(const Hdf5Lock& lock, hid_t file) {
  const std::vector<std::string> names = list_datasets(lock, file);
  if (names.empty()) return "it holds no datasets";
  return "its datasets: " + join_names(names);
}

}  // namespace

bool is_hdf5_file(const Hdf5Lock&, const std::string& file) {
  const auto kind = check_input_path(file);
  if (!kind.ok() || *kind != PathKind::kFile) return false;
  return H5Fis_hdf5(file.c_str()) > 0;
}

Result<FileHandle> open_hdf5_file(const Hdf5Lock& lock, const std::string& file, bool writable) {
  ZF_ASSIGN_OR_RETURN(const PathKind kind, check_input_path(file, writable));
  if (kind == PathKind::kFolder)
    return make_error(ErrorCode::kInvalidArgument, file + " is a folder, not an HDF5 file");
  if (H5Fis_hdf5(file.c_str()) <= 0)
    return make_error(ErrorCode::kInvalidArgument,
                      file + " is not an HDF5 file (no HDF5 signature found)");
  FileHandle handle(H5Fopen(file.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!handle)
    return hdf5_error(
        lock, ErrorCode::kIoError,
        std::string("cannot open ") + file + " for " + (writable ? "writing" : "reading"));
  return handle;
}

std::string normalize_dataset_name(const std::string& name) {
  std::string result = "/";
  for (char c : name) {
    if (c == '/' && result.back() == '/') continue;
    result += c;
  }
  if (result.size() > 1 && result.back() == '/') result.pop_back();
  if (result == "/.") return "/";
  return result;
}

std::vector<std::string> list_datasets(const Hdf5Lock&, hid_t file) {
  std::vector<std::string> names;
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_dataset, &names, H5O_INFO_BASIC);
  std::sort(names.begin(), names.end());
  return names;
}

ObjectKind object_kind(const Hdf5Lock&, hid_t file, const std::string& name) {
  if (name == "/") return ObjectKind::kGroup;
  // Walk the components: H5Lexists needs every group on the way to exist.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return ObjectKind::kMissing;
    H5O_info_t info;
    if (H5Oget_info_by_name2(file, prefix.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
      return ObjectKind::kMissing;  // a dangling soft or external link
    const bool last = pos == std::string::npos;
    if (!last && info.type != H5O_TYPE_GROUP) return ObjectKind::kMissing;
    if (last) {
      if (info.type == H5O_TYPE_DATASET) return ObjectKind::kDataset;
      if (info.type == H5O_TYPE_GROUP) return ObjectKind::kGroup;
      return ObjectKind::kOther;
    }
  }
  return ObjectKind::kMissing;
}

Result<std::string> resolve_input_dataset(const Hdf5Lock& lock, hid_t file,
                                          const DatasetPath& path) {
  if (path.dataset.empty()) {
    const std::vector<std::string> names = list_datasets(lock, file);
    if (names.size() == 1) return names[0];
    if (names.empty())
      return make_error(ErrorCode::kInvalidArgument, path.file + " holds no datasets");
    return make_error(ErrorCode::kInvalidArgument, path.file + " holds " +
                                                       std::to_string(names.size()) +
                                                       " datasets; name one as " + path.file +
                                                       ":/DATASET (" + join_names(names) + ")");
  }
  const std::string name = normalize_dataset_name(path.dataset);
  switch (object_kind(lock, file, name)) {
    case ObjectKind::kDataset:
      return name;
    case ObjectKind::kGroup:
      return make_error(
          ErrorCode::kInvalidArgument,
          path.file + ":" + name + " is a group, not a dataset; " + datasets_hint(lock, file));
    case ObjectKind::kOther:
      return make_error(ErrorCode::kInvalidArgument,
                        path.file + ":" + name + " is not a dataset; " + datasets_hint(lock, file));
    case ObjectKind::kMissing:
      break;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    path.file + " has no dataset " + name + "; " + datasets_hint(lock, file));
}

std::string join_names(const std::vector<std::string>& names, std::size_t limit) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

}  // namespace zoomflow::storage
