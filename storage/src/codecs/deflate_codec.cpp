#include "zoomflow/storage/deflate_codec.hpp"

#include <cstring>
#include <string>

#include <zlib.h>

namespace zoomflow::storage {
namespace {

constexpr int kWindowBits = 15;
constexpr int kGzipWindowBits = kWindowBits + 16;    // deflateInit2: write a gzip header
constexpr int kDetectWindowBits = kWindowBits + 32;  // inflateInit2: zlib or gzip, detected
constexpr int kMemoryLevel = 8;                      // zlib's default

Error corrupt(const std::string& why) {
  return make_error(ErrorCode::kCorrupt, "deflate data " + why);
}

// An inflate stream, ended on scope exit.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kDetectWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

std::size_t deflate_compress_bound(std::size_t raw_bytes) {
  return compressBound(uLong(raw_bytes)) + 18;  // the gzip header and trailer, beyond zlib's
}

Result<std::size_t> deflate_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                     int level, DeflateFormat format) {
  z_stream stream{};
  const int bits = format == DeflateFormat::kGzip ? kGzipWindowBits : kWindowBits;
  if (deflateInit2(&stream, level, Z_DEFLATED, bits, kMemoryLevel, Z_DEFAULT_STRATEGY) != Z_OK)
    return make_error(ErrorCode::kInvalidArgument,
                      "deflate level " + std::to_string(level) + " is not accepted");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(raw.data()));
  stream.avail_in = uInt(raw.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  const std::size_t size = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END)
    return make_error(ErrorCode::kInternal,
                      std::string("deflate compression failed: ") +
                          (rc == Z_OK ? "output buffer too small" : zError(rc)));
  return size;
}

Status deflate_decompress(std::span<const std::byte> compressed, std::span<std::byte> out) {
  Inflater inflater;
  if (!inflater.ok()) return make_error(ErrorCode::kOutOfMemory, "cannot start inflate");
  z_stream& stream = inflater.stream();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(compressed.data()));
  stream.avail_in = uInt(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  if (rc == Z_STREAM_END) {
    if (stream.total_out != out.size())
      return corrupt("decodes to " + std::to_string(stream.total_out) + " bytes instead of " +
                     std::to_string(out.size()));
    return ok_status();
  }
  if (rc == Z_BUF_ERROR || rc == Z_OK) {
    if (stream.avail_out == 0)
      return corrupt("decodes to more than " + std::to_string(out.size()) + " bytes");
    return corrupt("is cut short");
  }
  return corrupt(std::string("does not decode: ") +
                 (stream.msg != nullptr ? stream.msg : zError(rc)));
}

Result<std::vector<std::byte>> deflate_decompress_any(std::span<const std::byte> compressed,
                                                      std::size_t limit) {
  Inflater inflater;
  if (!inflater.ok()) return make_error(ErrorCode::kOutOfMemory, "cannot start inflate");
  z_stream& stream = inflater.stream();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(compressed.data()));
  stream.avail_in = uInt(compressed.size());
  // The first guess never exceeds the limit: a stream that ended within a larger first buffer
  // was let through beyond it (found by tests/fuzz).
  std::vector<std::byte> out(std::min(limit, std::max<std::size_t>(4096, compressed.size() * 4)));
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = uInt(out.size() - stream.total_out);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      if (stream.total_out > limit)
        return corrupt("decodes to more than " + std::to_string(limit) + " bytes");
      out.resize(stream.total_out);
      return out;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return corrupt(std::string("does not decode: ") +
                     (stream.msg != nullptr ? stream.msg : zError(rc)));
    if (stream.avail_out != 0) return corrupt("is cut short");
    if (out.size() >= limit)
      return corrupt("decodes to more than " + std::to_string(limit) + " bytes");
    out.resize(std::min(limit, out.size() * 2));
  }
}

}  // namespace zoomflow::storage
