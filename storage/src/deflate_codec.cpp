#include "zoomflow/storage/deflate_codec.hpp"

#include <string>

#include <zlib.h>

namespace zoomflow::storage {

std::size_t deflate_compress_bound(std::size_t raw_bytes) {
  return compressBound(uLong(raw_bytes));
}

Result<std::size_t> deflate_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                     int level) {
  uLongf out_size = uLongf(out.size());
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &out_size,
                           reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), level);
  if (rc != Z_OK)
    return make_error(ErrorCode::kInternal,
                      std::string("deflate compression failed: ") + zError(rc));
  return std::size_t(out_size);
}

Status deflate_decompress(std::span<const std::byte> compressed, std::span<std::byte> out) {
  uLongf out_size = uLongf(out.size());
  uLong in_size = uLong(compressed.size());
  const int rc = uncompress2(reinterpret_cast<Bytef*>(out.data()), &out_size,
                             reinterpret_cast<const Bytef*>(compressed.data()), &in_size);
  if (rc == Z_BUF_ERROR && out_size == out.size())
    return make_error(ErrorCode::kCorrupt, "deflate data decodes to more than " +
                                               std::to_string(out.size()) +
                                               " bytes or is cut short");
  if (rc != Z_OK)
    return make_error(ErrorCode::kCorrupt,
                      std::string("deflate data does not decode: ") + zError(rc));
  if (out_size != out.size())
    return make_error(ErrorCode::kCorrupt, "deflate data decodes to " + std::to_string(out_size) +
                                               " bytes instead of " + std::to_string(out.size()));
  return ok_status();
}

}  // namespace zoomflow::storage
