// The in-memory kernel benchmark (also what `demo` runs on machines without storage).
#pragma once

#include <vector>

#include "bench_volume.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow::tools {

struct KernelBenchOptions : BenchVolume {
  int repeats = 3;
  bool json = false;
};

Status run_kernel_bench(const KernelBenchOptions& options);

}  // namespace zoomflow::tools
