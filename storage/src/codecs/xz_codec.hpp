// xz (liblzma): N5's xz compression and numcodecs' lzma in its default xz format. Read only.
#pragma once

#include <cstddef>
#include <span>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// Decompresses an xz stream into `out`, exactly the decoded size (kCorrupt otherwise).
Status xz_decompress(std::span<const std::byte> compressed, std::span<std::byte> out);

}  // namespace zoomflow::storage
