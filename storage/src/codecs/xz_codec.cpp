#include "xz_codec.hpp"

#include <lzma.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace zoomflow::storage {

Status xz_decompress(std::span<const std::byte> compressed, std::span<std::byte> out) {
  lzma_stream stream = LZMA_STREAM_INIT;
  // The decoder allocates the dictionary its stream header asks for: bounded by what this chunk
  // can need (a dictionary beyond twice the decoded size buys nothing), and never below what
  // xz's presets use (-9: 64 MiB), so every ordinary stream decodes.
  constexpr std::uint64_t kPresetMemory = std::uint64_t(80) << 20;
  const std::uint64_t memory_limit =
      std::max<std::uint64_t>(kPresetMemory, 2 * std::uint64_t(out.size()) + (1 << 20));
  if (lzma_stream_decoder(&stream, memory_limit, 0) != LZMA_OK)
    return make_error(ErrorCode::kOutOfMemory, "cannot start the xz decoder");
  stream.next_in = reinterpret_cast<const std::uint8_t*>(compressed.data());
  stream.avail_in = compressed.size();
  stream.next_out = reinterpret_cast<std::uint8_t*>(out.data());
  stream.avail_out = out.size();
  lzma_ret rc = lzma_code(&stream, LZMA_FINISH);
  const std::size_t produced = out.size() - stream.avail_out;
  if (rc == LZMA_OK && stream.avail_out == 0) {
    // Full: the stream must end here, with nothing more to decode.
    std::uint8_t extra = 0;
    stream.next_out = &extra;
    stream.avail_out = 1;
    rc = lzma_code(&stream, LZMA_FINISH);
    if (stream.avail_out == 0) rc = LZMA_BUF_ERROR;
  }
  lzma_end(&stream);
  if (rc == LZMA_MEMLIMIT_ERROR)
    return make_error(ErrorCode::kCorrupt,
                      "xz data asks for more than " + std::to_string(memory_limit >> 20) +
                          " MiB of decoder memory for " + std::to_string(out.size()) + " bytes");
  if (rc != LZMA_STREAM_END) {
    if (rc == LZMA_BUF_ERROR && produced == out.size())
      return make_error(ErrorCode::kCorrupt,
                        "xz data decodes to more than " + std::to_string(out.size()) + " bytes");
    return make_error(ErrorCode::kCorrupt,
                      "xz data does not decode (liblzma code " + std::to_string(int(rc)) + ")");
  }
  if (produced != out.size())
    return make_error(ErrorCode::kCorrupt, "xz data decodes to " + std::to_string(produced) +
                                               " bytes instead of " + std::to_string(out.size()));
  return ok_status();
}

}  // namespace zoomflow::storage
