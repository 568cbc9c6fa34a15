// `zoomflow bench cuda`: the CUDA backend's rows, each against the copy that bounds it.
#pragma once

#include <vector>

#include "bench_volume.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow::tools {

struct CudaBenchOptions : BenchVolume {
  Shape chunk_shape;                                // empty: 64 per axis
  std::size_t block_bytes = std::size_t(16) << 20;  // output bytes per pipeline block
  int repeats = 3;
  bool json = false;
};

// Without a usable GPU prints why and succeeds: nothing is measured, nothing is claimed.
Status run_cuda_bench(const CudaBenchOptions& options);

}  // namespace zoomflow::tools
