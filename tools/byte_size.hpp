// Sizes as users write them: 512MiB, 2GiB, 1.5G, 100MB, 1048576.
#pragma once

#include <cstdint>
#include <string_view>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::tools {

// K, M, G, T and KiB..TiB are powers of 1024; KB, MB, GB, TB powers of 1000; no suffix or B is
// bytes. Fractions are allowed ("1.5G").
Result<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace zoomflow::tools
