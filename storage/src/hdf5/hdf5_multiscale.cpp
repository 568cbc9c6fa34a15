#include "hdf5_multiscale.hpp"

#include <array>

#include "hdf5_attributes.hpp"
#include "hdf5_files.hpp"
#include "hdf5_library.hpp"

namespace zoomflow::storage {

using nlohmann::json;

Status create_empty_hdf5_file(const std::string& file, FileFormat format) {
  const Hdf5Lock lock = lock_hdf5();
  const PropertyHandle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (format == FileFormat::kV110)
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110);
  FileHandle created(H5Fcreate(file.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()));
  if (!created) return hdf5_error(lock, ErrorCode::kIoError, "cannot create " + file);
  if (!created.reset()) return hdf5_error(lock, ErrorCode::kIoError, "cannot close " + file);
  return ok_status();
}

Status write_hdf5_attributes(const std::string& file, const std::string& name,
                             const json& attributes) {
  const Hdf5Lock lock = lock_hdf5();
  ZF_ASSIGN_OR_RETURN(FileHandle handle, open_hdf5_file(lock, file, /*writable=*/true));
  {
    const ObjectHandle object(H5Oopen(handle.get(), name.c_str(), H5P_DEFAULT));
    if (!object) return hdf5_error(lock, ErrorCode::kIoError, "cannot open " + file + ":" + name);
    for (const auto& [key, value] : attributes.items())
      ZF_RETURN_IF_ERROR(write_json_attribute(lock, object.get(), key, value));
  }
  if (H5Fflush(handle.get(), H5F_SCOPE_GLOBAL) < 0 || !handle.reset())
    return hdf5_error(lock, ErrorCode::kIoError, "cannot finish writing " + file);
  return ok_status();
}

std::optional<Multiscale> read_hdf5_multiscale(const Hdf5Lock& lock, hid_t file) {
  const ObjectHandle root(H5Oopen(file, "/", H5P_DEFAULT));
  if (!root) return std::nullopt;
  for (const AttributeInfo& attribute : read_attributes(lock, root.get())) {
    if (attribute.name != "multiscales" || attribute.value_json.empty()) continue;
    // A JSON string holding the OME-Zarr 0.4 list, as pyramid_output writes it.
    const json text = json::parse(attribute.value_json, nullptr, false);
    if (!text.is_string()) return std::nullopt;
    const json list = json::parse(text.get<std::string>(), nullptr, false);
    if (list.is_discarded()) return std::nullopt;
    return find_multiscale(json{{"multiscales", list}});
  }
  return std::nullopt;
}

void describe_hdf5_levels(const Hdf5Lock& lock, hid_t file, const Multiscale& multiscale,
                          DatasetInfo& info) {
  info.ome_group = "/";
  info.ome_version = multiscale.version;
  for (const auto& [path, scale] : multiscale.levels) {
    LevelInfo level{path, {}, scale};
    const std::string name = normalize_dataset_name(path);
    if (object_kind(lock, file, name) == ObjectKind::kDataset) {
      const DatasetHandle dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
      const SpaceHandle space(dataset ? H5Dget_space(dataset.get()) : H5I_INVALID_HID);
      const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
      std::array<hsize_t, kMaxRank> dims{};
      if (rank > 0 && rank <= kMaxRank &&
          H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) == rank)
        for (int a = 0; a < rank; ++a) level.shape.push_back(Index(dims[std::size_t(a)]));
    }
    info.levels.push_back(std::move(level));
  }
}

}  // namespace zoomflow::storage
