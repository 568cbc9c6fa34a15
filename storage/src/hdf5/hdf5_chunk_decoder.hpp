// Undoing a chunk's filter pipeline without HDF5, for the filters zoomflow implements: zstd
// (32015), deflate (1) and shuffle (2), at most one of them a compressor.
#pragma once

#include <cstddef>
#include <span>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

inline constexpr unsigned kDeflateFilterId = 1;
inline constexpr unsigned kShuffleFilterId = 2;

// True when decode_chunk can undo this pipeline.
bool is_decodable_pipeline(std::span<const FilterInfo> filters);

// Decodes `raw` (a chunk as stored; filter i skipped where bit i of `filter_mask` is set) into
// `out`, exactly the chunk's decoded size. `element_size` is the dataset's element size.
Status decode_chunk(std::span<const FilterInfo> filters, unsigned filter_mask,
                    std::span<const std::byte> raw, std::span<std::byte> out,
                    std::size_t element_size);

}  // namespace zoomflow::storage
