// The bounds a benchmark row is held to, measured in the same run on the same bytes: the
// in-memory kernel alone, and the output's chunks compressed (or the input's chunks
// decompressed) from memory with the same codec and level on all threads, with nothing else to
// do. An out-of-core run cannot be faster than the compression bound of what it writes or the
// decompression bound of what it reads.
#pragma once

#include <cstddef>

#include "measure.hpp"
#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::tools {

struct CodecBound {
  Timing kernel;      // the resampling alone, in memory, all threads
  Timing compress;    // every output chunk compressed, all threads
  Timing decompress;  // every input chunk decompressed, all threads
  std::size_t output_chunks = 0;
  std::size_t input_chunks = 0;
};

// For `zoomflow generate`'s noise uint16 volume of `shape` (seed 0), resampled by `zoom` at
// `order`, with 64^3 chunks and zstd at `level` on both sides.
Result<CodecBound> measure_codec_bound(const Shape& shape, double zoom, Interpolation order,
                                       int level);

}  // namespace zoomflow::tools
