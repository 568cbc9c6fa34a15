#include "zoomflow/storage/zstd_codec.hpp"

#include <algorithm>
#include <memory>
#include <string>

#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameHeader, ZSTD_d_windowLogMax
#include <zstd.h>

#include <bit>

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

namespace {

constexpr std::uint32_t kSkippableMagicMask = 0xFFFFFFF0u;
constexpr std::uint32_t kSkippableMagic = 0x184D2A50u;
constexpr std::size_t kBlockHeaderBytes = 3;
constexpr std::size_t kChecksumBytes = 4;

std::uint32_t load_le(const std::byte* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | std::uint32_t(p[i]);
  return v;
}

// One frame starting at `data`: adds its bound to `bound` and returns its compressed size, or 0
// when it is not a complete, consistent frame.
std::size_t walk_frame(std::span<const std::byte> data, std::uint64_t& bound) {
  if (data.size() >= 8 && (load_le(data.data(), 4) & kSkippableMagicMask) == kSkippableMagic) {
    const std::uint64_t size = 8 + std::uint64_t(load_le(data.data() + 4, 4));
    return size <= data.size() ? std::size_t(size) : 0;
  }
  ZSTD_frameHeader header{};
  if (ZSTD_getFrameHeader(&header, data.data(), data.size()) != 0) return 0;
  std::size_t at = header.headerSize;
  std::uint64_t produced = 0;
  for (bool last = false; !last;) {
    if (data.size() - at < kBlockHeaderBytes) return 0;
    const std::uint32_t block = load_le(data.data() + at, 3);
    at += kBlockHeaderBytes;
    last = (block & 1) != 0;
    const std::uint32_t type = (block >> 1) & 3;
    const std::uint64_t size = block >> 3;
    if (type == 3 || (type != 2 && size > header.blockSizeMax)) return 0;
    const std::uint64_t consumed = type == 1 ? 1 : size;
    if (consumed > data.size() - at) return 0;
    at += std::size_t(consumed);
    produced += type == 2 ? header.blockSizeMax : size;
  }
  if (header.checksumFlag) {
    if (data.size() - at < kChecksumBytes) return 0;
    at += kChecksumBytes;
  }
  if (header.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (header.frameContentSize > produced) return 0;  // a claim its blocks cannot meet
    produced = header.frameContentSize;
  }
  bound += produced;
  return at;
}

}  // namespace

std::optional<std::uint64_t> zstd_decoded_bound(std::span<const std::byte> compressed) {
  if (compressed.empty()) return std::nullopt;
  std::uint64_t bound = 0;
  for (std::size_t at = 0; at < compressed.size();) {
    const std::size_t size = walk_frame(compressed.subspan(at), bound);
    if (size == 0) return std::nullopt;
    at += size;
  }
  return bound;
}

Result<std::vector<std::byte>> zstd_decompress_any(std::span<const std::byte> compressed,
                                                   std::size_t limit) {
  std::unique_ptr<ZSTD_DStream, DStreamFree> stream(ZSTD_createDStream());
  if (!stream) return make_error(ErrorCode::kOutOfMemory, "cannot create a zstd stream");
  // The window is never much larger than what may be decoded: a frame asking for more is
  // refused before its window is allocated. At least 8 MiB, the window of every level up to 19
  // (an encoder that did not know the size declares its level's window, whatever the content).
  constexpr int kCommonWindowLog = 23;
  const int needed_log = int(std::bit_width(std::max<std::size_t>(limit, 2) - 1));
  const int window_log = std::min(ZSTD_WINDOWLOG_MAX, std::max(kCommonWindowLog, needed_log));
  ZSTD_DCtx_setParameter(stream.get(), ZSTD_d_windowLogMax, window_log);
  std::vector<std::byte> out;
  const std::size_t step = ZSTD_DStreamOutSize();
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  for (;;) {
    const std::size_t used = out.size();
    const std::size_t consumed = in.pos;
    const std::size_t room = limit - used < step ? limit - used + 1 : step;
    out.resize(used + room);
    ZSTD_outBuffer buffer{out.data() + used, room, 0};
    const std::size_t hint = ZSTD_decompressStream(stream.get(), &buffer, &in);
    out.resize(used + buffer.pos);
    if (ZSTD_isError(hint))
      return zstd_error(ErrorCode::kCorrupt, "zstd data does not decode", hint);
    if (out.size() > limit)
      return make_error(ErrorCode::kCorrupt,
                        "zstd data decodes to more than " + std::to_string(limit) + " bytes");
    if (hint == 0 && in.pos == in.size) return out;  // the last frame is complete
    if (buffer.pos == 0 && in.pos == consumed)
      return make_error(ErrorCode::kCorrupt, "zstd data ends in the middle of a frame");
  }
}

}  // namespace zoomflow::storage
