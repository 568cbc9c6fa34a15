#include "zarr_metadata.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "../chunked/json_file.hpp"

namespace zoomflow::storage {
namespace {

using nlohmann::json;

Error bad(const std::string& where, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, where + ": " + why);
}
// Metadata zoomflow cannot honour: unusable as named, like bad usage (exit status 2).
Error unsupported(const std::string& where, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, where + ": " + why);
}

constexpr const char* kDtypeList = "bool, int8..int64, uint8..uint64, float32 and float64";

struct ZarrDtype {
  DType dtype = DType::kUInt8;
  bool big_endian = false;
};

// numpy's typestr as Zarr v2 stores it: "<u2", ">f8", "|b1", "|i1".
Result<ZarrDtype> parse_v2_dtype(const json& value, const std::string& where) {
  if (!value.is_string())
    return unsupported(where, "the dtype " + json_text(value) +
                                  " (a structured type) is not supported; zoomflow reads " +
                                  kDtypeList);
  const std::string text = value.get<std::string>();
  if (text.size() < 3) return bad(where, "the dtype \"" + text + "\" is not a numpy typestr");
  const char order = text[0];
  const std::string kind_size = text.substr(1);
  static const std::pair<const char*, DType> kTypes[] = {
      {"b1", DType::kBool},    {"i1", DType::kInt8},   {"i2", DType::kInt16},
      {"i4", DType::kInt32},   {"i8", DType::kInt64},  {"u1", DType::kUInt8},
      {"u2", DType::kUInt16},  {"u4", DType::kUInt32}, {"u8", DType::kUInt64},
      {"f4", DType::kFloat32}, {"f8", DType::kFloat64}};
  if (order == '<' || order == '>' || order == '|')
    for (const auto& [name, dtype] : kTypes)
      if (kind_size == name) return ZarrDtype{dtype, order == '>' && dtype_size(dtype) > 1};
  return unsupported(where, "the dtype \"" + text + "\" is not supported; zoomflow reads " +
                                kDtypeList + " (|b1, |i1, <i2 ... <f8, either byte order)");
}

Result<DType> parse_v3_dtype(const json& value, const std::string& where) {
  if (value.is_string()) {
    const std::string name = value.get<std::string>();
    if (auto dtype = parse_dtype(name)) return *dtype;
    return unsupported(
        where, "the data type \"" + name + "\" is not supported; zoomflow reads " + kDtypeList);
  }
  return unsupported(where, "the data type " + json_text(value) +
                                " is not supported; zoomflow reads " + kDtypeList);
}

template <class T>
std::vector<std::byte> bytes_of(T value) {
  std::vector<std::byte> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

Result<std::vector<std::byte>> hex_fill(const std::string& text, DType dtype,
                                        const std::string& where) {
  const std::size_t size = dtype_size(dtype);
  if (text.size() != 2 + 2 * size)
    return bad(where, "the fill value \"" + text + "\" must give " + std::to_string(2 * size) +
                          " hex digits");
  std::uint64_t bits = 0;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return bad(where, "the fill value \"" + text + "\" is not hexadecimal");
    bits = (bits << 4) | std::uint64_t(digit);
  }
  std::vector<std::byte> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = std::byte((bits >> (8 * i)) & 0xFF);
  return bytes;
}

BloscShuffle shuffle_from_number(int shuffle, DType dtype) {
  if (shuffle == -1)  // numcodecs' AUTOSHUFFLE
    return dtype_size(dtype) == 1 ? BloscShuffle::kBit : BloscShuffle::kByte;
  return shuffle == 2   ? BloscShuffle::kBit
         : shuffle == 1 ? BloscShuffle::kByte
                        : BloscShuffle::kNone;
}

int int_member(const json& object, const char* name, int fallback) {
  const auto it = object.find(name);
  return it != object.end() && it->is_number() ? it->get<int>() : fallback;
}

// --- Zarr v2 -------------------------------------------------------------------------------

Result<std::vector<BytesCodec>> parse_v2_compressor(const json& compressor, DType dtype,
                                                    const std::string& where) {
  std::vector<BytesCodec> codecs;
  if (compressor.is_null()) return codecs;
  if (!compressor.is_object() || !compressor.contains("id") || !compressor["id"].is_string())
    return bad(where, "the compressor " + json_text(compressor) + " has no \"id\"");
  const std::string id = compressor["id"].get<std::string>();
  BytesCodec codec;
  if (id == "zstd") {
    codec.kind = BytesCodec::Kind::kZstd;
    codec.level = int_member(compressor, "level", 1);
  } else if (id == "gzip" || id == "zlib") {
    codec.kind = id == "gzip" ? BytesCodec::Kind::kGzip : BytesCodec::Kind::kZlib;
    codec.level = int_member(compressor, "level", 1);
  } else if (id == "blosc") {
    codec.kind = BytesCodec::Kind::kBlosc;
    codec.blosc.compressor = compressor.value("cname", std::string("lz4"));
    codec.blosc.level = int_member(compressor, "clevel", 5);
    codec.blosc.shuffle = shuffle_from_number(int_member(compressor, "shuffle", 1), dtype);
    codec.blosc.type_size = dtype_size(dtype);
    codec.blosc.block_size = std::size_t(std::max(0, int_member(compressor, "blocksize", 0)));
  } else if (id == "lzma") {
    const int format = int_member(compressor, "format", 1);
    if (format != 1 || (compressor.contains("filters") && !compressor["filters"].is_null()))
      return unsupported(where, "lzma is read in its xz format (format 1) without filters only");
    codec.kind = BytesCodec::Kind::kXz;
  } else {
    return unsupported(where, "the compressor '" + id +
                                  "' is not supported (zoomflow reads blosc, zstd, gzip, zlib, "
                                  "lzma and none)");
  }
  codecs.push_back(codec);
  return codecs;
}

// --- Zarr v3 -------------------------------------------------------------------------------

struct ParsedCodecs {
  ChunkCodec codec;
  std::optional<ShardingSpec> sharding;
};

std::string codec_name(const json& entry) {
  if (entry.is_string()) return entry.get<std::string>();
  if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
    return entry["name"].get<std::string>();
  return {};
}

json codec_configuration(const json& entry) {
  if (entry.is_object() && entry.contains("configuration") && entry["configuration"].is_object())
    return entry["configuration"];
  return json::object();
}

Result<bool> parse_endian(const json& configuration, DType dtype, const std::string& where) {
  if (!configuration.contains("endian") || configuration["endian"].is_null()) {
    return false;
  }
  const std::string endian = configuration["endian"].is_string()
                                 ? configuration["endian"].get<std::string>()
                                 : json_text(configuration["endian"]);
  if (endian == "little") return false;
  if (endian == "big") return dtype_size(dtype) > 1;
  return bad(where, "the bytes codec's endian \"" + endian + "\" is neither little nor big");
}

Result<ParsedCodecs> parse_v3_codecs(const json& codecs, DType dtype, int rank,
                                     const Shape& chunk_shape, const std::string& where,
                                     bool allow_sharding);

Result<ShardingSpec> parse_sharding(const json& configuration, DType dtype, int rank,
                                    const Shape& shard_shape, const std::string& where) {
  ShardingSpec sharding;
  ZF_ASSIGN_OR_RETURN(sharding.chunk_shape, read_shape_member(configuration, "chunk_shape",
                                                              where + " sharding_indexed", true));
  if (sharding.chunk_shape.rank() != rank)
    return bad(where, "the inner chunk shape " + to_string(sharding.chunk_shape) +
                          " has not the array's rank");
  for (int a = 0; a < rank; ++a)
    if (shard_shape[a] % sharding.chunk_shape[a] != 0)
      return bad(where, "the shard shape " + to_string(shard_shape) +
                            " is not a multiple of the inner chunk shape " +
                            to_string(sharding.chunk_shape));
  const json inner = configuration.value("codecs", json::array({{{"name", "bytes"}}}));
  ZF_ASSIGN_OR_RETURN(ParsedCodecs parsed,
                      parse_v3_codecs(inner, dtype, rank, sharding.chunk_shape, where, false));
  sharding.codec = parsed.codec;
  const std::string location = configuration.value("index_location", std::string("end"));
  if (location != "end" && location != "start")
    return bad(where, "the shard index_location \"" + location + "\" is neither start nor end");
  sharding.index_at_end = location == "end";
  const json index_codecs = configuration.value(
      "index_codecs", json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}},
                                   {{"name", "crc32c"}}}));
  sharding.index_crc32c = false;
  bool bytes_seen = false;
  for (const json& entry : index_codecs) {
    const std::string name = codec_name(entry);
    if (name == "bytes" && !bytes_seen) {
      ZF_ASSIGN_OR_RETURN(sharding.index_big_endian,
                          parse_endian(codec_configuration(entry), DType::kUInt64, where));
      bytes_seen = true;
    } else if (name == "crc32c" && bytes_seen && !sharding.index_crc32c) {
      sharding.index_crc32c = true;
    } else {
      return unsupported(where, "the shard index codecs " + json_text(index_codecs) +
                                    " are not supported (zoomflow reads bytes, then crc32c)");
    }
  }
  if (!bytes_seen) return bad(where, "the shard index codecs name no bytes codec");
  return sharding;
}

Result<ParsedCodecs> parse_v3_codecs(const json& codecs, DType dtype, int rank,
                                     const Shape& chunk_shape, const std::string& where,
                                     bool allow_sharding) {
  if (!codecs.is_array() || codecs.empty())
    return bad(where, "\"codecs\" must be a non-empty list");
  ParsedCodecs parsed;
  enum class Stage { kArrayToArray, kBytesToBytes } stage = Stage::kArrayToArray;
  std::vector<int> order;
  for (const json& entry : codecs) {
    const std::string name = codec_name(entry);
    const json configuration = codec_configuration(entry);
    if (name == "transpose") {
      if (stage != Stage::kArrayToArray)
        return bad(where, "transpose comes after the array-to-bytes codec");
      const json value = configuration.value("order", json());
      std::vector<int> step;
      if (value.is_string()) {
        step.resize(std::size_t(rank));
        std::iota(step.begin(), step.end(), 0);
        if (value.get<std::string>() == "F") std::reverse(step.begin(), step.end());
      } else if (value.is_array() && value.size() == std::size_t(rank)) {
        for (const json& v : value) step.push_back(v.is_number_integer() ? v.get<int>() : -1);
      }
      std::vector<int> sorted = step;
      std::sort(sorted.begin(), sorted.end());
      for (int a = 0; a < rank; ++a)
        if (sorted.size() != std::size_t(rank) || sorted[std::size_t(a)] != a)
          return bad(where, "the transpose order " + json_text(value) +
                                " is not a permutation of the axes");
      if (order.empty()) {
        order = step;
      } else {
        std::vector<int> composed(step.size());
        for (std::size_t k = 0; k < step.size(); ++k) composed[k] = order[std::size_t(step[k])];
        order = composed;
      }
    } else if (name == "bytes" || name == "endian") {
      if (stage != Stage::kArrayToArray) return bad(where, "two array-to-bytes codecs");
      ZF_ASSIGN_OR_RETURN(parsed.codec.big_endian, parse_endian(configuration, dtype, where));
      stage = Stage::kBytesToBytes;
    } else if (name == "sharding_indexed") {
      if (!allow_sharding) return unsupported(where, "sharding inside sharding is not supported");
      if (stage != Stage::kArrayToArray) return bad(where, "two array-to-bytes codecs");
      if (!order.empty())
        return unsupported(where, "a transpose before sharding_indexed is not supported");
      ZF_ASSIGN_OR_RETURN(ShardingSpec sharding,
                          parse_sharding(configuration, dtype, rank, chunk_shape, where));
      parsed.sharding = std::move(sharding);
      stage = Stage::kBytesToBytes;
    } else if (name == "zstd" || name == "gzip" || name == "blosc" || name == "crc32c") {
      if (stage != Stage::kBytesToBytes)
        return bad(where, "the codec " + name + " comes before the array-to-bytes codec");
      if (parsed.sharding)
        return unsupported(where, "codecs after sharding_indexed (" + name + ") are not supported");
      BytesCodec codec;
      if (name == "zstd") {
        codec.kind = BytesCodec::Kind::kZstd;
        codec.level = int_member(configuration, "level", 0);
        codec.checksum = configuration.value("checksum", false);
      } else if (name == "gzip") {
        codec.kind = BytesCodec::Kind::kGzip;
        codec.level = int_member(configuration, "level", 1);
      } else if (name == "crc32c") {
        codec.kind = BytesCodec::Kind::kCrc32c;
      } else {
        codec.kind = BytesCodec::Kind::kBlosc;
        codec.blosc.compressor = configuration.value("cname", std::string("lz4"));
        codec.blosc.level = int_member(configuration, "clevel", 5);
        const std::string shuffle = configuration.value("shuffle", std::string("noshuffle"));
        codec.blosc.shuffle = shuffle == "bitshuffle" ? BloscShuffle::kBit
                              : shuffle == "shuffle"  ? BloscShuffle::kByte
                                                      : BloscShuffle::kNone;
        codec.blosc.type_size =
            std::size_t(int_member(configuration, "typesize", int(dtype_size(dtype))));
      }
      parsed.codec.bytes_codecs.push_back(codec);
    } else {
      return unsupported(where, "the codec '" + (name.empty() ? json_text(entry) : name) +
                                    "' is not supported (zoomflow reads transpose, bytes, blosc, "
                                    "zstd, gzip, crc32c and sharding_indexed)");
    }
  }
  if (stage != Stage::kBytesToBytes) return bad(where, "the codecs name no array-to-bytes codec");
  parsed.codec.order = order;
  // The identity permutation needs no transposition.
  bool identity = true;
  for (std::size_t k = 0; k < order.size(); ++k) identity = identity && order[k] == int(k);
  if (identity) parsed.codec.order.clear();
  return parsed;
}

json bytes_codec_json(DType dtype) {
  json codec = {{"name", "bytes"}};
  if (dtype_size(dtype) > 1) codec["configuration"] = {{"endian", "little"}};
  return codec;
}

json v3_codec_json(const BytesCodec& codec) {
  switch (codec.kind) {
    case BytesCodec::Kind::kZstd:
      return {{"name", "zstd"}, {"configuration", {{"level", codec.level}, {"checksum", true}}}};
    case BytesCodec::Kind::kGzip:
      return {{"name", "gzip"}, {"configuration", {{"level", codec.level}}}};
    case BytesCodec::Kind::kBlosc: {
      const char* shuffle = codec.blosc.shuffle == BloscShuffle::kBit    ? "bitshuffle"
                            : codec.blosc.shuffle == BloscShuffle::kByte ? "shuffle"
                                                                         : "noshuffle";
      return {{"name", "blosc"},
              {"configuration",
               {{"cname", codec.blosc.compressor},
                {"clevel", codec.blosc.level},
                {"shuffle", shuffle},
                {"typesize", codec.blosc.type_size},
                {"blocksize", 0}}}};
    }
    case BytesCodec::Kind::kCrc32c:
      return {{"name", "crc32c"}};
    default:
      return json();
  }
}

json v3_chain_json(const ChunkCodec& codec, DType dtype) {
  json chain = json::array({bytes_codec_json(dtype)});
  for (const BytesCodec& step : codec.bytes_codecs) chain.push_back(v3_codec_json(step));
  return chain;
}

json fill_json(DType dtype) {
  if (dtype == DType::kBool) return false;
  if (is_floating(dtype)) return 0.0;
  return 0;
}

std::string v2_dtype_text(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "|b1";
    case DType::kInt8:
      return "|i1";
    case DType::kUInt8:
      return "|u1";
    case DType::kInt16:
      return "<i2";
    case DType::kInt32:
      return "<i4";
    case DType::kInt64:
      return "<i8";
    case DType::kUInt16:
      return "<u2";
    case DType::kUInt32:
      return "<u4";
    case DType::kUInt64:
      return "<u8";
    case DType::kFloat32:
      return "<f4";
    case DType::kFloat64:
      return "<f8";
  }
  return "|u1";
}

Result<Shape> read_chunk_grid(const json& meta, int rank, const std::string& where) {
  const json grid = meta.value("chunk_grid", json());
  if (!grid.is_object() || grid.value("name", std::string()) != "regular")
    return unsupported(where, "the chunk grid " + json_text(grid) +
                                  " is not supported (zoomflow reads the regular grid)");
  ZF_ASSIGN_OR_RETURN(Shape chunks, read_shape_member(grid.value("configuration", json::object()),
                                                      "chunk_shape", where, true));
  if (chunks.rank() != rank)
    return bad(where, "the chunk shape " + to_string(chunks) + " has not the array's rank");
  return chunks;
}

Result<KeyEncoding> read_key_encoding(const json& meta, const std::string& where) {
  const json encoding = meta.value("chunk_key_encoding", json{{"name", "default"}});
  const std::string name = encoding.is_object() ? encoding.value("name", std::string()) : "";
  const json configuration =
      encoding.is_object() ? encoding.value("configuration", json::object()) : json::object();
  KeyEncoding keys;
  if (name == "default") {
    keys.style = KeyEncoding::Style::kZarr3;
    keys.separator = '/';
  } else if (name == "v2") {
    keys.style = KeyEncoding::Style::kZarr2;
    keys.separator = '.';
  } else {
    return unsupported(where, "the chunk key encoding " + json_text(encoding) +
                                  " is not supported (zoomflow reads default and v2)");
  }
  const std::string separator = configuration.value("separator", std::string(1, keys.separator));
  if (separator != "/" && separator != ".")
    return bad(where, "the chunk key separator \"" + separator + "\" is neither / nor .");
  keys.separator = separator[0];
  return keys;
}

}  // namespace

Result<std::vector<std::byte>> parse_fill_value(const json& value, DType dtype,
                                                const std::string& where) {
  if (value.is_null()) return std::vector<std::byte>(dtype_size(dtype), std::byte{0});
  return visit_dtype(dtype, [&](auto tag) -> Result<std::vector<std::byte>> {
    using T = typename decltype(tag)::type;
    const auto refuse = [&] {
      return bad(where, "the fill value " + json_text(value) + " is not a " +
                            std::string(dtype_name(dtype)));
    };
    if (value.is_boolean()) {
      if (dtype != DType::kBool && is_floating(dtype)) return refuse();
      return bytes_of(T(value.get<bool>() ? 1 : 0));
    }
    if (value.is_string()) {
      const std::string text = value.get<std::string>();
      if (text.starts_with("0x")) return hex_fill(text, dtype, where);
      if constexpr (std::is_floating_point_v<T>) {
        if (text == "NaN") return bytes_of(std::numeric_limits<T>::quiet_NaN());
        if (text == "Infinity") return bytes_of(std::numeric_limits<T>::infinity());
        if (text == "-Infinity") return bytes_of(-std::numeric_limits<T>::infinity());
      }
      return refuse();
    }
    if (!value.is_number()) return refuse();
    if constexpr (std::is_floating_point_v<T>) {
      return bytes_of(T(value.get<double>()));
    } else {
      if (dtype == DType::kBool) {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
            value.get<std::int64_t>() > 1)
          return refuse();
        return bytes_of(T(value.get<std::int64_t>()));
      }
      if (value.is_number_unsigned()) {
        const std::uint64_t v = value.get<std::uint64_t>();
        if (v > std::uint64_t(std::numeric_limits<T>::max())) return refuse();
        return bytes_of(T(v));
      }
      if (value.is_number_integer()) {
        const std::int64_t v = value.get<std::int64_t>();
        if constexpr (std::is_unsigned_v<T>) {
          if (v < 0) return refuse();
          if (std::uint64_t(v) > std::uint64_t(std::numeric_limits<T>::max())) return refuse();
        } else {
          if (v < std::int64_t(std::numeric_limits<T>::min()) ||
              v > std::int64_t(std::numeric_limits<T>::max()))
            return refuse();
        }
        return bytes_of(T(v));
      }
      const double d = value.get<double>();
      if (d != std::floor(d) || d < double(std::numeric_limits<T>::min()) ||
          d > double(std::numeric_limits<T>::max()))
        return refuse();
      return bytes_of(T(d));
    }
  });
}

std::string zarr_fill_text(const json& metadata) {
  return json_text(metadata.value("fill_value", json()));
}

Result<ArraySpec> parse_zarr2_array(const json& zarray, const std::string& where) {
  if (!zarray.is_object()) return bad(where, ".zarray is not a JSON object");
  if (zarray.value("zarr_format", 0) != 2)
    return bad(where, ".zarray gives zarr_format " +
                          json_text(zarray.value("zarr_format", json())) + ", not 2");
  ArraySpec spec;
  ZF_ASSIGN_OR_RETURN(spec.shape, read_shape_member(zarray, "shape", where, false));
  ZF_ASSIGN_OR_RETURN(spec.unit_shape, read_shape_member(zarray, "chunks", where, true));
  if (spec.unit_shape.rank() != spec.shape.rank())
    return bad(where, "the chunks " + to_string(spec.unit_shape) +
                          " have not the rank of the shape " + to_string(spec.shape));
  ZF_ASSIGN_OR_RETURN(const ZarrDtype type, parse_v2_dtype(zarray.value("dtype", json()), where));
  spec.dtype = type.dtype;
  spec.codec.big_endian = type.big_endian;
  ZF_ASSIGN_OR_RETURN(spec.fill,
                      parse_fill_value(zarray.value("fill_value", json()), spec.dtype, where));
  const std::string order = zarray.value("order", std::string("C"));
  if (order == "F") {
    spec.codec.order.resize(std::size_t(spec.shape.rank()));
    std::iota(spec.codec.order.rbegin(), spec.codec.order.rend(), 0);
    if (spec.shape.rank() == 1) spec.codec.order.clear();
  } else if (order != "C") {
    return bad(where, "the order \"" + order + "\" is neither C nor F");
  }
  const json filters = zarray.value("filters", json());
  if (filters.is_array() && !filters.empty()) {
    const json& first = filters[0];
    const std::string id =
        first.is_object() ? first.value("id", json_text(first)) : json_text(first);
    return unsupported(
        where, "the filter '" + id + "' is not supported (zoomflow reads arrays without filters)");
  }
  if (!filters.is_null() && !filters.is_array())
    return bad(where, "\"filters\" must be null or a list");
  ZF_ASSIGN_OR_RETURN(spec.codec.bytes_codecs,
                      parse_v2_compressor(zarray.value("compressor", json()), spec.dtype, where));
  spec.keys.style = KeyEncoding::Style::kZarr2;
  const std::string separator = zarray.value("dimension_separator", std::string("."));
  if (separator != "." && separator != "/")
    return bad(where, "the dimension_separator \"" + separator + "\" is neither . nor /");
  spec.keys.separator = separator[0];
  return spec;
}

Result<ArraySpec> parse_zarr3_array(const json& meta, const std::string& where) {
  if (!meta.is_object()) return bad(where, "zarr.json is not a JSON object");
  static const char* kKnown[] = {
      "zarr_format",         "node_type",  "shape",  "data_type",  "chunk_grid",
      "chunk_key_encoding",  "fill_value", "codecs", "attributes", "dimension_names",
      "storage_transformers"};
  for (const auto& [key, value] : meta.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) != std::end(kKnown)) continue;
    if (value.is_object() && value.value("must_understand", true) == false) continue;
    return unsupported(
        where, "zarr.json has the extension \"" + key + "\", which zoomflow does not understand");
  }
  const json transformers = meta.value("storage_transformers", json::array());
  if (!transformers.is_array() || !transformers.empty())
    return unsupported(where, "storage transformers are not supported");
  ArraySpec spec;
  ZF_ASSIGN_OR_RETURN(spec.shape, read_shape_member(meta, "shape", where, false));
  ZF_ASSIGN_OR_RETURN(spec.dtype, parse_v3_dtype(meta.value("data_type", json()), where));
  ZF_ASSIGN_OR_RETURN(spec.unit_shape, read_chunk_grid(meta, spec.shape.rank(), where));
  ZF_ASSIGN_OR_RETURN(spec.keys, read_key_encoding(meta, where));
  if (!meta.contains("fill_value")) return bad(where, "zarr.json has no fill_value");
  ZF_ASSIGN_OR_RETURN(spec.fill, parse_fill_value(meta["fill_value"], spec.dtype, where));
  ZF_ASSIGN_OR_RETURN(ParsedCodecs parsed,
                      parse_v3_codecs(meta.value("codecs", json()), spec.dtype, spec.shape.rank(),
                                      spec.unit_shape, where, true));
  spec.codec = parsed.codec;
  spec.sharding = std::move(parsed.sharding);
  return spec;
}

ChunkCodec codec_for(const CompressionSpec& compression, DType dtype) {
  ChunkCodec codec;
  BytesCodec step;
  switch (compression.codec) {
    case Codec::kNone:
      return codec;
    case Codec::kZstd:
      step.kind = BytesCodec::Kind::kZstd;
      step.level = compression.level;
      step.checksum = true;
      break;
    case Codec::kDeflate:
      step.kind = BytesCodec::Kind::kGzip;
      step.level = compression.level;
      break;
    case Codec::kBlosc:
      step.kind = BytesCodec::Kind::kBlosc;
      step.blosc.compressor = compression.blosc_compressor;
      step.blosc.level = compression.level;
      step.blosc.shuffle = compression.blosc_shuffle;
      step.blosc.type_size = dtype_size(dtype);
      break;
  }
  codec.bytes_codecs.push_back(step);
  return codec;
}

json zarr2_metadata(const ArraySpec& spec, const CompressionSpec& compression) {
  json compressor;
  switch (compression.codec) {
    case Codec::kNone:
      break;
    case Codec::kZstd:
      compressor = {{"id", "zstd"}, {"level", compression.level}};
      break;
    case Codec::kDeflate:
      compressor = {{"id", "gzip"}, {"level", compression.level}};
      break;
    case Codec::kBlosc:
      compressor = {{"id", "blosc"},
                    {"cname", compression.blosc_compressor},
                    {"clevel", compression.level},
                    {"shuffle", int(compression.blosc_shuffle)},
                    {"blocksize", 0}};
      break;
  }
  return {{"zarr_format", 2},
          {"shape", std::vector<Index>(spec.shape.begin(), spec.shape.end())},
          {"chunks", std::vector<Index>(spec.unit_shape.begin(), spec.unit_shape.end())},
          {"dtype", v2_dtype_text(spec.dtype)},
          {"compressor", compressor},
          {"fill_value", fill_json(spec.dtype)},
          {"order", "C"},
          {"filters", nullptr},
          {"dimension_separator", std::string(1, spec.keys.separator)}};
}

json zarr3_metadata(const ArraySpec& spec, const CompressionSpec&, const json& attributes,
                    const std::vector<std::string>& dimension_names) {
  json codecs;
  if (spec.sharding) {
    const ShardingSpec& sharding = *spec.sharding;
    json index_codecs =
        json::array({{{"name", "bytes"}, {"configuration", {{"endian", "little"}}}}});
    if (sharding.index_crc32c) index_codecs.push_back({{"name", "crc32c"}});
    codecs = json::array({{{"name", "sharding_indexed"},
                           {"configuration",
                            {{"chunk_shape", std::vector<Index>(sharding.chunk_shape.begin(),
                                                                sharding.chunk_shape.end())},
                             {"codecs", v3_chain_json(sharding.codec, spec.dtype)},
                             {"index_codecs", index_codecs},
                             {"index_location", sharding.index_at_end ? "end" : "start"}}}}});
  } else {
    codecs = v3_chain_json(spec.codec, spec.dtype);
  }
  json meta = {
      {"zarr_format", 3},
      {"node_type", "array"},
      {"shape", std::vector<Index>(spec.shape.begin(), spec.shape.end())},
      {"data_type", std::string(dtype_name(spec.dtype))},
      {"chunk_grid",
       {{"name", "regular"},
        {"configuration",
         {{"chunk_shape", std::vector<Index>(spec.unit_shape.begin(), spec.unit_shape.end())}}}}},
      {"chunk_key_encoding",
       {{"name", "default"},
        {"configuration", {{"separator", std::string(1, spec.keys.separator)}}}}},
      {"fill_value", fill_json(spec.dtype)},
      {"codecs", codecs},
      {"attributes", attributes.is_object() ? attributes : json::object()}};
  if (!dimension_names.empty()) meta["dimension_names"] = dimension_names;
  return meta;
}

}  // namespace zoomflow::storage
