// The most bytes a chunk may take on disk, from its decoded size: a size a chunk index, a shard
// index or a file claims beyond it is refused before anything is allocated for it (a damaged
// index entry claiming 4 GiB for a 1 MiB chunk), and what a decoder produces is bounded by the
// decoded size the array's metadata gives, never by what the compressed data claims.
#pragma once

#include <cstdint>

namespace zoomflow::storage {

// One compressor's output for `decoded` bytes, for any encoder a file may come from: zstd's
// own bound is decoded + decoded / 256 + 64 KiB at most, zlib's decoded + 0.1 % + 13, fixed-Huffman
// deflate of incompressible data 9 / 8 of it, blosc 16 bytes and 4 per block more, lz4
// decoded / 255 + 16, xz about 0.1 % more; decoded / 8 + 64 KiB covers every one of them.
inline std::uint64_t max_compressed_bytes(std::uint64_t decoded) {
  return decoded + decoded / 8 + (std::uint64_t(64) << 10);
}

}  // namespace zoomflow::storage
