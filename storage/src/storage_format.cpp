#include "zoomflow/storage/storage_format.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "input_path.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// The format whose metadata `folder` holds, or kAuto for none.
StorageFormat format_of_folder(const fs::path& folder) {
  if (is_file(folder / "zarr.json")) return StorageFormat::kZarr3;
  if (is_file(folder / ".zarray") || is_file(folder / ".zgroup") || is_file(folder / ".zattrs"))
    return StorageFormat::kZarr2;
  if (is_file(folder / "attributes.json")) return StorageFormat::kN5;
  return StorageFormat::kAuto;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

}  // namespace

std::string_view storage_format_name(StorageFormat format) {
  switch (format) {
    case StorageFormat::kAuto:
      return "auto";
    case StorageFormat::kHdf5:
      return "hdf5";
    case StorageFormat::kZarr2:
      return "zarr2";
    case StorageFormat::kZarr3:
      return "zarr3";
    case StorageFormat::kN5:
      return "n5";
  }
  return "auto";
}

std::string_view storage_format_title(StorageFormat format) {
  switch (format) {
    case StorageFormat::kAuto:
      return "auto";
    case StorageFormat::kHdf5:
      return "HDF5";
    case StorageFormat::kZarr2:
      return "Zarr v2";
    case StorageFormat::kZarr3:
      return "Zarr v3";
    case StorageFormat::kN5:
      return "N5";
  }
  return "auto";
}

Result<StorageFormat> parse_storage_format(std::string_view text) {
  const std::string name = lower(std::string(text));
  if (name == "hdf5" || name == "h5") return StorageFormat::kHdf5;
  if (name == "zarr2") return StorageFormat::kZarr2;
  if (name == "zarr3" || name == "zarr") return StorageFormat::kZarr3;
  if (name == "n5") return StorageFormat::kN5;
  if (name == "auto") return StorageFormat::kAuto;
  return make_error(ErrorCode::kInvalidArgument,
                    "--format '" + std::string(text) + "': write zarr2, zarr3, n5 or hdf5");
}

Result<StorageFormat> detect_storage_format(const std::string& container, const std::string& node) {
  // A FIFO, a device, a socket or an unreadable path is refused here, before any driver opens it.
  ZF_ASSIGN_OR_RETURN(const PathKind kind, check_input_path(container));
  if (kind == PathKind::kFile) return StorageFormat::kHdf5;  // the HDF5 driver checks more
  const fs::path root(container);
  StorageFormat format = format_of_folder(root);
  if (format == StorageFormat::kAuto && !node.empty()) {
    // A Zarr v2 hierarchy may leave its groups implicit; an N5 container may lack a root file.
    fs::path inner = root;
    for (const fs::path& part : fs::path(node).relative_path()) {
      inner /= part;
      format = format_of_folder(inner);
      if (format != StorageFormat::kAuto) break;
    }
  }
  if (format == StorageFormat::kAuto)
    return make_error(ErrorCode::kInvalidArgument,
                      container +
                          " is a folder, but neither a Zarr nor an N5 store: it holds no "
                          "zarr.json, .zarray, .zgroup, .zattrs or attributes.json");
  return format;
}

StorageFormat format_from_suffix(const std::string& container) {
  std::string path = container;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::string extension = lower(fs::path(path).extension().string());
  if (extension == ".zarr") return StorageFormat::kZarr3;
  if (extension == ".n5") return StorageFormat::kN5;
  return StorageFormat::kHdf5;
}

}  // namespace zoomflow::storage
