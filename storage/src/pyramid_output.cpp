#include "zoomflow/storage/pyramid_output.hpp"

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "chunked/directory_store.hpp"
#include "chunked/json_file.hpp"
#include "chunked/staged_array.hpp"
#include "file_system.hpp"
#include "hdf5/hdf5_multiscale.hpp"
#include "json_attributes.hpp"
#include "n5/n5_multiscale.hpp"
#include "zarr/ome_zarr.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

std::string level_name(StorageFormat format, int level) {
  return format == StorageFormat::kN5 ? n5_level_name(level) : std::to_string(level);
}

// A format's own form of a folder or file that is there already, or kAuto.
StorageFormat existing_format(const std::string& container) {
  auto found = detect_storage_format(container);
  return found.ok() ? *found : StorageFormat::kAuto;
}

Result<StorageFormat> choose_format(const std::string& container, const PyramidOutputOptions& o) {
  std::error_code ec;
  const bool exists = fs::exists(container, ec);
  StorageFormat format = o.format;
  if (format == StorageFormat::kAuto)
    format = exists && existing_format(container) != StorageFormat::kAuto
                 ? existing_format(container)
                 : format_from_suffix(container);
  if (!exists) return format;
  if (!o.overwrite)
    return make_error(ErrorCode::kAlreadyExists,
                      container + " already exists; pass --overwrite to replace it");
  if (existing_format(container) != format)
    return make_error(ErrorCode::kAlreadyExists,
                      container + " exists and is not a " +
                          std::string(storage_format_title(format)) +
                          (format == StorageFormat::kHdf5 ? " file" : " store") +
                          "; zoomflow does not replace it");
  return format;
}

// The input must not live in the container the run replaces.
Status check_not_input(const std::string& container, const InputDataset* input) {
  if (input == nullptr) return ok_status();
  std::error_code ec;
  const fs::path inside = fs::weakly_canonical(input->info().path.file, ec);
  const fs::path outer = fs::weakly_canonical(container, ec);
  for (fs::path p = inside; !p.empty(); p = p.parent_path()) {
    if (p == outer)
      return invalid("the input " + input->info().path.to_string() + " is in " + container +
                     "; write the pyramid elsewhere (zoomflow never replaces its input)");
    if (p == p.parent_path()) break;
  }
  return ok_status();
}

// Level 0's voxel size (1 per axis where unknown) and its unit.
std::vector<double> base_voxel_size(const InputDataset* input, int rank) {
  if (input == nullptr) return std::vector<double>(std::size_t(rank), 1.0);
  return scaled_voxel_size(input->info(), std::vector<double>(std::size_t(rank), 1.0), rank);
}

// element_size_um is in micrometres: a voxel size in another unit of length is converted.
double micrometres_per(const std::string& unit) {
  if (unit == "nm" || unit == "nanometer") return 1e-3;
  if (unit == "mm" || unit == "millimeter") return 1e3;
  if (unit == "angstrom") return 1e-4;
  if (unit == "cm" || unit == "centimeter") return 1e4;
  if (unit == "m" || unit == "meter") return 1e6;
  return 1.0;  // micrometres, or unknown
}

// Reads a JSON metadata file of the store, applies `edit`, writes it back.
Status edit_json(const DirectoryStore& store, const std::string& key,
                 const std::function<void(json&)>& edit) {
  ZF_ASSIGN_OR_RETURN(std::optional<json> meta, read_json(store, key));
  json value = meta && meta->is_object() ? *meta : json::object();
  edit(value);
  return store.write_text(key, value.dump(2) + "\n");
}

}  // namespace

struct PyramidOutput::State {
  std::string container;
  fs::path temporary;
  StorageFormat format = StorageFormat::kHdf5;
  bool replace = false;
  bool committed = false;
  std::vector<Shape> factors;
  bool centred = true;
  std::vector<double> voxel_size;  // level 0's
  std::string voxel_unit;
  std::vector<AxisInfo> axes;  // OME-Zarr's; empty outside rank 2..5
  std::vector<std::string> names;
  std::vector<OutputDataset> levels;

  ~State() {
    if (committed) return;
    levels.clear();  // each removes its own temporary inside the container first
    if (temporary.empty()) return;
    if (format == StorageFormat::kHdf5)
      remove_quietly(temporary);
    else
      remove_tree_quietly(temporary);
  }

  Status write_metadata();
  Status move_into_place();
};

Result<PyramidOutput> PyramidOutput::create(const std::string& container_path,
                                            const PyramidOutputOptions& options) {
  std::string container = container_path;
  while (container.size() > 1 && container.back() == '/') container.pop_back();
  const std::size_t count = options.level_shapes.size();
  if (count == 0 || options.total_factors.size() != count)
    return invalid("a pyramid needs its level shapes and one set of factors per level");
  {
    const fs::path folder = folder_of(container);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
      return invalid("cannot write " + container + ": the folder " + folder.string() +
                     " does not exist");
  }
  ZF_RETURN_IF_ERROR(check_not_input(container, options.copy_attributes_from));
  auto state = std::make_unique<State>();
  state->container = container;
  ZF_ASSIGN_OR_RETURN(state->format, choose_format(container, options));
  std::error_code ec;
  state->replace = fs::exists(container, ec);
  state->factors = options.total_factors;
  state->centred = options.centred;
  const int rank = options.level_shapes.front().rank();
  const DatasetInfo* input =
      options.copy_attributes_from ? &options.copy_attributes_from->info() : nullptr;
  state->voxel_size = base_voxel_size(options.copy_attributes_from, rank);
  state->voxel_unit = input != nullptr ? input->voxel_unit : "";
  state->axes = ome_axes_for(input, rank);

  // An empty container under a hidden name, which every level is then a new array (or dataset)
  // of, staged by its own driver.
  state->temporary = temporary_name_for(container);
  if (state->format == StorageFormat::kHdf5) {
    ZF_RETURN_IF_ERROR(create_empty_hdf5_file(state->temporary.string(), FileFormat::kEarliest));
  } else {
    if (!fs::create_directory(state->temporary, ec))
      return make_error(ErrorCode::kIoError,
                        "cannot create " + state->temporary.string() + ": " + ec.message());
    ZF_ASSIGN_OR_RETURN(const DirectoryStore store,
                        DirectoryStore::open(state->temporary.string()));
    ZF_RETURN_IF_ERROR(write_group_metadata(state->format, store, "", json::object()));
  }
  for (std::size_t k = 0; k < count; ++k) {
    const std::string name = level_name(state->format, int(k));
    OutputOptions level;
    level.shape = options.level_shapes[k];
    level.dtype = options.dtype;
    level.chunk_shape = options.chunk_shape;
    level.compression = options.compression;
    level.format = state->format;
    level.shard_shape = options.shard_shape;
    // A level smaller than a chunk along an axis is one chunk (and one shard) long there.
    for (int a = 0; a < rank && level.chunk_shape.rank() == rank; ++a)
      if (level.chunk_shape[a] > level.shape[a]) {
        level.chunk_shape[a] = level.shape[a];
        if (level.shard_shape.rank() == rank) level.shard_shape[a] = level.shape[a];
      }
    level.copy_attributes_from = options.copy_attributes_from;
    for (Index f : options.total_factors[k]) level.voxel_size_scale.push_back(double(f));
    level.provenance = options.provenance;
    level.provenance["zoomflow_level"] = std::to_string(k);
    auto created = OutputDataset::create({state->temporary.string(), "/" + name}, level);
    if (!created.ok()) {
      Error error = created.error();
      // Name the pyramid, not its hidden temporary.
      for (std::size_t at;
           (at = error.message.find(state->temporary.string())) != std::string::npos;)
        error.message.replace(at, state->temporary.string().size(), container);
      return error;
    }
    state->names.push_back(name);
    state->levels.push_back(std::move(created).value());
  }
  return PyramidOutput(std::move(state));
}

Status PyramidOutput::State::write_metadata() {
  const int rank = factors.front().rank();
  const auto scaled = [&](std::size_t k, bool shift) {
    std::vector<double> v(static_cast<std::size_t>(rank));
    for (int a = 0; a < rank; ++a)
      v[std::size_t(a)] = shift ? voxel_size[std::size_t(a)] * double(factors[k][a] - 1) / 2.0
                                : voxel_size[std::size_t(a)] * double(factors[k][a]);
    return v;
  };
  std::vector<MultiscaleLevel> ome;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    MultiscaleLevel level{names[k], scaled(k, false), {}};
    if (centred && k > 0) level.translation = scaled(k, true);
    ome.push_back(std::move(level));
  }
  switch (format) {
    case StorageFormat::kZarr2:
    case StorageFormat::kZarr3: {
      ZF_ASSIGN_OR_RETURN(const DirectoryStore store, DirectoryStore::open(temporary.string()));
      const bool v3 = format == StorageFormat::kZarr3;
      if (axes.empty()) return ok_status();  // OME-Zarr describes ranks 2 to 5 only
      // OME-Zarr 0.5 wants each level's dimension_names to be the axes' names.
      if (v3)
        for (const std::string& name : names)
          ZF_RETURN_IF_ERROR(edit_json(store, name + "/zarr.json", [&](json& meta) {
            json names_json = json::array();
            for (const AxisInfo& axis : axes) names_json.push_back(axis.name);
            meta["dimension_names"] = names_json;
          }));
      return write_group_metadata(format, store, "", multiscale_attributes(v3, axes, ome));
    }
    case StorageFormat::kN5: {
      ZF_ASSIGN_OR_RETURN(const DirectoryStore store, DirectoryStore::open(temporary.string()));
      for (std::size_t k = 0; k < levels.size(); ++k)
        ZF_RETURN_IF_ERROR(edit_json(store, names[k] + "/attributes.json", [&](json& meta) {
          meta.update(n5_level_attributes(factors[k], voxel_size, voxel_unit));
        }));
      return write_group_metadata(format, store, "",
                                  n5_group_attributes(factors, voxel_size, voxel_unit));
    }
    default: {
      const double to_um = micrometres_per(voxel_unit);
      for (std::size_t k = 0; k < levels.size(); ++k) {
        std::vector<double> size = scaled(k, false);
        for (double& v : size) v *= to_um;
        ZF_RETURN_IF_ERROR(write_hdf5_attributes(temporary.string(), "/" + names[k],
                                                 json{{"element_size_um", size}}));
      }
      const json multiscales = multiscale_attributes(false, axes, ome);
      return write_hdf5_attributes(temporary.string(), "/",
                                   json{{"multiscales", multiscales["multiscales"].dump()}});
    }
  }
}

Status PyramidOutput::State::move_into_place() {
  const fs::path target(container);
  if (!replace) {
    return format == StorageFormat::kHdf5 ? storage::move_into_place(temporary, target)
                                          : move_folder_into_place(temporary, target);
  }
  std::error_code ec;
  if (format == StorageFormat::kHdf5) {
    fs::rename(temporary, target, ec);  // replaces the old file in one step
    if (ec)
      return make_error(ErrorCode::kIoError, "cannot replace " + container + ": " + ec.message());
    return ok_status();
  }
  const fs::path old = temporary_name_for(target);
  fs::rename(target, old, ec);
  if (ec)
    return make_error(ErrorCode::kIoError, "cannot move " + container + " aside: " + ec.message());
  const Status moved = move_folder_into_place(temporary, target);
  if (!moved.ok()) {
    fs::rename(old, target, ec);
    return moved;
  }
  remove_tree_quietly(old);
  return ok_status();
}

PyramidOutput::PyramidOutput(std::unique_ptr<State> state) : state_(std::move(state)) {}
PyramidOutput::PyramidOutput(PyramidOutput&&) noexcept = default;
PyramidOutput& PyramidOutput::operator=(PyramidOutput&&) noexcept = default;
PyramidOutput::~PyramidOutput() = default;

StorageFormat PyramidOutput::format() const {
  return state_->format;
}
int PyramidOutput::levels() const {
  return int(state_->levels.size());
}
OutputDataset& PyramidOutput::level(int k) {
  return state_->levels[std::size_t(k)];
}
const OutputDataset& PyramidOutput::level(int k) const {
  return state_->levels[std::size_t(k)];
}
std::string PyramidOutput::level_path(int k) const {
  return state_->container + ":/" + state_->names[std::size_t(k)];
}

Status PyramidOutput::commit() {
  State& s = *state_;
  if (s.committed) return ok_status();
  for (OutputDataset& level : s.levels) ZF_RETURN_IF_ERROR(level.commit());
  if (interrupt_requested())
    return make_error(ErrorCode::kCancelled, "interrupted by signal " +
                                                 std::to_string(interrupt_signal()) + "; " +
                                                 s.container + " was not written");
  ZF_RETURN_IF_ERROR(s.write_metadata());
  ZF_RETURN_IF_ERROR(s.move_into_place());
  s.committed = true;
  return ok_status();
}

}  // namespace zoomflow::storage
