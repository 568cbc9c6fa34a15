#include "staged_array.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "../file_system.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kN5Version = "4.0.0";

json read_json_file(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return json();
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

std::string join(const fs::path& container, const std::string& node) {
  return node.empty() ? container.string() : container.string() + ":/" + node;
}

}  // namespace

NodeKind node_kind(StorageFormat format, const fs::path& folder) {
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status)) return NodeKind::kMissing;
  if (!fs::is_directory(status)) return NodeKind::kOther;
  switch (format) {
    case StorageFormat::kZarr3: {
      if (!fs::exists(folder / "zarr.json", ec)) return NodeKind::kOther;
      const json meta = read_json_file(folder / "zarr.json");
      const std::string type = meta.is_object() ? meta.value("node_type", "") : "";
      return type == "array"   ? NodeKind::kArray
             : type == "group" ? NodeKind::kGroup
                               : NodeKind::kOther;
    }
    case StorageFormat::kZarr2:
      if (fs::exists(folder / ".zarray", ec)) return NodeKind::kArray;
      if (fs::exists(folder / ".zgroup", ec)) return NodeKind::kGroup;
      return NodeKind::kOther;
    case StorageFormat::kN5: {
      if (!fs::exists(folder / "attributes.json", ec)) return NodeKind::kGroup;
      const json meta = read_json_file(folder / "attributes.json");
      return meta.is_object() && meta.contains("dimensions") ? NodeKind::kArray : NodeKind::kGroup;
    }
    default:
      return NodeKind::kOther;
  }
}

Result<std::string> normalize_node_path(const std::string& path) {
  std::string result;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    if (part == "." || part == "..")
      return invalid("the path " + path + " may not hold '.' or '..' components");
    result += (result.empty() ? "" : "/") + part;
  }
  return result;
}

namespace {

// A killed run's chunk files caught half-written (".KEY.zoomflow-PID-N.tmp"), inside a temporary
// that is being continued: they would otherwise end up in the output.
void remove_half_written(const fs::path& root) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, ec);
  std::vector<fs::path> found;
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") && name.ends_with(".tmp") &&
        name.find(".zoomflow-") != std::string::npos && it->is_regular_file(ec))
      found.push_back(it->path());
  }
  for (const fs::path& file : found) remove_quietly(file);
}

Result<std::unique_ptr<DirectoryStore>> open_store(const fs::path& folder) {
  ZF_ASSIGN_OR_RETURN(DirectoryStore store, DirectoryStore::open(folder.string()));
  return std::make_unique<DirectoryStore>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<StagedArray>> StagedArray::prepare(StorageFormat format,
                                                          const std::string& container,
                                                          const std::string& array_path,
                                                          bool overwrite, StagingRequest staging) {
  std::unique_ptr<StagedArray> staged(new StagedArray());
  staged->format_ = format;
  std::string root = container;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  staged->container_ = root;
  ZF_ASSIGN_OR_RETURN(staged->array_path_, normalize_node_path(array_path));
  const std::string& node = staged->array_path_;
  const std::string where = join(staged->container_, node);
  std::error_code ec;
  std::vector<std::string> components;
  for (std::size_t at = 0; at != std::string::npos && !node.empty();) {
    at = node.find('/', at + 1);
    components.push_back(node.substr(0, at));
  }

  if (!fs::exists(staged->container_, ec)) {
    staged->new_store_ = true;
    staged->final_ = staged->container_;
    if (!node.empty()) staged->new_groups_.push_back("");
    for (std::size_t i = 0; i + 1 < components.size(); ++i)
      staged->new_groups_.push_back(components[i]);
    staging.final_path = staged->final_;
    ZF_ASSIGN_OR_RETURN(staged->record_, StagingRecord::claim(staging));
    staged->temporary_ = staged->record_->temporary();
    const fs::path array_folder = node.empty() ? staged->temporary_ : staged->temporary_ / node;
    if (staged->record_->resumed()) {
      remove_half_written(staged->temporary_);
    } else if (!staging.attach && !fs::create_directories(array_folder, ec) && ec) {
      return make_error(ErrorCode::kIoError,
                        "cannot create " + array_folder.string() + ": " + ec.message());
    }
    ZF_ASSIGN_OR_RETURN(staged->array_store_, open_store(array_folder));
    return staged;
  }

  const fs::path place = node.empty() ? staged->container_ : staged->container_ / node;
  staged->final_ = place;
  if (staging.attach) {
    staging.final_path = place;
    ZF_ASSIGN_OR_RETURN(staged->record_, StagingRecord::claim(staging));
    staged->temporary_ = staged->record_->temporary();
    ZF_ASSIGN_OR_RETURN(staged->array_store_, open_store(staged->temporary_));
    return staged;
  }
  // An existing store: every component on the way a group (or missing), the place free. A
  // resuming run takes plain folders on the way for groups an interrupted run made.
  for (std::size_t i = 0; i + 1 < components.size(); ++i) {
    const fs::path folder = staged->container_ / components[i];
    const NodeKind kind = node_kind(format, folder);
    if (kind == NodeKind::kArray || (kind == NodeKind::kOther && !fs::is_directory(folder, ec)))
      return invalid("cannot create " + where + ": " + components[i] + " is not a group");
    if (kind == NodeKind::kMissing || (kind == NodeKind::kOther && staging.resume))
      staged->new_groups_.push_back(components[i]);
  }
  switch (node_kind(format, place)) {
    case NodeKind::kArray:
      if (!overwrite)
        return make_error(ErrorCode::kAlreadyExists,
                          where + " already exists; pass --overwrite to replace it");
      staged->replace_ = true;
      break;
    case NodeKind::kGroup:
      return invalid(where + " exists and is a group, not an array; zoomflow does not replace it");
    case NodeKind::kOther:
      return invalid(where + " exists and is not a " + std::string(storage_format_title(format)) +
                     " array; zoomflow does not replace it");
    case NodeKind::kMissing:
      break;
  }
  for (const std::string& group : staged->new_groups_) {
    const fs::path folder = staged->container_ / group;
    if (fs::is_directory(folder, ec)) continue;  // an interrupted run's, resumed
    if (!fs::create_directory(folder, ec) && ec)
      return make_error(ErrorCode::kIoError,
                        "cannot create " + folder.string() + ": " + ec.message());
    staged->created_folders_.push_back(folder);
  }
  staging.final_path = place;
  ZF_ASSIGN_OR_RETURN(staged->record_, StagingRecord::claim(staging));
  staged->temporary_ = staged->record_->temporary();
  if (staged->record_->resumed()) {
    remove_half_written(staged->temporary_);
  } else if (!fs::create_directory(staged->temporary_, ec)) {
    return make_error(ErrorCode::kIoError,
                      "cannot create " + staged->temporary_.string() + ": " + ec.message());
  }
  ZF_ASSIGN_OR_RETURN(staged->array_store_, open_store(staged->temporary_));
  return staged;
}

StagedArray::~StagedArray() {
  if (committed_) return;
  array_store_.reset();
  record_.reset();  // removes the temporary, unless it is kept for --resume or is not ours
  std::error_code ignored;
  if (fs::exists(temporary_, ignored)) return;  // kept: so are the group folders on its way
  for (auto it = created_folders_.rbegin(); it != created_folders_.rend(); ++it)
    fs::remove(*it, ignored);  // only if still empty
}

bool StagedArray::parent_is_new() const {
  if (array_path_.empty()) return false;
  const std::size_t slash = array_path_.rfind('/');
  const std::string parent = slash == std::string::npos ? "" : array_path_.substr(0, slash);
  return std::find(new_groups_.begin(), new_groups_.end(), parent) != new_groups_.end();
}

std::string StagedArray::where() const {
  return array_path_.empty() ? container_.string() : join(container_, array_path_);
}

Status StagedArray::write_groups(const std::map<std::string, json>& group_attributes) const {
  if (new_groups_.empty()) return ok_status();
  ZF_ASSIGN_OR_RETURN(const DirectoryStore store,
                      DirectoryStore::open((new_store_ ? temporary_ : container_).string()));
  for (const std::string& group : new_groups_) {
    const auto it = group_attributes.find(group);
    ZF_RETURN_IF_ERROR(write_group_metadata(
        format_, store, group, it == group_attributes.end() ? json::object() : it->second));
  }
  return ok_status();
}

Status StagedArray::commit(const std::map<std::string, json>& group_attributes) {
  if (committed_) return ok_status();
  ZF_RETURN_IF_ERROR(write_groups(group_attributes));
  array_store_.reset();
  if (!replace_) {
    ZF_RETURN_IF_ERROR(move_folder_into_place(temporary_, final_));
    committed_ = true;
    record_->finish();
    return ok_status();
  }
  // Replace: the old array aside, the new one in, the old one removed.
  const fs::path old = temporary_name_for(final_);
  std::error_code ec;
  fs::rename(final_, old, ec);
  if (ec)
    return make_error(ErrorCode::kIoError,
                      "cannot move " + final_.string() + " aside: " + ec.message());
  const Status moved = move_folder_into_place(temporary_, final_);
  if (!moved.ok()) {
    fs::rename(old, final_, ec);
    return moved;
  }
  committed_ = true;
  record_->finish();
  remove_tree_quietly(old);
  return ok_status();
}

Status write_group_metadata(StorageFormat format, const DirectoryStore& store,
                            const std::string& key, const json& attributes) {
  const auto at = [&](const char* name) {
    return key.empty() ? std::string(name) : key + "/" + name;
  };
  switch (format) {
    case StorageFormat::kZarr3: {
      json meta = {{"zarr_format", 3}, {"node_type", "group"}};
      meta["attributes"] = attributes.is_object() ? attributes : json::object();
      return store.write_text(at("zarr.json"), meta.dump(2) + "\n");
    }
    case StorageFormat::kZarr2: {
      if (attributes.is_object() && !attributes.empty())
        ZF_RETURN_IF_ERROR(store.write_text(at(".zattrs"), attributes.dump(2) + "\n"));
      return store.write_text(at(".zgroup"), json{{"zarr_format", 2}}.dump(2) + "\n");
    }
    case StorageFormat::kN5: {
      json meta = attributes.is_object() ? attributes : json::object();
      if (key.empty()) meta["n5"] = kN5Version;
      if (meta.empty())
        return store.is_folder(key) ? ok_status() : store.write_text(at("attributes.json"), "{}\n");
      return store.write_text(at("attributes.json"), meta.dump(2) + "\n");
    }
    default:
      return make_error(ErrorCode::kInternal, "no groups in this format");
  }
}

}  // namespace zoomflow::storage
