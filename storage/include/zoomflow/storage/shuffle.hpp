// HDF5's shuffle filter (id 2): byte k of every element stored together, for k = 0..size-1;
// trailing bytes that do not make a whole element are kept as they are.
#pragma once

#include <cstddef>
#include <span>

namespace zoomflow::storage {

// `in` and `out` have the same size and do not overlap.
void shuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out,
                   std::size_t element_size);
void unshuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out,
                     std::size_t element_size);

}  // namespace zoomflow::storage
