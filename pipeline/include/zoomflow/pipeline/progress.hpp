// Progress of a run as the pipeline reports it; drawing it is the caller's business.
#pragma once

#include <cstdint>
#include <functional>

namespace zoomflow {

struct Progress {
  std::int64_t blocks_done = 0;
  std::int64_t blocks_total = 0;
  std::uint64_t output_bytes_done = 0;   // uncompressed
  std::uint64_t output_bytes_total = 0;  // uncompressed
  std::uint64_t bytes_written = 0;       // compressed, on disk
  double seconds = 0;
};

// Called from one thread at a time, after each block is written.
using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace zoomflow
