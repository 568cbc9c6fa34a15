#include "blosc_codec.hpp"

#include <blosc.h>

namespace zoomflow::storage {

Result<std::vector<std::byte>> blosc_compress(std::span<const std::byte> raw,
                                              const BloscParameters& parameters) {
  std::vector<std::byte> out(raw.size() + BLOSC_MAX_OVERHEAD);
  // The _ctx functions keep no global state, so worker threads compress at once.
  const int size = blosc_compress_ctx(
      parameters.level, int(parameters.shuffle), parameters.type_size, raw.size(), raw.data(),
      out.data(), out.size(), parameters.compressor.c_str(), parameters.block_size,
      /*numinternalthreads=*/1);
  if (size <= 0)
    return make_error(ErrorCode::kInternal, "blosc compression (" + parameters.compressor +
                                                ") failed with code " + std::to_string(size));
  out.resize(std::size_t(size));
  return out;
}

Result<std::size_t> blosc_decoded_size(std::span<const std::byte> compressed) {
  if (compressed.size() < BLOSC_MIN_HEADER_LENGTH)
    return make_error(ErrorCode::kCorrupt, "blosc data of " + std::to_string(compressed.size()) +
                                               " bytes is shorter than its header");
  std::size_t decoded = 0, stored = 0, block = 0;
  // c-blosc's own consistency check of the header against the bytes present (1.21's decoder
  // trusts the header otherwise).
  if (blosc_cbuffer_validate(compressed.data(), compressed.size(), &decoded) < 0)
    return make_error(ErrorCode::kCorrupt, "blosc header is not consistent with its " +
                                               std::to_string(compressed.size()) + " bytes");
  blosc_cbuffer_sizes(compressed.data(), &decoded, &stored, &block);
  if (stored != compressed.size())
    return make_error(ErrorCode::kCorrupt, "blosc header records " + std::to_string(stored) +
                                               " bytes, the data holds " +
                                               std::to_string(compressed.size()));
  return decoded;
}

Status blosc_decompress(std::span<const std::byte> compressed, std::span<std::byte> out) {
  ZF_ASSIGN_OR_RETURN(const std::size_t decoded, blosc_decoded_size(compressed));
  if (decoded != out.size())
    return make_error(ErrorCode::kCorrupt, "blosc data decodes to " + std::to_string(decoded) +
                                               " bytes instead of " + std::to_string(out.size()));
  const int n = blosc_decompress_ctx(compressed.data(), out.data(), out.size(), 1);
  if (n < 0 || std::size_t(n) != out.size())
    return make_error(ErrorCode::kCorrupt,
                      "blosc data does not decode (code " + std::to_string(n) + ")");
  return ok_status();
}

std::string blosc_compressors() {
  return blosc_list_compressors();
}

}  // namespace zoomflow::storage
