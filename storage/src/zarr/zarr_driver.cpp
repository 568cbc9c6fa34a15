// The Zarr driver (v2 and v3): finding the array a path names in a store's hierarchy (an OME-Zarr
// image group opens at a level), and creating a new array with its metadata, on the chunked
// readers and writers every key-value format shares.
#include <algorithm>
#include <filesystem>

#include "../chunked/chunked_input.hpp"
#include "../chunked/chunked_output.hpp"
#include "../chunked/directory_store.hpp"
#include "../chunked/json_file.hpp"
#include "../driver.hpp"
#include "../json_attributes.hpp"
#include "ome_zarr.hpp"
#include "zarr_metadata.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow::storage {
namespace {

using nlohmann::json;

constexpr std::size_t kListLimit = 4096;  // folders visited when listing a hierarchy's arrays

struct ZarrNode {
  enum class Kind { kMissing, kArray, kGroup } kind = Kind::kMissing;
  json metadata;    // zarr.json or .zarray
  json attributes;  // zarr.json's "attributes" or .zattrs
};

Result<ZarrNode> read_node(const DirectoryStore& store, const std::string& key,
                           StorageFormat format) {
  ZarrNode node;
  if (format == StorageFormat::kZarr3) {
    ZF_ASSIGN_OR_RETURN(std::optional<json> meta, read_json(store, join_key(key, "zarr.json")));
    if (!meta) return node;
    if (!meta->is_object())
      return make_error(ErrorCode::kInvalidArgument,
                        store.describe(join_key(key, "zarr.json")) + " is not a JSON object");
    const std::string type = meta->value("node_type", std::string());
    if (type != "array" && type != "group")
      return make_error(ErrorCode::kInvalidArgument, store.describe(join_key(key, "zarr.json")) +
                                                         " has the node_type \"" + type +
                                                         "\", neither array nor group");
    node.kind = type == "array" ? ZarrNode::Kind::kArray : ZarrNode::Kind::kGroup;
    node.attributes = meta->value("attributes", json::object());
    node.metadata = std::move(*meta);
    return node;
  }
  ZF_ASSIGN_OR_RETURN(std::optional<json> zarray, read_json(store, join_key(key, ".zarray")));
  ZF_ASSIGN_OR_RETURN(std::optional<json> zattrs, read_json(store, join_key(key, ".zattrs")));
  node.attributes = zattrs ? *zattrs : json::object();
  if (zarray) {
    node.kind = ZarrNode::Kind::kArray;
    node.metadata = std::move(*zarray);
  } else if (store.is_file(join_key(key, ".zgroup")) || (key.empty() && zattrs) ||
             (!key.empty() && store.is_folder(key))) {
    // Zarr v2 groups may be implicit: a folder on the way to arrays.
    node.kind = ZarrNode::Kind::kGroup;
  }
  return node;
}

void collect_arrays(const DirectoryStore& store, const std::string& key, StorageFormat format,
                    std::vector<std::string>& arrays, std::size_t& visited) {
  for (const std::string& name : store.list(key)) {
    if (name.starts_with(".") || name == "zarr.json" || ++visited > kListLimit) continue;
    const std::string child = join_key(key, name);
    if (!store.is_folder(child)) continue;
    auto node = read_node(store, child, format);
    if (!node.ok()) continue;
    if (node->kind == ZarrNode::Kind::kArray) {
      arrays.push_back("/" + child);
    } else if (node->kind == ZarrNode::Kind::kGroup) {
      collect_arrays(store, child, format, arrays, visited);
    }
  }
}

std::vector<std::string> list_arrays(const DirectoryStore& store, const std::string& key,
                                     StorageFormat format) {
  std::vector<std::string> arrays;
  std::size_t visited = 0;
  collect_arrays(store, key, format, arrays, visited);
  std::sort(arrays.begin(), arrays.end());
  return arrays;
}

std::string names_text(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 12) text += " and " + std::to_string(names.size() - 12) + " more";
  return text;
}

std::string arrays_hint(const DirectoryStore& store, const std::string& key, StorageFormat format) {
  const std::vector<std::string> arrays = list_arrays(store, key, format);
  return arrays.empty() ? "it holds no arrays" : "its arrays: " + names_text(arrays);
}

std::vector<std::string> describe_codecs(const ArraySpec& spec) {
  if (!spec.sharding) return spec.codec.describe(spec.dtype);
  const ShardingSpec& sharding = *spec.sharding;
  std::string inner;
  for (const std::string& step : sharding.codec.describe(spec.dtype))
    inner += (inner.empty() ? "" : ", ") + step;
  return {"sharding_indexed(chunk_shape=" + to_string(sharding.chunk_shape) + ", index at " +
          (sharding.index_at_end ? "end" : "start") +
          (sharding.index_crc32c ? " with crc32c" : "") + "; inner codecs: " + inner + ")"};
}

// OME-Zarr: the image group `group_key` (its multiscale given) describes the array at
// `array_key`: axes, scale, levels.
void describe_image(const DirectoryStore& store, StorageFormat format, const std::string& group_key,
                    const Multiscale& multiscale, const std::string& array_key, DatasetInfo& info) {
  info.ome_group = "/" + group_key;
  info.ome_version = multiscale.version;
  if (multiscale.axes.size() == std::size_t(info.shape.rank())) info.axes = multiscale.axes;
  for (const auto& [level_path, scale] : multiscale.levels) {
    LevelInfo level{level_path, {}, scale};
    const std::string level_key = join_key(group_key, level_path);
    auto node = read_node(store, level_key, format);
    if (node.ok() && node->kind == ZarrNode::Kind::kArray) {
      auto spec = format == StorageFormat::kZarr3 ? parse_zarr3_array(node->metadata, level_key)
                                                  : parse_zarr2_array(node->metadata, level_key);
      if (spec.ok()) level.shape = spec->shape;
    }
    if (level_key == array_key && scale.size() == std::size_t(info.shape.rank())) {
      info.voxel_size = scale;
      std::string unit;
      for (const AxisInfo& axis : info.axes)
        if (axis.type == "space" && !axis.unit.empty()) unit = axis.unit;
      info.voxel_unit = unit;
    }
    info.levels.push_back(std::move(level));
  }
}

Result<std::unique_ptr<InputDriver>> open_array(const DirectoryStore& store, StorageFormat format,
                                                const std::string& container,
                                                const std::string& key, const ZarrNode& node,
                                                const InputOptions& options) {
  DatasetInfo info;
  info.path = {container, key.empty() ? std::string() : "/" + key};
  const std::string where = info.path.to_string();
  ZF_ASSIGN_OR_RETURN(ArraySpec spec, format == StorageFormat::kZarr3
                                          ? parse_zarr3_array(node.metadata, where)
                                          : parse_zarr2_array(node.metadata, where));
  info.format = format;
  info.shape = spec.shape;
  info.codecs = describe_codecs(spec);
  info.fill_value = zarr_fill_text(node.metadata);
  info.attributes = attribute_infos(node.attributes);
  const json names = node.metadata.value("dimension_names", json());
  if (names.is_array() && names.size() == std::size_t(spec.shape.rank()))
    for (const json& name : names)
      info.axes.push_back({name.is_string() ? name.get<std::string>() : "", "", ""});
  // A level of an OME-Zarr image: the parent group's multiscale lists it.
  if (!key.empty()) {
    const std::string group = parent_key(key);
    auto parent = read_node(store, group, format);
    if (parent.ok() && parent->kind == ZarrNode::Kind::kGroup)
      if (auto multiscale = find_multiscale(parent->attributes)) {
        const bool listed =
            std::any_of(multiscale->levels.begin(), multiscale->levels.end(),
                        [&](const auto& level) { return level.first == key_name(key); });
        if (listed) describe_image(store, format, group, *multiscale, key, info);
      }
  }
  set_voxel_size_from_attributes(info);
  if (options.measure_storage) info.storage_bytes = stored_bytes(store, key);
  auto store_copy = DirectoryStore::open(store.root());
  if (!store_copy.ok()) return store_copy.error();
  return make_chunked_input(std::move(store_copy).value(), key, std::move(spec), std::move(info),
                            options);
}

Result<std::unique_ptr<InputDriver>> open_input(const DatasetPath& path,
                                                const InputOptions& options) {
  ZF_ASSIGN_OR_RETURN(const StorageFormat format, detect_storage_format(path.file, path.dataset));
  ZF_ASSIGN_OR_RETURN(const DirectoryStore store, DirectoryStore::open(path.file));
  ZF_ASSIGN_OR_RETURN(std::string key, normalize_node_path(path.dataset));
  ZF_ASSIGN_OR_RETURN(ZarrNode node, read_node(store, key, format));
  const std::string where = key.empty() ? path.file : path.file + ":/" + key;
  if (node.kind == ZarrNode::Kind::kGroup) {
    if (auto multiscale = find_multiscale(node.attributes)) {
      // An OME-Zarr image: its first level (the full resolution).
      const std::string level = join_key(key, multiscale->levels.front().first);
      ZF_ASSIGN_OR_RETURN(ZarrNode level_node, read_node(store, level, format));
      if (level_node.kind != ZarrNode::Kind::kArray)
        return make_error(ErrorCode::kInvalidArgument,
                          where + " is an OME-Zarr image whose level " +
                              multiscale->levels.front().first + " is not an array");
      return open_array(store, format, path.file, level, level_node, options);
    }
    const std::vector<std::string> arrays = list_arrays(store, key, format);
    if (key.empty() && arrays.size() == 1) {
      const std::string only = arrays[0].substr(1);
      ZF_ASSIGN_OR_RETURN(ZarrNode only_node, read_node(store, only, format));
      return open_array(store, format, path.file, only, only_node, options);
    }
    if (key.empty()) {
      if (arrays.empty())
        return make_error(ErrorCode::kInvalidArgument, path.file + " holds no arrays");
      return make_error(ErrorCode::kInvalidArgument, path.file + " holds " +
                                                         std::to_string(arrays.size()) +
                                                         " arrays; name one as " + path.file +
                                                         ":/ARRAY (" + names_text(arrays) + ")");
    }
    return make_error(ErrorCode::kInvalidArgument,
                      where + " is a group, not an array; " + arrays_hint(store, key, format));
  }
  if (node.kind == ZarrNode::Kind::kMissing)
    return make_error(ErrorCode::kInvalidArgument,
                      path.file + " has no array /" + key + "; " + arrays_hint(store, "", format));
  return open_array(store, format, path.file, key, node, options);
}

}  // namespace

Result<std::unique_ptr<InputDriver>> open_zarr_input(const DatasetPath& path,
                                                     const InputOptions& options) {
  try {
    return open_input(path, options);
  } catch (const json::exception& error) {
    return make_error(ErrorCode::kInvalidArgument,
                      path.to_string() + ": malformed Zarr metadata (" + error.what() + ")");
  }
}

Result<std::unique_ptr<OutputDriver>> create_zarr_output(const ResolvedOutput& output) {
  const OutputOptions& options = output.options;
  const StorageFormat format = output.format;
  const bool v3 = format == StorageFormat::kZarr3;
  ChunkedOutputParts parts;
  ZF_ASSIGN_OR_RETURN(parts.staged,
                      StagedArray::prepare(format, output.path.file, output.path.dataset,
                                           options.overwrite, staging_request(options)));
  ArraySpec& spec = parts.spec;
  spec.shape = options.shape;
  spec.dtype = options.dtype;
  spec.fill.assign(dtype_size(options.dtype), std::byte{0});
  spec.keys.style = v3 ? KeyEncoding::Style::kZarr3 : KeyEncoding::Style::kZarr2;
  spec.keys.separator = v3 ? '/' : '.';
  const ChunkCodec codec = codec_for(options.compression, options.dtype);
  if (options.shard_shape.rank() > 0) {
    spec.unit_shape = options.shard_shape;
    spec.sharding = ShardingSpec{options.chunk_shape, codec, false, true, true};
  } else {
    spec.unit_shape = options.chunk_shape;
    spec.codec = codec;
  }

  const int rank = spec.shape.rank();
  const DatasetInfo* input =
      options.copy_attributes_from != nullptr ? &options.copy_attributes_from->info() : nullptr;
  const bool ome = parts.staged->parent_is_new() && !default_axes(rank).empty();
  std::vector<AxisInfo> axes;
  if (input != nullptr && input->axes.size() == std::size_t(rank) &&
      std::all_of(input->axes.begin(), input->axes.end(),
                  [](const AxisInfo& a) { return !a.name.empty(); }))
    axes = input->axes;
  if (ome) {
    axes = ome_axes_for(input, rank);
    const std::vector<double> scale =
        input != nullptr ? scaled_voxel_size(*input, options.voxel_size_scale, rank)
                         : std::vector<double>(std::size_t(rank), 1.0);
    parts.group_attributes[parent_key(parts.staged->array_path())] =
        multiscale_attributes(v3, axes, key_name(parts.staged->array_path()), scale);
  }

  json attributes = input != nullptr ? copied_attributes(*input, options.voxel_size_scale, format,
                                                         /*add_voxel_size=*/!ome)
                                     : json::object();
  std::map<std::string, std::string> provenance = options.provenance;
  provenance.try_emplace("zoomflow_version", ZOOMFLOW_VERSION);
  for (const auto& [name, value] : provenance) attributes[name] = value;
  std::vector<std::string> dimension_names;
  for (const AxisInfo& axis : axes) dimension_names.push_back(axis.name);

  const CompressionSpec compression = options.compression;
  parts.write_metadata = [spec, compression, attributes, dimension_names,
                          v3](const DirectoryStore& folder) -> Status {
    if (v3)
      return folder.write_text(
          "zarr.json",
          zarr3_metadata(spec, compression, attributes, dimension_names).dump(2) + "\n");
    if (!attributes.empty())
      ZF_RETURN_IF_ERROR(folder.write_text(".zattrs", attributes.dump(2) + "\n"));
    return folder.write_text(".zarray", zarr2_metadata(spec, compression).dump(2) + "\n");
  };
  return make_chunked_output(std::move(parts));
}

}  // namespace zoomflow::storage
