// Reading a box of a chunked array chunk by chunk, the one loop every driver shares: each chunk
// the box touches is loaded (a missing one reads as the fill value) and its overlap with the box
// copied into the output view.
#pragma once

#include <span>

#include "array_copy.hpp"
#include "chunk_cache.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::storage {

// `load(grid_index)` -> Result<DecodedChunk>: the chunk's elements, a whole chunk of
// grid.chunk_shape() in C order and native byte order, or null when the chunk is missing.
// `fill` is one element. A box of many chunks polls for SIGINT/SIGTERM/SIGHUP every 1024 chunks
// (kCancelled), so that millions of one-voxel chunks do not keep a run from stopping.
template <class Load>
Status read_box_from_chunks(const ChunkGrid& grid, DType dtype, std::span<const std::byte> fill,
                            const Box& box, ArrayView out, Load&& load) {
  Status status;
  std::size_t visited = 0;
  for_each_index(grid.chunks_touching(box), [&](const IndexVector& grid_index) {
    if (!status.ok()) return;
    if (++visited % 1024 == 0 && interrupt_requested()) {
      status = interrupted_error();
      return;
    }
    const Box chunk_box = grid.chunk_box(grid_index);
    const Box overlap = intersect(box, chunk_box);
    Box in_out = overlap;
    Box in_chunk = overlap;
    for (int a = 0; a < box.rank(); ++a) {
      in_out.origin[a] -= box.origin[a];
      in_chunk.origin[a] -= chunk_box.origin[a];
    }
    const ArrayView target = out.subview(in_out);
    Result<DecodedChunk> chunk = load(grid_index);
    if (!chunk.ok()) {
      status = chunk.error();
      return;
    }
    if (!*chunk) {
      fill_array(target, fill);
      return;
    }
    const ConstArrayView whole((*chunk)->data(), dtype, grid.chunk_shape());
    copy_array(whole.subview(in_chunk), target);
  });
  return status;
}

}  // namespace zoomflow::storage
