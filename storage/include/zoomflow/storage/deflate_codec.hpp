// deflate (zlib format, as HDF5's gzip filter 1 stores it): compress a chunk, and back.
#pragma once

#include <cstddef>
#include <span>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// The largest compressed size of `raw_bytes` bytes.
std::size_t deflate_compress_bound(std::size_t raw_bytes);

// Compresses `raw` into `out` (deflate_compress_bound(raw.size()) bytes suffice) at level 0..9;
// returns the compressed size.
Result<std::size_t> deflate_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                     int level);

// Decompresses into `out`, which must be exactly the decoded size (kCorrupt otherwise).
Status deflate_decompress(std::span<const std::byte> compressed, std::span<std::byte> out);

}  // namespace zoomflow::storage
