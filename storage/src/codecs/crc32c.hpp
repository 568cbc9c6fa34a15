// CRC-32C (Castagnoli), as Zarr v3's crc32c codec appends it: ISA-L's crc32_iscsi, which takes
// and returns the register without the final inversion, so crc32c = ~crc32_iscsi(data, ~0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace zoomflow::storage {

std::uint32_t crc32c(std::span<const std::byte> data);

}  // namespace zoomflow::storage
