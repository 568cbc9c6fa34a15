#include "crc32c.hpp"

#include <isa-l/crc.h>

#include <climits>

namespace zoomflow::storage {

std::uint32_t crc32c(std::span<const std::byte> data) {
  // crc32_iscsi takes an int length: feed large buffers in pieces.
  constexpr std::size_t kPiece = std::size_t(1) << 30;
  std::uint32_t state = 0xFFFFFFFFu;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    const std::size_t n = std::min(kPiece, data.size() - at);
    state = crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<std::byte*>(data.data() + at)),
                        int(n), state);
  }
  return ~state;
}

}  // namespace zoomflow::storage
