// How one chunk of a Zarr or N5 array is stored: an optional transposition, the byte order, a
// chain of bytes-to-bytes codecs and, for N5, a block header. decode_stored_chunk undoes it into
// a whole chunk of elements in C order and native byte order; encode_stored_chunk does it.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "../codecs/blosc_codec.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

struct BytesCodec {
  enum class Kind { kZstd, kGzip, kZlib, kBlosc, kCrc32c, kXz };
  Kind kind = Kind::kZstd;
  int level = 1;          // zstd, gzip, zlib
  bool checksum = false;  // zstd: Zarr v3's "checksum" (zoomflow's frames always carry one)
  BloscParameters blosc;  // blosc

  bool compresses() const { return kind != Kind::kCrc32c; }
  // "zstd(level=1)", "blosc(cname=lz4, clevel=5, shuffle=shuffle)", "crc32c".
  std::string describe() const;
};

struct ChunkCodec {
  // Stored axis k holds array axis order[k] (Zarr v3 transpose; Zarr v2 order F is the reversed
  // axes); empty: C order.
  std::vector<int> order;
  bool big_endian = false;
  std::vector<BytesCodec> bytes_codecs;  // in the order they encode
  bool n5_header = false;                // N5: a block header precedes the compressed data

  // The chain as text, one entry per step.
  std::vector<std::string> describe(DType dtype) const;
};

// The most bytes a chunk of `decoded_bytes` may take stored through `codec` (each compressor's
// bound, 4 bytes per checksum, the N5 header for `rank` axes): a chunk file, block or shard
// entry claiming more is damaged, and refused before it is read.
std::uint64_t max_stored_bytes(const ChunkCodec& codec, std::uint64_t decoded_bytes, int rank);

// Decodes `stored` into `out`: a whole chunk of `chunk_shape` in C order, native byte order. An
// N5 block smaller than the chunk (edge blocks written clipped) is padded with `fill` (one
// element). Every decoder is bounded by the chunk's decoded size, never by what the compressed
// data claims. Errors say what is wrong with the bytes (the caller names the chunk).
Status decode_stored_chunk(const ChunkCodec& codec, DType dtype, const Shape& chunk_shape,
                           std::span<const std::byte> fill, std::span<const std::byte> stored,
                           std::span<std::byte> out);

// Encodes a whole chunk of `chunk_shape` (C order, native byte order) into the bytes stored.
Result<std::vector<std::byte>> encode_stored_chunk(const ChunkCodec& codec, DType dtype,
                                                   const Shape& chunk_shape,
                                                   std::span<const std::byte> values);

}  // namespace zoomflow::storage
