// The key-value formats' building blocks against independent references: crc32c's published
// check values, zlib's own inflate of the gzip format, libblosc's own decompressor, keys and shard
// indexes as the Zarr v3 and N5 specifications lay them out, transposed and clipped (N5) chunks
// against plain loops.
#include <blosc.h>
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "chunked/array_spec.hpp"
#include "chunked/chunk_codec.hpp"
#include "chunked/directory_store.hpp"
#include "codecs/blosc_codec.hpp"
#include "codecs/crc32c.hpp"
#include "zoomflow/storage/deflate_codec.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

namespace {

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& values) {
  return std::as_bytes(std::span(values));
}

}  // namespace

TEST_CASE("crc32c gives the published check values (ISA-L's register, inverted)") {
  CHECK(crc32c(bytes_of(std::string("123456789"))) == 0xE3069283u);  // RFC 3720 check value
  CHECK(crc32c(bytes_of(std::string())) == 0u);
  // 32 bytes of zeros and of 0xFF (RFC 3720, B.4).
  CHECK(crc32c(bytes_of(std::string(32, '\0'))) == 0x8A9136AAu);
  CHECK(crc32c(bytes_of(std::string(32, '\xff'))) == 0x62A8AB43u);
}

TEST_CASE("gzip format: a gzip header, decoded by zlib's own inflate") {
  std::vector<std::uint16_t> raw(5000);
  std::iota(raw.begin(), raw.end(), 0);
  std::vector<std::byte> packed(deflate_compress_bound(raw.size() * 2));
  const auto size = deflate_compress(bytes_of(raw), packed, 6, DeflateFormat::kGzip);
  REQUIRE(size.ok());
  CHECK(packed[0] == std::byte{0x1f});
  CHECK(packed[1] == std::byte{0x8b});
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 16 + 15) == Z_OK);  // gzip only
  std::vector<std::uint16_t> back(raw.size());
  stream.next_in = reinterpret_cast<Bytef*>(packed.data());
  stream.avail_in = uInt(*size);
  stream.next_out = reinterpret_cast<Bytef*>(back.data());
  stream.avail_out = uInt(back.size() * 2);
  CHECK(inflate(&stream, Z_FINISH) == Z_STREAM_END);
  inflateEnd(&stream);
  CHECK(back == raw);
  // And zoomflow's decoder takes both formats.
  std::vector<std::uint16_t> again(raw.size());
  CHECK(deflate_decompress({packed.data(), *size}, std::as_writable_bytes(std::span(again))).ok());
  CHECK(again == raw);
}

TEST_CASE("blosc frames decode with libblosc's own decompressor, and damage is caught") {
  std::vector<std::int32_t> raw(20000);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = std::int32_t(i % 1000) * 3;
  for (const char* cname : {"lz4", "zstd", "blosclz", "zlib"}) {
    CAPTURE(cname);
    const auto packed =
        blosc_compress(bytes_of(raw), {cname, 5, BloscShuffle::kBit, sizeof(std::int32_t), 0});
    REQUIRE(packed.ok());
    CHECK(packed->size() < raw.size());
    std::vector<std::int32_t> back(raw.size());
    CHECK(blosc_decompress_ctx(packed->data(), back.data(), back.size() * 4, 1) ==
          int(back.size() * 4));
    CHECK(back == raw);
    std::vector<std::int32_t> short_out(raw.size() - 1);
    CHECK(!blosc_decompress(*packed, std::as_writable_bytes(std::span(short_out))).ok());
  }
}

TEST_CASE("chunk keys: Zarr v3 default and v2 encodings, N5 fastest axis first") {
  const IndexVector g{1, 20, 3};
  CHECK(KeyEncoding{KeyEncoding::Style::kZarr3, '/'}.key(g) == "c/1/20/3");
  CHECK(KeyEncoding{KeyEncoding::Style::kZarr3, '.'}.key(g) == "c.1.20.3");
  CHECK(KeyEncoding{KeyEncoding::Style::kZarr2, '.'}.key(g) == "1.20.3");
  CHECK(KeyEncoding{KeyEncoding::Style::kZarr2, '/'}.key(g) == "1/20/3");
  CHECK(KeyEncoding{KeyEncoding::Style::kN5, '/'}.key(g) == "3/20/1");
}

TEST_CASE("store keys: joined, their folder and their name") {
  CHECK(join_key("a/b", "zarr.json") == "a/b/zarr.json");
  CHECK(join_key("", "zarr.json") == "zarr.json");
  CHECK(join_key("a", "") == "a");
  CHECK(parent_key("a/b/s0") == "a/b");
  CHECK(parent_key("s0").empty());
  CHECK(key_name("a/b/s0") == "s0");
  CHECK(key_name("s0") == "s0");
}

TEST_CASE("shard index: 16 little-endian bytes per chunk, then the crc32c of them") {
  ShardingSpec sharding;
  const std::vector<std::uint64_t> entries = {0,  10, kMissingShardEntry, kMissingShardEntry,
                                              10, 300};
  const std::vector<std::byte> stored = encode_shard_index(sharding, entries);
  REQUIRE(stored.size() == 3 * 16 + 4);
  CHECK(stored[8] == std::byte{10});  // the first chunk's size, little-endian
  CHECK(stored[16] == std::byte{0xff});
  std::uint32_t crc = 0;
  std::memcpy(&crc, stored.data() + 48, 4);
  CHECK(crc == crc32c({stored.data(), 48}));
  CHECK(decode_shard_index(sharding, 3, stored).value() == entries);
  std::vector<std::byte> damaged = stored;
  damaged[3] ^= std::byte{1};
  CHECK(!decode_shard_index(sharding, 3, damaged).ok());
  CHECK(!decode_shard_index(sharding, 4, stored).ok());  // the wrong size
}

TEST_CASE("a transposed chunk decodes to C order, as a plain loop reads it") {
  // Stored axis k holds array axis order[k]: stored shape (4, 2, 3) for array shape (2, 3, 4).
  const Shape shape{2, 3, 4};
  ChunkCodec codec;
  codec.order = {2, 0, 1};
  std::vector<std::uint16_t> stored(24);
  std::iota(stored.begin(), stored.end(), 100);
  std::vector<std::uint16_t> out(24);
  const std::uint16_t fill = 0;
  REQUIRE(decode_stored_chunk(codec, DType::kUInt16, shape, bytes_of(std::vector{fill}),
                              bytes_of(stored), std::as_writable_bytes(std::span(out)))
              .ok());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)  // stored index (k, i, j)
        CHECK(out[std::size_t((i * 3 + j) * 4 + k)] == stored[std::size_t((k * 2 + i) * 3 + j)]);
  // And encoding gives the stored layout back.
  const auto encoded = encode_stored_chunk(codec, DType::kUInt16, shape, bytes_of(out));
  REQUIRE(encoded.ok());
  CHECK(std::memcmp(encoded->data(), stored.data(), 48) == 0);
}

TEST_CASE("an N5 block clipped at the edge is padded with the fill value, bad headers refused") {
  // Block size (3, 4) in zoomflow's order; the stored block is (2, 3): header dims x=3, y=2.
  ChunkCodec codec;
  codec.n5_header = true;
  codec.big_endian = true;
  const Shape chunk{3, 4};
  std::vector<std::byte> stored = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{2},
                                   std::byte{0}, std::byte{0}, std::byte{0}, std::byte{3},
                                   std::byte{0}, std::byte{0}, std::byte{0}, std::byte{2}};
  for (int v = 1; v <= 6; ++v) {
    stored.push_back(std::byte{0});
    stored.push_back(std::byte(v));  // big-endian int16
  }
  std::vector<std::int16_t> out(12);
  const std::int16_t fill = -1;
  REQUIRE(decode_stored_chunk(codec, DType::kInt16, chunk, bytes_of(std::vector{fill}), stored,
                              std::as_writable_bytes(std::span(out)))
              .ok());
  const std::vector<std::int16_t> want = {1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1, -1};
  CHECK(out == want);
  std::vector<std::byte> wide = stored;
  wide[7] = std::byte{5};  // x = 5 > block size 4
  CHECK(!decode_stored_chunk(codec, DType::kInt16, chunk, bytes_of(std::vector{fill}), wide,
                             std::as_writable_bytes(std::span(out)))
             .ok());
  std::vector<std::byte> object = stored;
  object[1] = std::byte{2};  // mode 2: object blocks
  const Status status =
      decode_stored_chunk(codec, DType::kInt16, chunk, bytes_of(std::vector{fill}), object,
                          std::as_writable_bytes(std::span(out)));
  REQUIRE(!status.ok());
  CHECK(status.error().message.find("object") != std::string::npos);
  // Mode 1 (varlength) with extents whose product overflows 64 bits (a fuzzer finding): refused
  // as corrupt, the product never computed in signed arithmetic.
  std::vector<std::byte> varlength = {std::byte{0}, std::byte{1}, std::byte{0}, std::byte{2}};
  for (int k = 0; k < 8; ++k) varlength.push_back(std::byte{0xff});  // x, y = 2^32 - 1
  for (std::byte b : {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}})
    varlength.push_back(b);  // 1 element
  const Status huge = decode_stored_chunk(codec, DType::kInt16, chunk, bytes_of(std::vector{fill}),
                                          varlength, std::as_writable_bytes(std::span(out)));
  REQUIRE(!huge.ok());
  CHECK(huge.error().code == ErrorCode::kCorrupt);
}
