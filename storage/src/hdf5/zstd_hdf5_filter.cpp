// The buffers HDF5 hands a filter are malloc'd, and a filter that replaces one frees it the same
// way: HDF5 1.10 allocates filter buffers with malloc in release builds, and the plugin must not
// link a second HDF5 library into a program (h5py) that brings its own.
#include "zstd_hdf5_filter.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>

#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

constexpr int kDefaultLevel = 3;  // when cd_values carry no level (other writers' files)

struct MallocFree {
  void operator()(void* p) const { std::free(p); }
};

// Replaces *buf by `bytes` (malloc'd, ownership passed to HDF5); returns the filter's result.
std::size_t hand_over(void* bytes, std::size_t size, std::size_t capacity, std::size_t* buf_size,
                      void** buf) {
  std::free(*buf);
  *buf = bytes;
  *buf_size = capacity;
  return size;
}

std::size_t compress(int level, std::size_t nbytes, std::size_t* buf_size, void** buf) {
  const std::size_t capacity = zstd_compress_bound(nbytes);
  std::unique_ptr<void, MallocFree> out(std::malloc(capacity));
  if (!out) return 0;
  const auto in = std::span(static_cast<const std::byte*>(*buf), nbytes);
  const auto n = zstd_compress(in, std::span(static_cast<std::byte*>(out.get()), capacity), level);
  if (!n.ok()) return 0;
  return hand_over(out.release(), *n, capacity, buf_size, buf);
}

// HDF5 hands a reversing filter only the stored bytes (nbytes, and a buffer of that size), not
// the chunk's decoded size: what a frame may decode to is bounded by its structure (each block's
// header, checked against the bytes present) and by HDF5's own limit on a chunk, never by the
// content size its header claims, so a damaged frame cannot make the filter allocate terabytes.
constexpr std::uint64_t kMaxChunkBytes = (std::uint64_t(1) << 32) - 1;

std::size_t decompress(std::size_t nbytes, std::size_t* buf_size, void** buf) {
  const auto in = std::span(static_cast<const std::byte*>(*buf), nbytes);
  const std::optional<std::uint64_t> bound = zstd_decoded_bound(in);
  if (!bound) return 0;  // not complete zstd data: HDF5 reports the filter's failure
  const std::uint64_t limit = std::min(*bound, kMaxChunkBytes);
  if (const auto size = zstd_frame_content_size(in); size && *size > 0 && *size == *bound) {
    // One frame, its recorded size within its structure's bound: decoded into exactly that.
    if (*size > limit) return 0;
    std::unique_ptr<void, MallocFree> out(std::malloc(std::size_t(*size)));
    if (!out) return 0;
    const auto view = std::span(static_cast<std::byte*>(out.get()), std::size_t(*size));
    if (!zstd_decompress(in, view).ok()) return 0;
    return hand_over(out.release(), view.size(), view.size(), buf_size, buf);
  }
  auto decoded = zstd_decompress_any(in, std::size_t(limit));
  if (!decoded.ok()) return 0;
  const std::size_t size = decoded->size();
  std::unique_ptr<void, MallocFree> out(std::malloc(size > 0 ? size : 1));
  if (!out) return 0;
  if (size > 0) std::memcpy(out.get(), decoded->data(), size);
  return hand_over(out.release(), size, size > 0 ? size : 1, buf_size, buf);
}

extern "C" std::size_t zoomflow_zstd_filter(unsigned int flags, std::size_t cd_nelmts,
                                            const unsigned int cd_values[], std::size_t nbytes,
                                            std::size_t* buf_size, void** buf) {
  if (flags & H5Z_FLAG_REVERSE) return decompress(nbytes, buf_size, buf);
  const int level = cd_nelmts > 0 ? int(cd_values[0]) : kDefaultLevel;
  return compress(level, nbytes, buf_size, buf);
}

const H5Z_class2_t kZstdFilterClass = {
    H5Z_CLASS_T_VERS,
    H5Z_filter_t(kZstdFilterId),
    1,  // encoder present
    1,  // decoder present
    "zstd (zoomflow)",
    nullptr,  // can_apply
    nullptr,  // set_local
    zoomflow_zstd_filter,
};

}  // namespace

const H5Z_class2_t* zstd_filter_class() {
  return &kZstdFilterClass;
}

}  // namespace zoomflow::storage
