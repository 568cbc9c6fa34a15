#include "zoomflow/storage/compression.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

constexpr int kDefaultZstdLevel = 1;
constexpr int kDefaultGzipLevel = 4;   // h5py's default
constexpr int kDefaultBloscLevel = 5;  // numcodecs' default

constexpr std::array<std::string_view, 6> kBloscCompressors = {"blosclz", "lz4",  "lz4hc",
                                                               "snappy",  "zlib", "zstd"};

Error bad_compression(std::string_view text, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument,
                    "--compression '" + std::string(text) + "': " + why +
                        " (write zstd[:LEVEL], gzip[:LEVEL], blosc[:CNAME][:LEVEL][:SHUFFLE] or "
                        "none)");
}

bool parse_int(std::string_view text, int& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::string_view shuffle_name(BloscShuffle shuffle) {
  switch (shuffle) {
    case BloscShuffle::kNone:
      return "noshuffle";
    case BloscShuffle::kByte:
      return "shuffle";
    case BloscShuffle::kBit:
      return "bitshuffle";
  }
  return "shuffle";
}

// blosc[:CNAME][:LEVEL][:SHUFFLE], the parts told apart by what they are.
Result<CompressionSpec> parse_blosc(std::string_view text, std::string_view rest) {
  CompressionSpec spec{Codec::kBlosc, kDefaultBloscLevel};
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view part = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    int level = 0;
    if (parse_int(part, level)) {
      if (level < 0 || level > 9) return bad_compression(text, "the blosc level must be in 0..9");
      spec.level = level;
    } else if (part == "noshuffle" || part == "shuffle" || part == "bitshuffle") {
      spec.blosc_shuffle = part == "noshuffle" ? BloscShuffle::kNone
                           : part == "shuffle" ? BloscShuffle::kByte
                                               : BloscShuffle::kBit;
    } else if (std::find(kBloscCompressors.begin(), kBloscCompressors.end(), part) !=
               kBloscCompressors.end()) {
      spec.blosc_compressor = std::string(part);
    } else {
      return bad_compression(text, "'" + std::string(part) +
                                       "' is no blosc compressor (blosclz, lz4, lz4hc, snappy, "
                                       "zlib, zstd), level (0..9) or shuffle (noshuffle, shuffle, "
                                       "bitshuffle)");
    }
  }
  return spec;
}

}  // namespace

std::string CompressionSpec::to_string() const {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kZstd:
      return "zstd:" + std::to_string(level);
    case Codec::kDeflate:
      return "gzip:" + std::to_string(level);
    case Codec::kBlosc:
      return "blosc:" + blosc_compressor + ":" + std::to_string(level) + ":" +
             std::string(shuffle_name(blosc_shuffle));
  }
  return "unknown";
}

Result<CompressionSpec> parse_compression(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  const std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  CompressionSpec spec;
  int lo = 0, hi = 0;
  if (name == "none") {
    if (colon != std::string_view::npos) return bad_compression(text, "'none' takes no level");
    return CompressionSpec{Codec::kNone, 0};
  } else if (name == "blosc") {
    return parse_blosc(text, rest);
  } else if (name == "zstd") {
    spec = {Codec::kZstd, kDefaultZstdLevel};
    lo = zstd_min_level();
    hi = zstd_max_level();
  } else if (name == "gzip" || name == "deflate") {
    spec = {Codec::kDeflate, kDefaultGzipLevel};
    lo = 0;
    hi = 9;
  } else {
    return bad_compression(text, "unknown codec '" + std::string(name) + "'");
  }
  if (colon == std::string_view::npos) return spec;
  if (!parse_int(rest, spec.level)) return bad_compression(text, "the level must be an integer");
  if (spec.level < lo || spec.level > hi)
    return bad_compression(
        text, "the level must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  return spec;
}

}  // namespace zoomflow::storage
