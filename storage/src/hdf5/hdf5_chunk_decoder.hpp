// Undoing a chunk's filter pipeline without HDF5, for the filters zoomflow implements: zstd
// (32015), deflate (1) and shuffle (2), at most one of them a compressor; plus optional filters
// this HDF5 lacks, which a chunk may have skipped (its filter mask says so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::storage {

inline constexpr unsigned kDeflateFilterId = 1;
inline constexpr unsigned kShuffleFilterId = 2;

// True when decode_chunk can undo this pipeline: every filter is zoomflow's, or not available
// to HDF5 (`available[i]` false; then a chunk that applied it is refused), with at most one
// compressor among zoomflow's.
bool is_decodable_pipeline(std::span<const FilterInfo> filters, const std::vector<bool>& available);

// The most bytes a chunk of `decoded_bytes` may take in the file through this pipeline: its
// decoded size without a compressor, a compressor's bound with one, twice it (and 1 MiB) where
// a filter zoomflow does not know may change the size.
std::uint64_t max_stored_chunk_bytes(std::span<const FilterInfo> filters,
                                     std::uint64_t decoded_bytes);

// Decodes `raw` (a chunk as stored; filter i skipped where bit i of `filter_mask` is set) into
// `out`, exactly the chunk's decoded size. `element_size` is the dataset's element size. A chunk
// that applied a filter zoomflow does not implement fails with kUnsupported.
Status decode_chunk(std::span<const FilterInfo> filters, unsigned filter_mask,
                    std::span<const std::byte> raw, std::span<std::byte> out,
                    std::size_t element_size);

}  // namespace zoomflow::storage
