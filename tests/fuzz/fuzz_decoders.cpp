// libFuzzer target for the chunk decoders and the HDF5 zstd plugin's filter: every byte string a
// file can hold, through every decoder zoomflow runs on stored bytes. The first input bytes pick
// the decoder and its parameters (codec chain, dtype, chunk shape, HDF5 filter pipeline); the
// rest is the stored data. Each decoder must either fail cleanly or produce exactly the promised
// size, and never allocate more than the chunk's size (run with -malloc_limit_mb; see
// tools/fuzz.sh). Built with clang -fsanitize=fuzzer,address,undefined by tools/fuzz.sh, or
// with ZOOMFLOW_FUZZ_STANDALONE as a driver that replays files named on its command line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "../../storage/src/chunked/chunk_codec.hpp"
#include "../../storage/src/codecs/blosc_codec.hpp"
#include "../../storage/src/codecs/xz_codec.hpp"
#include "../../storage/src/hdf5/hdf5_chunk_decoder.hpp"
#include "../../storage/src/hdf5/zstd_hdf5_filter.hpp"
#include "zoomflow/storage/deflate_codec.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

namespace {

// Reads parameter bytes from the front of the input (zero once it runs out).
struct Reader {
  const std::uint8_t* data;
  std::size_t size;
  std::uint8_t byte() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
  std::size_t two_bytes() {  // big-endian, in this order (not an unsequenced expression)
    const std::size_t high = byte();
    return high << 8 | byte();
  }
  std::span<const std::byte> rest() const {
    return {reinterpret_cast<const std::byte*>(data), size};
  }
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_decoders: %s\n", what);
  std::abort();
}

// Every decoded byte is touched, so that a decoder reporting success on memory it did not
// write shows under MSan, and one writing past it under ASan.
unsigned touch(std::span<const std::byte> bytes) {
  unsigned sum = 0;
  for (std::byte b : bytes) sum += unsigned(b);
  return sum;
}

constexpr std::size_t kMaxDecoded = std::size_t(1) << 20;  // a chunk of at most 1 MiB

void fuzz_zstd_any(Reader& in) {
  const std::size_t limit = std::size_t(in.byte()) << 12;
  const auto decoded = zstd_decompress_any(in.rest(), limit);
  if (decoded.ok() && decoded->size() > limit) fail("zstd_decompress_any exceeded its limit");
  if (decoded.ok()) touch(*decoded);
  (void)zstd_decoded_bound(in.rest());
  (void)zstd_frame_content_size(in.rest());
}

void fuzz_fixed_size(Reader& in) {
  const unsigned which = in.byte() % 4;
  std::vector<std::byte> out(in.two_bytes());
  Status status;
  switch (which) {
    case 0:
      status = zstd_decompress(in.rest(), out);
      break;
    case 1:
      status = deflate_decompress(in.rest(), out);
      break;
    case 2:
      status = blosc_decompress(in.rest(), out);
      break;
    default:
      status = xz_decompress(in.rest(), out);
      break;
  }
  if (status.ok()) touch(out);
  if (which == 1) {
    const auto any = deflate_decompress_any(in.rest(), out.size());
    if (any.ok() && any->size() > out.size()) fail("deflate_decompress_any exceeded its limit");
  }
  (void)blosc_decoded_size(in.rest());
}

// The HDF5 plugin's filter, called as HDF5 calls it: a malloc'd buffer holding the stored chunk.
void fuzz_plugin(Reader& in) {
  const H5Z_class2_t* filter = zstd_filter_class();
  const std::span<const std::byte> stored = in.rest();
  std::size_t buf_size = stored.size() > 0 ? stored.size() : 1;
  void* buf = std::malloc(buf_size);
  if (!buf) return;
  if (!stored.empty()) std::memcpy(buf, stored.data(), stored.size());
  const unsigned level = 1;
  const std::size_t n = filter->filter(H5Z_FLAG_REVERSE, 1, &level, stored.size(), &buf_size, &buf);
  if (n > buf_size) fail("the plugin returned more bytes than its buffer holds");
  touch({static_cast<const std::byte*>(buf), n});
  std::free(buf);
}

// A Zarr / N5 chunk through a chain of up to three bytes codecs, with or without an N5 header.
void fuzz_stored_chunk(Reader& in) {
  ChunkCodec codec;
  codec.n5_header = in.byte() & 1;
  codec.big_endian = in.byte() & 1;
  const int codecs = in.byte() % 4;
  for (int i = 0; i < codecs; ++i) {
    BytesCodec c;
    c.kind = BytesCodec::Kind(in.byte() % 6);
    codec.bytes_codecs.push_back(c);
  }
  const DType dtype = kAllDTypes[in.byte() % std::size(kAllDTypes)];
  const int rank = 1 + in.byte() % 3;
  Shape shape;
  std::size_t elements = 1;
  for (int axis = 0; axis < rank; ++axis) {
    const Index extent = 1 + in.byte() % 64;
    shape.push_back(extent);
    elements *= std::size_t(extent);
  }
  if (codec.big_endian == false && in.byte() & 1) {
    // A transposition (Zarr v3 transpose, Zarr v2 order F).
    for (int axis = rank - 1; axis >= 0; --axis) codec.order.push_back(axis);
  }
  const std::size_t bytes = elements * dtype_size(dtype);
  if (bytes > kMaxDecoded) return;
  std::vector<std::byte> fill(dtype_size(dtype), std::byte{0x5a});
  std::vector<std::byte> out(bytes);
  const Status status = decode_stored_chunk(codec, dtype, shape, fill, in.rest(), out);
  if (status.ok()) touch(out);
}

// An HDF5 chunk through zoomflow's own pipeline decoder (zstd, deflate, shuffle, and an optional
// filter it lacks), with a filter mask.
void fuzz_hdf5_chunk(Reader& in) {
  static const unsigned kIds[] = {kZstdFilterId, kDeflateFilterId, kShuffleFilterId, 31999};
  std::vector<FilterInfo> filters;
  const int count = in.byte() % 4;
  for (int i = 0; i < count; ++i) {
    FilterInfo f;
    f.id = kIds[in.byte() % 4];
    f.parameters = {1};
    filters.push_back(f);
  }
  std::vector<bool> available(filters.size());
  for (std::size_t i = 0; i < filters.size(); ++i) available[i] = filters[i].id != 31999;
  if (!is_decodable_pipeline(filters, available)) return;
  const unsigned mask = in.byte();
  const std::size_t element_size = std::size_t(1) << (in.byte() % 4);
  const std::size_t bytes = (in.two_bytes() + 1) * element_size;
  std::vector<std::byte> out(bytes);
  const Status status = decode_chunk(filters, mask, in.rest(), out, element_size);
  if (status.ok()) touch(out);
  (void)max_stored_chunk_bytes(filters, bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  switch (in.byte() % 5) {
    case 0:
      fuzz_zstd_any(in);
      break;
    case 1:
      fuzz_fixed_size(in);
      break;
    case 2:
      fuzz_plugin(in);
      break;
    case 3:
      fuzz_stored_chunk(in);
      break;
    default:
      fuzz_hdf5_chunk(in);
      break;
  }
  return 0;
}

#ifdef ZOOMFLOW_FUZZ_SEEDS
// Writes a seed corpus into the folder named on the command line: valid encodings from
// zoomflow's own encoders behind each decoder's selector bytes, so that the fuzzer starts from
// data that decodes and mutates it.
namespace {

void write_seed(const char* folder, int n, std::span<const std::uint8_t> head,
                std::span<const std::byte> body) {
  char name[4096];
  std::snprintf(name, sizeof name, "%s/seed-%03d", folder, n);
  std::FILE* f = std::fopen(name, "wb");
  if (!f) fail("cannot write a seed");
  std::fwrite(head.data(), 1, head.size(), f);
  std::fwrite(body.data(), 1, body.size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FOLDER\n", argv[0]);
    return 2;
  }
  const char* folder = argv[1];
  std::vector<std::byte> raw(8 * 10 * 12 * 2);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = std::byte((i * 7 / 5) & 0xff);
  int n = 0;
  // zstd of unknown size (selector 0), fixed-size zstd/deflate/blosc (1), the plugin (2).
  std::vector<std::byte> packed(zstd_compress_bound(raw.size()));
  packed.resize(zstd_compress(raw, packed, 3).value());
  const std::uint8_t size_hi = std::uint8_t(raw.size() >> 8), size_lo = std::uint8_t(raw.size());
  write_seed(folder, n++, std::vector<std::uint8_t>{0, 1}, packed);
  write_seed(folder, n++, std::vector<std::uint8_t>{1, 0, size_hi, size_lo}, packed);
  write_seed(folder, n++, std::vector<std::uint8_t>{2}, packed);
  std::vector<std::byte> deflated(raw.size() * 2 + 64);
  deflated.resize(deflate_compress(raw, deflated, 1).value());
  write_seed(folder, n++, std::vector<std::uint8_t>{1, 1, size_hi, size_lo}, deflated);
  BloscParameters blosc;
  blosc.type_size = 2;
  write_seed(folder, n++, std::vector<std::uint8_t>{1, 2, size_hi, size_lo},
             blosc_compress(raw, blosc).value());
  // Zarr / N5 chunks (3): uint16 (8, 10, 12) through each single codec, raw, and N5's header.
  const Shape shape{8, 10, 12};
  for (std::uint8_t kind = 0; kind < 6; ++kind) {
    for (std::uint8_t n5 = 0; n5 < 2; ++n5) {
      ChunkCodec codec;
      codec.n5_header = n5 != 0;
      BytesCodec c;
      c.kind = BytesCodec::Kind(kind);
      codec.bytes_codecs.push_back(c);
      const auto stored = encode_stored_chunk(codec, DType::kUInt16, shape, raw);
      if (!stored.ok()) continue;
      // n5, big_endian, one codec, its kind, uint16 (index 6), rank 3, the extents, C order.
      write_seed(folder, n++, std::vector<std::uint8_t>{3, n5, 0, 1, kind, 6, 2, 7, 9, 11, 0},
                 *stored);
    }
  }
  // HDF5 chunks (4): shuffle then zstd, and deflate, element size 2.
  const std::uint8_t elements_hi = std::uint8_t((raw.size() / 2 - 1) >> 8);
  const std::uint8_t elements_lo = std::uint8_t(raw.size() / 2 - 1);
  write_seed(folder, n++, std::vector<std::uint8_t>{4, 1, 0, 0, 1, elements_hi, elements_lo},
             packed);
  write_seed(folder, n++, std::vector<std::uint8_t>{4, 1, 1, 0, 1, elements_hi, elements_lo},
             deflated);
  std::printf("fuzz_decoders: %d seeds in %s\n", n, folder);
  return 0;
}
#endif

#ifdef ZOOMFLOW_FUZZ_STANDALONE
// Without libFuzzer (g++): replays each file named on the command line once.
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::FILE* f = std::fopen(argv[i], "rb");
    if (!f) {
      std::fprintf(stderr, "fuzz_decoders: cannot open %s\n", argv[i]);
      return 1;
    }
    std::vector<std::uint8_t> bytes;
    for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(std::uint8_t(c));
    std::fclose(f);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("fuzz_decoders: %d inputs replayed\n", argc - 1);
  return 0;
}
#endif
