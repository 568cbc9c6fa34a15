// zstd, deflate and shuffle: round trips, agreement with the reference libraries, and errors on
// damaged input.
#include <doctest/doctest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <random>
#include <vector>

#include "zoomflow/storage/deflate_codec.hpp"
#include "zoomflow/storage/shuffle.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

namespace {

std::vector<std::byte> sample_bytes(std::size_t n, bool compressible) {
  std::mt19937 random(7);
  std::vector<std::byte> bytes(n);
  for (std::size_t i = 0; i < n; ++i)
    bytes[i] = std::byte(compressible ? (i / 100) % 7 : random() & 0xff);
  return bytes;
}

}  // namespace

TEST_CASE("zstd round trip, decodable by libzstd itself") {
  for (bool compressible : {true, false}) {
    const auto raw = sample_bytes(100000, compressible);
    std::vector<std::byte> packed(zstd_compress_bound(raw.size()));
    const auto size = zstd_compress(raw, packed, 3);
    REQUIRE(size.ok());
    packed.resize(*size);
    if (compressible) CHECK(*size < raw.size() / 10);
    // The frame records its size and libzstd's one-shot API decodes it.
    CHECK(ZSTD_getFrameContentSize(packed.data(), packed.size()) == raw.size());
    std::vector<std::byte> check(raw.size());
    CHECK(ZSTD_decompress(check.data(), check.size(), packed.data(), packed.size()) == raw.size());
    CHECK(check == raw);
    std::vector<std::byte> decoded(raw.size());
    REQUIRE(zstd_decompress(packed, decoded).ok());
    CHECK(decoded == raw);
    const auto any = zstd_decompress_any(packed, raw.size());
    REQUIRE(any.ok());
    CHECK(*any == raw);
    // One byte less than the frame decodes to is refused, not truncated.
    const auto short_limit = zstd_decompress_any(packed, raw.size() - 1);
    REQUIRE(!short_limit.ok());
    CHECK(short_limit.error().code == ErrorCode::kCorrupt);
  }
}

TEST_CASE("zstd decodes frames written by libzstd's streaming API (no recorded size)") {
  const auto raw = sample_bytes(300000, true);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::vector<std::byte> packed(ZSTD_compressBound(raw.size()));
  ZSTD_outBuffer out{packed.data(), packed.size(), 0};
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  // Streaming in pieces without a pledged size leaves the size out of the frame header.
  REQUIRE(!ZSTD_isError(ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_continue)));
  ZSTD_inBuffer rest{nullptr, 0, 0};
  std::size_t left = 0;
  do {
    left = ZSTD_compressStream2(cctx, &out, &rest, ZSTD_e_end);
    REQUIRE(!ZSTD_isError(left));
  } while (left != 0);
  ZSTD_freeCCtx(cctx);
  packed.resize(out.pos);
  CHECK(ZSTD_getFrameContentSize(packed.data(), packed.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
  CHECK(!zstd_frame_content_size(packed).has_value());
  const auto any = zstd_decompress_any(packed, raw.size());
  REQUIRE(any.ok());
  CHECK(*any == raw);
  CHECK(!zstd_decompress_any(packed, raw.size() / 2).ok());
}

TEST_CASE("zstd rejects damaged and wrong-sized data") {
  const auto raw = sample_bytes(50000, false);
  std::vector<std::byte> packed(zstd_compress_bound(raw.size()));
  packed.resize(zstd_compress(raw, packed, 1).value());
  std::vector<std::byte> decoded(raw.size());

  std::vector<std::byte> truncated(packed.begin(),
                                   packed.begin() + std::ptrdiff_t(packed.size() / 2));
  const Status cut = zstd_decompress(truncated, decoded);
  CHECK(cut.error().code == ErrorCode::kCorrupt);
  CHECK(!zstd_decompress_any(truncated, raw.size()).ok());

  std::vector<std::byte> garbage = packed;
  for (std::size_t i = 0; i < 8; ++i) garbage[i] ^= std::byte{0x5a};
  CHECK(!zstd_decompress(garbage, decoded).ok());

  std::vector<std::byte> too_big(raw.size() + 1);
  const Status wrong = zstd_decompress(packed, too_big);
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().message.find("instead of") != std::string::npos);
}

TEST_CASE("deflate of unknown size stops at its limit, also within its first buffer") {
  // 3000 bytes decode inside the first 4096-byte guess: a limit of 1000 must still refuse them
  // (a fuzzer finding), 3000 must take them exactly.
  const auto raw = sample_bytes(3000, true);
  std::vector<std::byte> packed(deflate_compress_bound(raw.size()));
  packed.resize(deflate_compress(raw, packed, 6).value());
  const auto over = deflate_decompress_any(packed, 1000);
  REQUIRE(!over.ok());
  CHECK(over.error().code == ErrorCode::kCorrupt);
  const auto exact = deflate_decompress_any(packed, raw.size());
  REQUIRE(exact.ok());
  CHECK(*exact == raw);
  CHECK(!deflate_decompress_any(packed, raw.size() - 1).ok());
}

TEST_CASE("deflate round trip in zlib format, and errors") {
  const auto raw = sample_bytes(70000, true);
  std::vector<std::byte> packed(deflate_compress_bound(raw.size()));
  packed.resize(deflate_compress(raw, packed, 6).value());
  // zlib's own one-shot decoder reads it (HDF5's filter 1 stores exactly this format).
  std::vector<std::byte> check(raw.size());
  uLongf size = uLongf(check.size());
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(check.data()), &size,
                     reinterpret_cast<const Bytef*>(packed.data()), uLong(packed.size())) == Z_OK);
  CHECK(check == raw);
  std::vector<std::byte> decoded(raw.size());
  REQUIRE(deflate_decompress(packed, decoded).ok());
  CHECK(decoded == raw);

  std::vector<std::byte> smaller(raw.size() - 1);
  CHECK(deflate_decompress(packed, smaller).error().code == ErrorCode::kCorrupt);
  std::vector<std::byte> larger(raw.size() + 1);
  CHECK(!deflate_decompress(packed, larger).ok());
  std::vector<std::byte> garbage = packed;
  garbage[packed.size() / 2] ^= std::byte{0xff};
  garbage[packed.size() / 2 + 1] ^= std::byte{0xff};
  CHECK(!deflate_decompress(garbage, decoded).ok());
}

TEST_CASE("shuffle groups byte k of every element, and trailing bytes stay") {
  // Three 4-byte elements and two trailing bytes.
  const std::vector<std::uint8_t> in = {0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22,
                                        0x23, 0x30, 0x31, 0x32, 0x33, 0xee, 0xff};
  const std::vector<std::uint8_t> expected = {0x10, 0x20, 0x30, 0x11, 0x21, 0x31, 0x12,
                                              0x22, 0x32, 0x13, 0x23, 0x33, 0xee, 0xff};
  std::vector<std::byte> a(in.size()), b(in.size()), back(in.size());
  std::memcpy(a.data(), in.data(), in.size());
  shuffle_bytes(a, b, 4);
  CHECK(std::memcmp(b.data(), expected.data(), expected.size()) == 0);
  unshuffle_bytes(b, back, 4);
  CHECK(back == a);
  // One-byte elements are left as they are.
  shuffle_bytes(a, b, 1);
  CHECK(b == a);
}
