#include "chunk_codec.hpp"

#include <cstring>

#include "../array_copy.hpp"
#include "../codecs/crc32c.hpp"
#include "../codecs/encoded_size.hpp"
#include "../codecs/xz_codec.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/deflate_codec.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

constexpr std::size_t kCrcBytes = 4;

Error corrupt(const std::string& why) {
  return make_error(ErrorCode::kCorrupt, why);
}

std::uint32_t load_u32_le(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::uint32_t(p[i]);
  return v;
}
std::uint32_t load_u32_be(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | std::uint32_t(p[i]);
  return v;
}
std::uint16_t load_u16_be(const std::byte* p) {
  return std::uint16_t((std::uint32_t(p[0]) << 8) | std::uint32_t(p[1]));
}
void store_u32_le(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(std::byte((v >> (8 * i)) & 0xFF));
}
void store_u32_be(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(std::byte((v >> (8 * i)) & 0xFF));
}
void store_u16_be(std::vector<std::byte>& out, std::uint16_t v) {
  out.push_back(std::byte(v >> 8));
  out.push_back(std::byte(v & 0xFF));
}

// The array's strides (in elements) over data stored with its axes in `order`.
IndexVector stored_strides(const Shape& shape, const std::vector<int>& order) {
  Shape stored = shape;
  for (std::size_t k = 0; k < order.size(); ++k) stored[int(k)] = shape[order[k]];
  const IndexVector contiguous = contiguous_strides(stored);
  IndexVector strides = contiguous;
  for (std::size_t k = 0; k < order.size(); ++k) strides[order[k]] = contiguous[int(k)];
  return strides;
}

// Undoes one compressor into exactly `out.size()` bytes.
Status decompress_exact(const BytesCodec& codec, std::span<const std::byte> in,
                        std::span<std::byte> out) {
  switch (codec.kind) {
    case BytesCodec::Kind::kZstd:
      return zstd_decompress(in, out);
    case BytesCodec::Kind::kGzip:
    case BytesCodec::Kind::kZlib:
      return deflate_decompress(in, out);
    case BytesCodec::Kind::kBlosc:
      return blosc_decompress(in, out);
    case BytesCodec::Kind::kXz:
      return xz_decompress(in, out);
    case BytesCodec::Kind::kCrc32c:
      break;
  }
  return make_error(ErrorCode::kInternal, "crc32c is no compressor");
}

// Undoes one compressor whose decoded size is unknown (another compressor follows it).
Result<std::vector<std::byte>> decompress_any(const BytesCodec& codec,
                                              std::span<const std::byte> in, std::size_t limit) {
  switch (codec.kind) {
    case BytesCodec::Kind::kZstd:
      return zstd_decompress_any(in, limit);
    case BytesCodec::Kind::kGzip:
    case BytesCodec::Kind::kZlib:
      return deflate_decompress_any(in, limit);
    case BytesCodec::Kind::kBlosc: {
      ZF_ASSIGN_OR_RETURN(const std::size_t size, blosc_decoded_size(in));
      if (size > limit)
        return corrupt("blosc data decodes to more than " + std::to_string(limit) + " bytes");
      std::vector<std::byte> out(size);
      ZF_RETURN_IF_ERROR(blosc_decompress(in, out));
      return out;
    }
    case BytesCodec::Kind::kXz:
    case BytesCodec::Kind::kCrc32c:
      break;
  }
  return make_error(ErrorCode::kUnsupported, codec.describe() + " followed by another compressor");
}

// The most bytes `codecs` (in encoding order) make of `decoded` bytes.
std::uint64_t max_codecs_bytes(const std::vector<BytesCodec>& codecs, std::uint64_t decoded) {
  std::uint64_t bytes = decoded;
  for (const BytesCodec& codec : codecs)
    bytes = codec.compresses() ? max_compressed_bytes(bytes) : bytes + kCrcBytes;
  return bytes;
}

Status check_crc32c(std::span<const std::byte>& data) {
  if (data.size() < kCrcBytes) return corrupt("crc32c: the data is shorter than its checksum");
  const std::span<const std::byte> body = data.first(data.size() - kCrcBytes);
  const std::uint32_t stored = load_u32_le(data.data() + body.size());
  const std::uint32_t actual = crc32c(body);
  if (stored != actual)
    return corrupt("crc32c checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                   std::to_string(actual) + ")");
  data = body;
  return ok_status();
}

// The bytes of the stored array, decoded from `body` through the codec chain into `target`
// (exactly its size).
Status undo_bytes_codecs(const std::vector<BytesCodec>& codecs, std::span<const std::byte> body,
                         std::span<std::byte> target) {
  std::span<const std::byte> source = body;
  std::vector<std::byte> buffers[2];
  int next = 0;
  for (std::size_t i = codecs.size(); i-- > 0;) {
    const BytesCodec& codec = codecs[i];
    if (codec.kind == BytesCodec::Kind::kCrc32c) {
      ZF_RETURN_IF_ERROR(check_crc32c(source));
      continue;
    }
    // The decoded size is known when only checksums were applied before this codec.
    std::size_t checksums = 0;
    bool known = true;
    for (std::size_t j = 0; j < i; ++j) {
      if (codecs[j].compresses()) known = false;
      checksums += codecs[j].compresses() ? 0 : 1;
    }
    if (known && checksums == 0) {
      ZF_RETURN_IF_ERROR(decompress_exact(codec, source, target));
      return ok_status();
    }
    std::vector<std::byte>& buffer = buffers[next];
    next ^= 1;
    if (known) {
      buffer.resize(target.size() + checksums * kCrcBytes);
      ZF_RETURN_IF_ERROR(decompress_exact(codec, source, buffer));
    } else {
      // What this codec decodes to is what the codecs before it made of the chunk: no more than
      // their bound on the chunk's decoded size.
      const std::vector<BytesCodec> before(codecs.begin(), codecs.begin() + std::ptrdiff_t(i));
      const std::uint64_t limit = max_codecs_bytes(before, target.size());
      ZF_ASSIGN_OR_RETURN(buffer, decompress_any(codec, source, std::size_t(limit)));
    }
    source = buffer;
  }
  if (source.size() != target.size())
    return corrupt("the chunk holds " + std::to_string(source.size()) + " bytes instead of " +
                   std::to_string(target.size()));
  std::memcpy(target.data(), source.data(), target.size());
  return ok_status();
}

struct N5Header {
  Shape block_shape;  // C order
  std::size_t size = 0;
};

Result<N5Header> parse_n5_header(std::span<const std::byte> stored, int rank) {
  if (stored.size() < 4) return corrupt("the N5 block is shorter than its header");
  const std::uint16_t mode = load_u16_be(stored.data());
  const std::uint16_t dims = load_u16_be(stored.data() + 2);
  if (mode > 1)
    return corrupt("N5 block mode " + std::to_string(mode) +
                   (mode == 2 ? " (object) is not supported" : " is unknown"));
  if (dims != rank)
    return corrupt("the N5 block header has " + std::to_string(dims) + " dimensions, the array " +
                   std::to_string(rank));
  N5Header header;
  header.size = 4 + 4 * std::size_t(dims) + (mode == 1 ? 4 : 0);
  if (stored.size() < header.size) return corrupt("the N5 block is shorter than its header");
  header.block_shape = Shape::filled(rank, 0);
  for (int k = 0; k < rank; ++k)  // N5 lists the fastest axis first
    header.block_shape[rank - 1 - k] = Index(load_u32_be(stored.data() + 4 + 4 * k));
  if (mode == 1) {
    const std::uint32_t elements = load_u32_be(stored.data() + 4 + 4 * dims);
    // The header's extents are unchecked here (up to 2^32 - 1 each): a product that overflows
    // is no count of elements (found by tests/fuzz).
    Index product = 1;
    for (const Index extent : header.block_shape)
      if (__builtin_mul_overflow(product, extent, &product)) {
        product = -1;
        break;
      }
    if (Index(elements) != product) return corrupt("varlength N5 blocks are not supported");
  }
  return header;
}

std::string level_text(const char* name, int level) {
  return std::string(name) + "(level=" + std::to_string(level) + ")";
}

std::string_view shuffle_word(BloscShuffle shuffle) {
  return shuffle == BloscShuffle::kNone  ? "noshuffle"
         : shuffle == BloscShuffle::kBit ? "bitshuffle"
                                         : "shuffle";
}

}  // namespace

std::string BytesCodec::describe() const {
  switch (kind) {
    case Kind::kZstd:
      return level_text("zstd", level);
    case Kind::kGzip:
      return level_text("gzip", level);
    case Kind::kZlib:
      return level_text("zlib", level);
    case Kind::kBlosc:
      return "blosc(cname=" + blosc.compressor + ", clevel=" + std::to_string(blosc.level) +
             ", shuffle=" + std::string(shuffle_word(blosc.shuffle)) + ")";
    case Kind::kCrc32c:
      return "crc32c";
    case Kind::kXz:
      return "xz";
  }
  return "?";
}

std::vector<std::string> ChunkCodec::describe(DType dtype) const {
  std::vector<std::string> steps;
  if (!order.empty()) {
    std::string text = "transpose(order=[";
    for (std::size_t k = 0; k < order.size(); ++k)
      text += (k ? ", " : "") + std::to_string(order[k]);
    steps.push_back(text + "])");
  }
  if (n5_header) steps.push_back("n5 block header");
  if (dtype_size(dtype) > 1 || steps.empty())
    steps.push_back(big_endian ? "bytes(big)" : "bytes(little)");
  for (const BytesCodec& codec : bytes_codecs) steps.push_back(codec.describe());
  return steps;
}

std::uint64_t max_stored_bytes(const ChunkCodec& codec, std::uint64_t decoded_bytes, int rank) {
  const std::uint64_t header = codec.n5_header ? 4 + 4 * std::uint64_t(rank) + 4 : 0;
  return max_codecs_bytes(codec.bytes_codecs, decoded_bytes) + header;
}

Status decode_stored_chunk(const ChunkCodec& codec, DType dtype, const Shape& chunk_shape,
                           std::span<const std::byte> fill, std::span<const std::byte> stored,
                           std::span<std::byte> out) {
  const std::size_t element = dtype_size(dtype);
  Shape stored_shape = chunk_shape;
  std::span<const std::byte> body = stored;
  if (codec.n5_header) {
    ZF_ASSIGN_OR_RETURN(const N5Header header, parse_n5_header(stored, chunk_shape.rank()));
    for (int a = 0; a < chunk_shape.rank(); ++a)
      if (header.block_shape[a] < 1 || header.block_shape[a] > chunk_shape[a])
        return corrupt("the N5 block header gives the block shape " +
                       to_string(header.block_shape) + ", outside the block size " +
                       to_string(chunk_shape));
    stored_shape = header.block_shape;
    body = stored.subspan(header.size);
  }
  const bool reshaped = !(stored_shape == chunk_shape) || !codec.order.empty();
  const std::size_t stored_bytes = std::size_t(num_elements(stored_shape)) * element;
  thread_local std::vector<std::byte> staging;
  std::span<std::byte> target = out;
  if (reshaped) {
    staging.resize(stored_bytes);
    target = staging;
  }
  ZF_RETURN_IF_ERROR(undo_bytes_codecs(codec.bytes_codecs, body, target));
  if (codec.big_endian) swap_byte_order(target, element);
  if (!reshaped) return ok_status();
  const ConstArrayView from(target.data(), dtype, stored_shape,
                            codec.order.empty() ? contiguous_strides(stored_shape)
                                                : stored_strides(stored_shape, codec.order));
  const ArrayView whole(out.data(), dtype, chunk_shape);
  if (!(stored_shape == chunk_shape)) fill_array(whole, fill);
  copy_array(from, whole.subview({IndexVector::filled(chunk_shape.rank(), 0), stored_shape}));
  return ok_status();
}

Result<std::vector<std::byte>> encode_stored_chunk(const ChunkCodec& codec, DType dtype,
                                                   const Shape& chunk_shape,
                                                   std::span<const std::byte> values) {
  const std::size_t element = dtype_size(dtype);
  // `current` is what the next step reads: the caller's values until a step rewrites them.
  std::vector<std::byte> data;
  std::span<const std::byte> current = values;
  if (!codec.order.empty()) {
    data.resize(values.size());
    const ArrayView stored(data.data(), dtype, chunk_shape,
                           stored_strides(chunk_shape, codec.order));
    copy_array(ConstArrayView(values.data(), dtype, chunk_shape), stored);
    current = data;
  }
  if (codec.big_endian && element > 1) {
    if (data.empty()) data.assign(values.begin(), values.end());
    swap_byte_order(data, element);
    current = data;
  }
  for (const BytesCodec& step : codec.bytes_codecs) {
    std::vector<std::byte> next;
    switch (step.kind) {
      case BytesCodec::Kind::kZstd: {
        // A scratch kept per thread, so the bound is not zero-filled for every chunk.
        thread_local std::vector<std::byte> scratch;
        scratch.resize(zstd_compress_bound(current.size()));
        ZF_ASSIGN_OR_RETURN(const std::size_t n, zstd_compress(current, scratch, step.level));
        next.assign(scratch.begin(), scratch.begin() + std::ptrdiff_t(n));
        break;
      }
      case BytesCodec::Kind::kGzip:
      case BytesCodec::Kind::kZlib: {
        thread_local std::vector<std::byte> scratch;
        scratch.resize(deflate_compress_bound(current.size()));
        ZF_ASSIGN_OR_RETURN(
            const std::size_t n,
            deflate_compress(current, scratch, step.level,
                             step.kind == BytesCodec::Kind::kGzip ? DeflateFormat::kGzip
                                                                  : DeflateFormat::kZlib));
        next.assign(scratch.begin(), scratch.begin() + std::ptrdiff_t(n));
        break;
      }
      case BytesCodec::Kind::kBlosc: {
        ZF_ASSIGN_OR_RETURN(next, blosc_compress(current, step.blosc));
        break;
      }
      case BytesCodec::Kind::kCrc32c:
        next.assign(current.begin(), current.end());
        store_u32_le(next, crc32c(current));
        break;
      case BytesCodec::Kind::kXz:
        return make_error(ErrorCode::kUnsupported, "zoomflow reads xz but does not write it");
    }
    data = std::move(next);
    current = data;
  }
  if (data.empty() || current.data() != data.data()) data.assign(current.begin(), current.end());
  if (!codec.n5_header) return data;
  std::vector<std::byte> block;
  block.reserve(data.size() + 4 + 4 * std::size_t(chunk_shape.rank()));
  store_u16_be(block, 0);  // mode: default
  store_u16_be(block, std::uint16_t(chunk_shape.rank()));
  for (int a = chunk_shape.rank() - 1; a >= 0; --a)
    store_u32_be(block, std::uint32_t(chunk_shape[a]));
  block.insert(block.end(), data.begin(), data.end());
  return block;
}

}  // namespace zoomflow::storage
