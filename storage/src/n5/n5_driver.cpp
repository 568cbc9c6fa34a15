// The N5 driver: attributes.json (dimensions, blockSize, dataType, compression) to the ArraySpec
// the chunked readers and writers share. N5 lists axes fastest first; zoomflow's axes are C
// order, so every per-axis list is reversed, as zarr's N5 store reverses it (an N5 dataset of
// dimensions [x, y, z] reads as (z, y, x)); blocks are big-endian and start with a header.
#include <algorithm>

#include "../chunked/chunked_input.hpp"
#include "../chunked/chunked_output.hpp"
#include "../chunked/directory_store.hpp"
#include "../chunked/json_file.hpp"
#include "../driver.hpp"
#include "../json_attributes.hpp"
#include "n5_multiscale.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow::storage {
namespace {

using nlohmann::json;

constexpr const char* kN5Version = "4.0.0";
const char* const kReserved[] = {"dimensions",  "blockSize",       "dataType",
                                 "compression", "compressionType", "n5"};

bool is_reserved(const std::string& name) {
  return std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved);
}

Error bad(const std::string& where, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, where + ": " + why);
}
// Metadata zoomflow cannot honour: unusable as named, like bad usage (exit status 2).
Error unsupported(const std::string& where, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, where + ": " + why);
}

Shape reversed(const Shape& shape) {
  Shape out = shape;
  for (int a = 0; a < shape.rank(); ++a) out[a] = shape[shape.rank() - 1 - a];
  return out;
}

std::vector<Index> reversed_list(const Shape& shape) {
  std::vector<Index> list(shape.begin(), shape.end());
  std::reverse(list.begin(), list.end());
  return list;
}

Result<std::vector<BytesCodec>> parse_compression(const json& attributes, DType dtype,
                                                  const std::string& where) {
  json compression = attributes.value("compression", json());
  if (compression.is_null() && attributes.contains("compressionType"))  // N5 before 1.0
    compression = {{"type", attributes["compressionType"]}};
  if (compression.is_null()) compression = {{"type", "raw"}};
  const std::string type = compression.is_object() ? compression.value("type", std::string()) : "";
  std::vector<BytesCodec> codecs;
  BytesCodec codec;
  if (type == "raw") return codecs;
  if (type == "gzip") {
    codec.kind =
        compression.value("useZlib", false) ? BytesCodec::Kind::kZlib : BytesCodec::Kind::kGzip;
    codec.level = compression.value("level", -1);
  } else if (type == "zstd") {
    codec.kind = BytesCodec::Kind::kZstd;
    codec.level = compression.value("level", 3);
  } else if (type == "blosc") {
    codec.kind = BytesCodec::Kind::kBlosc;
    codec.blosc.compressor = compression.value("cname", std::string("lz4"));
    codec.blosc.level = compression.value("clevel", 5);
    const int shuffle = compression.value("shuffle", 1);
    codec.blosc.shuffle = shuffle == 2   ? BloscShuffle::kBit
                          : shuffle == 1 ? BloscShuffle::kByte
                                         : BloscShuffle::kNone;
    codec.blosc.type_size = dtype_size(dtype);
  } else if (type == "xz") {
    codec.kind = BytesCodec::Kind::kXz;
  } else {
    return unsupported(where,
                       "the compression '" + (type.empty() ? json_text(compression) : type) +
                           "' is not supported (zoomflow reads raw, gzip, zstd, blosc and xz)");
  }
  codecs.push_back(codec);
  return codecs;
}

Result<ArraySpec> parse_n5_array(const json& attributes, const std::string& where) {
  ArraySpec spec;
  ZF_ASSIGN_OR_RETURN(const Shape dimensions,
                      read_shape_member(attributes, "dimensions", where, false));
  ZF_ASSIGN_OR_RETURN(const Shape block, read_shape_member(attributes, "blockSize", where, true));
  if (block.rank() != dimensions.rank())
    return bad(where, "the blockSize " + to_string(block) + " has not the rank of the dimensions " +
                          to_string(dimensions));
  spec.shape = reversed(dimensions);
  spec.unit_shape = reversed(block);
  const json type = attributes.value("dataType", json());
  const std::string name = type.is_string() ? type.get<std::string>() : json_text(type);
  const auto dtype = parse_dtype(name);
  if (!dtype || *dtype == DType::kBool)
    return unsupported(where, "the dataType \"" + name +
                                  "\" is not supported; zoomflow reads int8..int64, uint8..uint64, "
                                  "float32 and float64 from N5");
  spec.dtype = *dtype;
  spec.fill.assign(dtype_size(spec.dtype), std::byte{0});
  spec.codec.big_endian = dtype_size(spec.dtype) > 1;
  spec.codec.n5_header = true;
  ZF_ASSIGN_OR_RETURN(spec.codec.bytes_codecs, parse_compression(attributes, spec.dtype, where));
  spec.keys.style = KeyEncoding::Style::kN5;
  return spec;
}

bool is_dataset(const json& attributes) {
  return attributes.is_object() && attributes.contains("dimensions");
}

void collect_datasets(const DirectoryStore& store, const std::string& key,
                      std::vector<std::string>& found, std::size_t& visited) {
  for (const std::string& name : store.list(key)) {
    if (name.starts_with(".") || ++visited > 4096) continue;
    const std::string child = join_key(key, name);
    if (!store.is_folder(child)) continue;
    auto attributes = read_json(store, join_key(child, "attributes.json"));
    if (attributes.ok() && *attributes && is_dataset(**attributes)) {
      found.push_back("/" + child);
    } else if (!std::all_of(name.begin(), name.end(), ::isdigit)) {
      collect_datasets(store, child, found, visited);  // block folders are numbers: skipped
    }
  }
}

std::string datasets_hint(const DirectoryStore& store, const std::string& key) {
  std::vector<std::string> found;
  std::size_t visited = 0;
  collect_datasets(store, key, found, visited);
  std::sort(found.begin(), found.end());
  if (found.empty()) return "it holds no datasets";
  std::string text = "its datasets: ";
  for (std::size_t i = 0; i < found.size() && i < 12; ++i) text += (i ? ", " : "") + found[i];
  if (found.size() > 12) text += " and " + std::to_string(found.size() - 12) + " more";
  return text;
}

Result<std::unique_ptr<InputDriver>> open_input(const DatasetPath& path,
                                                const InputOptions& options) {
  ZF_ASSIGN_OR_RETURN(DirectoryStore store, DirectoryStore::open(path.file));
  ZF_ASSIGN_OR_RETURN(const std::string key, normalize_node_path(path.dataset));
  const std::string where = key.empty() ? path.file : path.file + ":/" + key;
  ZF_ASSIGN_OR_RETURN(const std::optional<json> attributes,
                      read_json(store, join_key(key, "attributes.json")));
  if (!attributes || !is_dataset(*attributes)) {
    // A multiscale group (n5_multiscale.hpp) opens at its full resolution, s0.
    if (is_n5_multiscale(store, key))
      return open_input({path.file, "/" + join_key(key, n5_level_name(0))}, options);
    if (!key.empty() && !store.is_folder(key))
      return make_error(ErrorCode::kInvalidArgument,
                        path.file + " has no dataset /" + key + "; " + datasets_hint(store, ""));
    if (key.empty()) {
      std::vector<std::string> found;
      std::size_t visited = 0;
      collect_datasets(store, "", found, visited);
      if (found.size() == 1) return open_input({path.file, found[0]}, options);
      if (found.empty())
        return make_error(ErrorCode::kInvalidArgument, path.file + " holds no datasets");
      return make_error(ErrorCode::kInvalidArgument,
                        path.file + " holds " + std::to_string(found.size()) +
                            " datasets; name one as " + path.file + ":/DATASET (" +
                            datasets_hint(store, "").substr(14) + ")");
    }
    return make_error(ErrorCode::kInvalidArgument,
                      where + " is a group, not a dataset; " + datasets_hint(store, key));
  }
  DatasetInfo info;
  info.path = {path.file, key.empty() ? std::string() : "/" + key};
  ZF_ASSIGN_OR_RETURN(ArraySpec spec, parse_n5_array(*attributes, info.path.to_string()));
  info.format = StorageFormat::kN5;
  info.shape = spec.shape;
  info.codecs = spec.codec.describe(spec.dtype);
  info.fill_value = "0";
  json own = json::object();
  for (const auto& [name, value] : attributes->items())
    if (!is_reserved(name)) own[name] = value;
  info.attributes = attribute_infos(own);
  set_voxel_size_from_attributes(info);
  describe_n5_levels(store, key, info);
  if (options.measure_storage) info.storage_bytes = stored_bytes(store, key);
  return make_chunked_input(std::move(store), key, std::move(spec), std::move(info), options);
}

json compression_json(const CompressionSpec& compression) {
  switch (compression.codec) {
    case Codec::kNone:
      return {{"type", "raw"}};
    case Codec::kZstd:
      return {{"type", "zstd"}, {"level", compression.level}};
    case Codec::kDeflate:
      return {{"type", "gzip"}, {"level", compression.level}, {"useZlib", false}};
    case Codec::kBlosc:
      return {{"type", "blosc"},
              {"cname", compression.blosc_compressor},
              {"clevel", compression.level},
              {"shuffle", int(compression.blosc_shuffle)},
              {"blocksize", 0},
              {"nthreads", 1}};
  }
  return {{"type", "raw"}};
}

}  // namespace

Result<std::unique_ptr<InputDriver>> open_n5_input(const DatasetPath& path,
                                                   const InputOptions& options) {
  try {
    return open_input(path, options);
  } catch (const json::exception& error) {
    return make_error(ErrorCode::kInvalidArgument,
                      path.to_string() + ": malformed N5 attributes (" + error.what() + ")");
  }
}

Result<std::unique_ptr<OutputDriver>> create_n5_output(const ResolvedOutput& output) {
  const OutputOptions& options = output.options;
  if (options.dtype == DType::kBool)
    return make_error(ErrorCode::kInvalidArgument,
                      "N5 has no bool data type; write " + output.path.to_string() +
                          " as Zarr or HDF5, or cast to uint8 first (pipeline ... cast:uint8)");
  ChunkedOutputParts parts;
  ZF_ASSIGN_OR_RETURN(
      parts.staged, StagedArray::prepare(StorageFormat::kN5, output.path.file, output.path.dataset,
                                         options.overwrite, staging_request(options)));
  ArraySpec& spec = parts.spec;
  spec.shape = options.shape;
  spec.dtype = options.dtype;
  spec.unit_shape = options.chunk_shape;
  spec.fill.assign(dtype_size(options.dtype), std::byte{0});
  spec.keys.style = KeyEncoding::Style::kN5;
  spec.codec.big_endian = dtype_size(options.dtype) > 1;
  spec.codec.n5_header = true;
  BytesCodec codec;
  switch (options.compression.codec) {
    case Codec::kNone:
      break;
    case Codec::kZstd:
      codec.kind = BytesCodec::Kind::kZstd;
      break;
    case Codec::kDeflate:
      codec.kind = BytesCodec::Kind::kGzip;
      break;
    case Codec::kBlosc:
      codec.kind = BytesCodec::Kind::kBlosc;
      codec.blosc = {options.compression.blosc_compressor, options.compression.level,
                     options.compression.blosc_shuffle, dtype_size(options.dtype), 0};
      break;
  }
  codec.level = options.compression.level;
  if (options.compression.codec != Codec::kNone) spec.codec.bytes_codecs.push_back(codec);

  json attributes = options.copy_attributes_from != nullptr
                        ? copied_attributes(options.copy_attributes_from->info(),
                                            options.voxel_size_scale, StorageFormat::kN5, true)
                        : json::object();
  for (const char* name : kReserved) attributes.erase(name);
  std::map<std::string, std::string> provenance = options.provenance;
  provenance.try_emplace("zoomflow_version", ZOOMFLOW_VERSION);
  for (const auto& [name, value] : provenance) attributes[name] = value;
  attributes["dimensions"] = reversed_list(spec.shape);
  attributes["blockSize"] = reversed_list(spec.unit_shape);
  attributes["dataType"] = std::string(dtype_name(spec.dtype));
  attributes["compression"] = compression_json(options.compression);
  if (parts.staged->array_path().empty()) attributes["n5"] = kN5Version;
  parts.write_metadata = [attributes](const DirectoryStore& folder) -> Status {
    return folder.write_text("attributes.json", attributes.dump(2) + "\n");
  };
  return make_chunked_output(std::move(parts));
}

}  // namespace zoomflow::storage
