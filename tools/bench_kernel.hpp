// The in-memory kernel benchmark (also what `demo` runs on machines without storage).
#pragma once

#include <vector>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow::tools {

struct KernelBenchOptions {
  Shape input_shape{1024, 1024, 512};
  std::vector<double> zoom{2.0, 2.0, 2.0};
  DType dtype = DType::kBool;
  Pattern pattern = Pattern::kBox;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;
  int repeats = 3;
  bool json = false;
};

Status run_kernel_bench(const KernelBenchOptions& options);

}  // namespace zoomflow::tools
