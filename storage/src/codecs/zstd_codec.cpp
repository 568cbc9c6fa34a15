#include "zoomflow/storage/zstd_codec.hpp"

#include <memory>
#include <string>

#include <zstd.h>

namespace zoomflow::storage {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};
struct DStreamFree {
  void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};

// One context per thread: creating one costs more than compressing a small chunk.
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  return cctx.get();
}
ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  return dctx.get();
}

Error zstd_error(ErrorCode code, const char* what, std::size_t result) {
  return make_error(code, std::string(what) + ": " + ZSTD_getErrorName(result));
}

}  // namespace

std::size_t zstd_compress_bound(std::size_t raw_bytes) {
  return ZSTD_compressBound(raw_bytes);
}

int zstd_min_level() {
  return ZSTD_minCLevel();
}
int zstd_max_level() {
  return ZSTD_maxCLevel();
}

Result<std::size_t> zstd_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                  int level) {
  ZSTD_CCtx* cctx = thread_cctx();
  if (cctx == nullptr) return make_error(ErrorCode::kOutOfMemory, "cannot create a zstd context");
  // Each frame carries a checksum of its content (4 bytes), so that a damaged chunk is caught
  // rather than decoded into wrong values.
  std::size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(rc)) return zstd_error(ErrorCode::kInvalidArgument, "zstd level", rc);
  const std::size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) return zstd_error(ErrorCode::kInternal, "zstd compression failed", n);
  return n;
}

Status zstd_decompress(std::span<const std::byte> compressed, std::span<std::byte> out) {
  ZSTD_DCtx* dctx = thread_dctx();
  if (dctx == nullptr) return make_error(ErrorCode::kOutOfMemory, "cannot create a zstd context");
  const std::size_t n =
      ZSTD_decompressDCtx(dctx, out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n)) return zstd_error(ErrorCode::kCorrupt, "zstd data does not decode", n);
  if (n != out.size())
    return make_error(ErrorCode::kCorrupt, "zstd data decodes to " + std::to_string(n) +
                                               " bytes instead of " + std::to_string(out.size()));
  return ok_status();
}

std::optional<std::uint64_t> zstd_frame_content_size(std::span<const std::byte> compressed) {
  const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  return std::uint64_t(size);
}

Result<std::vector<std::byte>> zstd_decompress_any(std::span<const std::byte> compressed) {
  std::unique_ptr<ZSTD_DStream, DStreamFree> stream(ZSTD_createDStream());
  if (!stream) return make_error(ErrorCode::kOutOfMemory, "cannot create a zstd stream");
  std::vector<std::byte> out;
  const std::size_t step = ZSTD_DStreamOutSize();
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  for (;;) {
    const std::size_t used = out.size();
    const std::size_t consumed = in.pos;
    out.resize(used + step);
    ZSTD_outBuffer buffer{out.data() + used, step, 0};
    const std::size_t hint = ZSTD_decompressStream(stream.get(), &buffer, &in);
    out.resize(used + buffer.pos);
    if (ZSTD_isError(hint))
      return zstd_error(ErrorCode::kCorrupt, "zstd data does not decode", hint);
    if (hint == 0 && in.pos == in.size) return out;  // the last frame is complete
    if (buffer.pos == 0 && in.pos == consumed)
      return make_error(ErrorCode::kCorrupt, "zstd data ends in the middle of a frame");
  }
}

}  // namespace zoomflow::storage
