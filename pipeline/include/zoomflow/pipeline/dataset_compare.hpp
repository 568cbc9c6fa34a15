// `zoomflow compare`: whether two datasets hold the same shape, dtype and values, and where they
// differ; read block by block on all threads with bounded memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/pipeline/number.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow {

struct CompareReport {
  Shape shape_a, shape_b;
  DType dtype_a = DType::kUInt8, dtype_b = DType::kUInt8;
  // Values are compared only when shape and dtype agree. NaN equals NaN.
  std::uint64_t compared = 0;
  std::uint64_t differing = 0;
  std::optional<IndexVector> first_difference;                  // the first in C order
  Number value_a = std::int64_t(0), value_b = std::int64_t(0);  // at first_difference, exact
  double max_abs_difference = 0;                                // infinite where NaN meets a number

  bool same_layout() const { return shape_a == shape_b && dtype_a == dtype_b; }
  bool identical() const { return same_layout() && differing == 0; }
};

struct CompareOptions {
  int threads = 0;  // 0: all
  std::uint64_t memory_limit_bytes = std::uint64_t(1) << 30;
  std::uint64_t block_bytes = std::uint64_t(4) << 20;  // about this much of each read per block
  const std::atomic<bool>* cancel = nullptr;           // optional; set to stop
};

Result<CompareReport> compare_datasets(const storage::InputDataset& a,
                                       const storage::InputDataset& b,
                                       const CompareOptions& options = {});

}  // namespace zoomflow
