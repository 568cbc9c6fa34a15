// deflate: a chunk compressed in the zlib format (as HDF5's gzip filter 1 and numcodecs' zlib
// store it) or the gzip format (Zarr's and N5's gzip), and back.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

enum class DeflateFormat { kZlib, kGzip };

// The largest compressed size of `raw_bytes` bytes (either format).
std::size_t deflate_compress_bound(std::size_t raw_bytes);

// Compresses `raw` into `out` (deflate_compress_bound(raw.size()) bytes suffice) at level 0..9;
// returns the compressed size.
Result<std::size_t> deflate_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                     int level, DeflateFormat format = DeflateFormat::kZlib);

// Decompresses either format into `out`, which must be exactly the decoded size (kCorrupt
// otherwise).
Status deflate_decompress(std::span<const std::byte> compressed, std::span<std::byte> out);

// Decompresses either format, of unknown decoded size (at most `limit` bytes).
Result<std::vector<std::byte>> deflate_decompress_any(std::span<const std::byte> compressed,
                                                      std::size_t limit);

}  // namespace zoomflow::storage
