// `zoomflow bench`: the seed table for zoomflow, every row in its own child process so each
// has its own wall time and peak RSS.
#pragma once

#include <cstdint>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::tools {

struct PipelineBenchOptions {
  std::string workdir;  // empty: a temporary folder, removed afterwards
  std::string memory_limit = "1GiB";
  bool quick = false;  // small volumes, for a smoke run
  bool json = false;
  bool keep = false;  // keep the generated files
};

Status run_pipeline_bench(const PipelineBenchOptions& options);

}  // namespace zoomflow::tools
