// `zoomflow generate`: a synthetic volume (box mask, noise, labels) written chunk by chunk, so
// that volumes larger than memory can be made; patterns are computed per chunk on all threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow {

struct GenerateOptions {
  storage::DatasetPath output;
  Shape shape;
  DType dtype = DType::kUInt8;
  Pattern pattern = Pattern::kBox;
  std::uint64_t seed = 0;
  Shape chunk_shape;  // empty: the storage default (64 per axis, clipped)
  storage::CompressionSpec compression;
  bool overwrite = false;
  int threads = 0;                                            // 0: all
  std::uint64_t memory_limit_bytes = std::uint64_t(1) << 30;  // bounds the chunks in flight
  const std::atomic<bool>* cancel = nullptr;                  // optional; set to stop
};

struct GenerateReport {
  Shape chunk_shape;
  Index chunks = 0;          // in the dataset
  Index chunks_written = 0;  // the others are all zero (the fill value) and are not stored
  std::uint64_t bytes_written = 0;
  double seconds = 0;
  std::string notice;  // what was removed before writing (temporaries of killed runs), or empty
};

// Writes the dataset (atomically: nothing appears at the final name unless it completes).
Result<GenerateReport> generate_dataset(const GenerateOptions& options);

}  // namespace zoomflow
