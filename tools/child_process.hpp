// Running a zoomflow subcommand as a child process, so that a benchmark row gets its own
// peak resident memory (wait4's rusage) and its own wall time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::tools {

struct ChildResult {
  int exit_code = -1;
  std::string standard_output;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system, every thread of the child
  std::int64_t peak_rss_bytes = 0;
};

// Runs this same executable with `arguments` (argv[1..]); standard error passes through.
Result<ChildResult> run_self(const std::vector<std::string>& arguments);

// run_self, failing unless the child exits 0, or when SIGINT/SIGTERM arrived meanwhile (the
// caller installs the handlers, so that it survives to clean up).
Result<ChildResult> run_self_checked(const std::vector<std::string>& arguments);
Status run_self_step(const std::vector<std::string>& arguments);

// The nonzero voxels of a dataset, from `zoomflow stats --json` in a child.
Result<std::int64_t> dataset_nonzero(const std::string& dataset);

}  // namespace zoomflow::tools
