// blosc (c-blosc 1.x, Debian's libblosc): a chunk compressed into one blosc frame, and back. The
// frame's header records the decoded size, the type size and the shuffle, so decoding needs no
// parameters.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/compression.hpp"

namespace zoomflow::storage {

struct BloscParameters {
  std::string compressor = "lz4";  // blosclz, lz4, lz4hc, snappy, zlib, zstd
  int level = 5;                   // 0..9
  BloscShuffle shuffle = BloscShuffle::kByte;
  std::size_t type_size = 1;   // the element size the shuffle works on
  std::size_t block_size = 0;  // 0: blosc chooses
};

// Compresses `raw` into a new frame (thread-safe: no global blosc state).
Result<std::vector<std::byte>> blosc_compress(std::span<const std::byte> raw,
                                              const BloscParameters& parameters);

// The decoded size a frame records (kCorrupt when the header is not blosc's).
Result<std::size_t> blosc_decoded_size(std::span<const std::byte> compressed);

// Decompresses into `out`, exactly the decoded size (kCorrupt otherwise).
Status blosc_decompress(std::span<const std::byte> compressed, std::span<std::byte> out);

// The inner compressors this libblosc was built with, "blosclz,lz4,...".
std::string blosc_compressors();

}  // namespace zoomflow::storage
