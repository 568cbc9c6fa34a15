// Output compression as users name it: zstd[:L] | gzip[:L] | none.
#pragma once

#include <string>
#include <string_view>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

enum class Codec { kNone, kZstd, kDeflate };

inline constexpr unsigned kZstdFilterId = 32015;  // registered HDF5 filter id

struct CompressionSpec {
  Codec codec = Codec::kZstd;
  int level = 1;  // zstd 1: ~3.5x faster than 3 on noisy uint16 for a ~10% larger file

  std::string to_string() const;
};

Result<CompressionSpec> parse_compression(std::string_view text);

}  // namespace zoomflow::storage
