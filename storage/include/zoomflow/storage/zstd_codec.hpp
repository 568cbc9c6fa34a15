// zstd: one chunk's bytes compressed into one zstd frame, and back. The same code backs the
// storage layer's chunk encoder and decoder and the HDF5 zstd filter (plugin id 32015).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// The largest compressed size of `raw_bytes` bytes.
std::size_t zstd_compress_bound(std::size_t raw_bytes);

// Compresses `raw` into `out` (zstd_compress_bound(raw.size()) bytes suffice) at `level`, with a
// context kept per thread; returns the compressed size.
Result<std::size_t> zstd_compress(std::span<const std::byte> raw, std::span<std::byte> out,
                                  int level);

// Decompresses into `out`, which must be exactly the decoded size; a frame that decodes to any
// other size, or does not decode, is an error (kCorrupt).
Status zstd_decompress(std::span<const std::byte> compressed, std::span<std::byte> out);

// The decoded size the frame records, when it records one (a claim: see zstd_decoded_bound).
std::optional<std::uint64_t> zstd_frame_content_size(std::span<const std::byte> compressed);

// The most `compressed` (one or more frames) can decode to, from its structure rather than its
// claims: each block's header bounds what the block produces (a raw or RLE block its size, a
// compressed one the frame's block maximum), checked against the bytes present. nullopt when it
// is not complete zstd data, or a frame's recorded content size exceeds what its blocks allow.
std::optional<std::uint64_t> zstd_decoded_bound(std::span<const std::byte> compressed);

// Decompresses one or more frames of unknown decoded size, at most `limit` bytes (kCorrupt beyond
// it); the decoder's window is bounded by the limit too.
Result<std::vector<std::byte>> zstd_decompress_any(std::span<const std::byte> compressed,
                                                   std::size_t limit);

// The levels zstd accepts (negative levels are its fast modes).
int zstd_min_level();
int zstd_max_level();

}  // namespace zoomflow::storage
