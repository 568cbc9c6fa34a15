// Shapes read from files (HDF5 extents and chunk dimensions, Zarr and N5 metadata) checked before
// any arithmetic is done on them: every extent within Index, and the bytes of the whole array (or
// of one chunk) within kMaxArrayBytes, so that element counts and byte sizes cannot overflow
// whatever a damaged or hostile file claims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

// 2^62 bytes: far beyond any disk, and still a positive Index after a multiplication by 2.
inline constexpr std::uint64_t kMaxArrayBytes = std::uint64_t(1) << 62;

// An extent as a file stores it (unsigned 64-bit), as an Index; fails above INT64_MAX.
Result<Index> checked_extent(std::uint64_t extent, const std::string& where);

// The bytes of `shape` with elements of `element_size` bytes, or an error naming `what` of
// `where` when they exceed kMaxArrayBytes (or an extent is negative).
Result<std::uint64_t> checked_bytes(const Shape& shape, std::size_t element_size,
                                    const std::string& what, const std::string& where);

}  // namespace zoomflow::storage
