#include "zoomflow/storage/shuffle.hpp"

#include <cstring>

namespace zoomflow::storage {

void shuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out,
                   std::size_t element_size) {
  const std::size_t count = element_size > 1 ? in.size() / element_size : 0;
  const std::size_t whole = count * element_size;
  for (std::size_t k = 0; k < element_size && count > 0; ++k) {
    std::byte* plane = out.data() + k * count;
    const std::byte* from = in.data() + k;
    for (std::size_t i = 0; i < count; ++i) plane[i] = from[i * element_size];
  }
  // The bytes past the last whole element are stored as they are (none: no copy, whose null
  // pointers an empty chunk would pass).
  if (in.size() > whole) std::memcpy(out.data() + whole, in.data() + whole, in.size() - whole);
}

void unshuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out,
                     std::size_t element_size) {
  const std::size_t count = element_size > 1 ? in.size() / element_size : 0;
  const std::size_t whole = count * element_size;
  for (std::size_t k = 0; k < element_size && count > 0; ++k) {
    const std::byte* plane = in.data() + k * count;
    std::byte* to = out.data() + k;
    for (std::size_t i = 0; i < count; ++i) to[i * element_size] = plane[i];
  }
  // The bytes past the last whole element are stored as they are (none: no copy, whose null
  // pointers an empty chunk would pass).
  if (in.size() > whole) std::memcpy(out.data() + whole, in.data() + whole, in.size() - whole);
}

}  // namespace zoomflow::storage
