// Output compression as users name it: zstd[:L] | gzip[:L] | blosc[:CNAME][:L][:SHUFFLE] | none.
// HDF5 takes zstd, gzip (deflate) and none; Zarr and N5 take all four.
#pragma once

#include <string>
#include <string_view>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

enum class Codec { kNone, kZstd, kDeflate, kBlosc };

// Blosc's byte shuffle modes, as c-blosc numbers them.
enum class BloscShuffle { kNone = 0, kByte = 1, kBit = 2 };

inline constexpr unsigned kZstdFilterId = 32015;  // registered HDF5 filter id

struct CompressionSpec {
  Codec codec = Codec::kZstd;
  int level = 1;  // zstd 1: ~3.5x faster than 3 on noisy uint16 for a ~10% larger file
  // blosc only: the inner compressor (blosclz, lz4, lz4hc, snappy, zlib, zstd) and shuffle.
  std::string blosc_compressor = "lz4";
  BloscShuffle blosc_shuffle = BloscShuffle::kByte;

  std::string to_string() const;
};

Result<CompressionSpec> parse_compression(std::string_view text);

}  // namespace zoomflow::storage
