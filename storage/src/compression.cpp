#include "zoomflow/storage/compression.hpp"

#include <charconv>

#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

constexpr int kDefaultZstdLevel = 1;
constexpr int kDefaultGzipLevel = 4;  // h5py's default

Error bad_compression(std::string_view text, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument, "--compression '" + std::string(text) +
                                                     "': " + why +
                                                     " (write zstd[:LEVEL], gzip[:LEVEL] or none)");
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
  }
  return "unknown";
}

Result<CompressionSpec> parse_compression(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  CompressionSpec spec;
  int lo = 0, hi = 0;
  if (name == "none") {
    if (colon != std::string_view::npos) return bad_compression(text, "'none' takes no level");
    return CompressionSpec{Codec::kNone, 0};
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
  const std::string_view level = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(level.data(), level.data() + level.size(), spec.level);
  if (level.empty() || ec != std::errc() || end != level.data() + level.size())
    return bad_compression(text, "the level must be an integer");
  if (spec.level < lo || spec.level > hi)
    return bad_compression(
        text, "the level must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  return spec;
}

}  // namespace zoomflow::storage
