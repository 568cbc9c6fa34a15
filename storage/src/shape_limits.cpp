#include "shape_limits.hpp"

#include <limits>

namespace zoomflow::storage {

Result<Index> checked_extent(std::uint64_t extent, const std::string& where) {
  if (extent > std::uint64_t(std::numeric_limits<Index>::max()))
    return make_error(ErrorCode::kInvalidArgument, where + " claims an extent of " +
                                                       std::to_string(extent) +
                                                       ", beyond any array zoomflow can address");
  return Index(extent);
}

Result<std::uint64_t> checked_bytes(const Shape& shape, std::size_t element_size,
                                    const std::string& what, const std::string& where) {
  std::uint64_t bytes = element_size;
  bool overflow = false;
  for (Index extent : shape) {
    if (extent < 0)
      return make_error(
          ErrorCode::kInvalidArgument,
          where + ": the " + what + " " + to_string(shape) + " has a negative extent");
    overflow = overflow || __builtin_mul_overflow(bytes, std::uint64_t(extent), &bytes);
  }
  if (overflow || bytes > kMaxArrayBytes)
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": the " + what + " " + to_string(shape) +
                          " holds more than 2^62 bytes; the metadata is "
                          "damaged or not meant for any reader");
  return bytes;
}

}  // namespace zoomflow::storage
