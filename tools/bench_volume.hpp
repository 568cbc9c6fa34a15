// The synthetic volume and resampling that `bench kernel` and `bench cuda` run on: their
// shared options, parsed values, and the parallel fill.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow::tools {

struct BenchVolume {
  Shape input_shape{1024, 1024, 512};
  std::vector<double> zoom{2.0, 2.0, 2.0};
  DType dtype = DType::kBool;
  Pattern pattern = Pattern::kBox;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;
  BoundaryMode mode = BoundaryMode::kNearest;
};

// As typed; the defaults are the caller's.
struct BenchVolumeArgs {
  std::string shape;
  std::string zoom = "2";
  std::string dtype;
  std::string pattern;
  int order = 0;
  std::string grid = "centers";
  std::string mode = "nearest";
  int repeats = 3;
  bool json = false;
};

// --shape --zoom --dtype --pattern --order --grid --mode --repeat --json
void add_bench_volume_options(CLI::App& command, BenchVolumeArgs& args);
Result<BenchVolume> parse_bench_volume(const BenchVolumeArgs& args);

// Fills `volume` with the pattern on all threads, plane by plane.
Status fill_volume(Pattern pattern, ArrayView volume);

}  // namespace zoomflow::tools
