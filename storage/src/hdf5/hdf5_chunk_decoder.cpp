#include "hdf5_chunk_decoder.hpp"

#include <cstring>
#include <string>
#include <vector>

#include "../codecs/encoded_size.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/deflate_codec.hpp"
#include "zoomflow/storage/shuffle.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

bool is_compressor(unsigned id) {
  return id == kDeflateFilterId || id == kZstdFilterId;
}

bool is_known(unsigned id) {
  return id == kShuffleFilterId || is_compressor(id);
}

bool applied(unsigned filter_mask, std::size_t index) {
  return index >= 32 || (filter_mask & (1u << index)) == 0;
}

}  // namespace

bool is_decodable_pipeline(std::span<const FilterInfo> filters,
                           const std::vector<bool>& available) {
  int compressors = 0;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const unsigned id = filters[i].id;
    if (!is_known(id) && (i >= available.size() || available[i])) return false;
    compressors += is_compressor(id) ? 1 : 0;
  }
  return compressors <= 1;
}

std::uint64_t max_stored_chunk_bytes(std::span<const FilterInfo> filters,
                                     std::uint64_t decoded_bytes) {
  bool compressor = false;
  for (const FilterInfo& f : filters) {
    if (!is_known(f.id)) return 2 * decoded_bytes + (std::uint64_t(1) << 20);
    compressor = compressor || is_compressor(f.id);
  }
  return compressor ? max_compressed_bytes(decoded_bytes) : decoded_bytes;
}

Status decode_chunk(std::span<const FilterInfo> filters, unsigned filter_mask,
                    std::span<const std::byte> raw, std::span<std::byte> out,
                    std::size_t element_size) {
  // Undo the applied filters last to first, the last step writing straight into `out`. Only a
  // compressor changes the size, and there is at most one: it decodes to the chunk's size.
  std::vector<const FilterInfo*> steps;
  for (std::size_t i = filters.size(); i-- > 0;) {
    if (!applied(filter_mask, i)) continue;
    if (!is_known(filters[i].id))
      return make_error(ErrorCode::kUnsupported,
                        "it was written with filter " + std::to_string(filters[i].id) +
                            (filters[i].name.empty() ? "" : " (" + filters[i].name + ")") +
                            ", which this HDF5 cannot decode; point HDF5_PLUGIN_PATH at a folder "
                            "holding its plugin");
    steps.push_back(&filters[i]);
  }
  std::span<const std::byte> source = raw;
  std::vector<std::byte> buffers[2];
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const FilterInfo& filter = *steps[s];
    const std::size_t size = filter.id == kShuffleFilterId ? source.size() : out.size();
    const bool last = s + 1 == steps.size();
    if (last && size != out.size()) break;  // reported below
    std::span<std::byte> target = out;
    if (!last) {
      buffers[s % 2].resize(size);
      target = buffers[s % 2];
    }
    if (filter.id == kShuffleFilterId) {
      unshuffle_bytes(source, target,
                      filter.parameters.empty() ? element_size : filter.parameters[0]);
    } else {
      ZF_RETURN_IF_ERROR(filter.id == kZstdFilterId ? zstd_decompress(source, target)
                                                    : deflate_decompress(source, target));
    }
    if (last) return ok_status();
    source = target;
  }
  if (source.size() != out.size())
    return make_error(ErrorCode::kCorrupt, "the chunk holds " + std::to_string(source.size()) +
                                               " bytes instead of " + std::to_string(out.size()));
  std::memcpy(out.data(), source.data(), out.size());
  return ok_status();
}

}  // namespace zoomflow::storage
