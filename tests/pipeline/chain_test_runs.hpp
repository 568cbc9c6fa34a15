// Running a chain in pipeline tests: dataset paths in a test folder, run options, and a chain run
// from one dataset to another whose output is read back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "test_datasets.hpp"
#include "zoomflow/pipeline/chain.hpp"

namespace zoomflow::testing {

inline storage::DatasetPath at(const TempFolder& folder, const std::string& file) {
  return {(folder / file).string(), "/v"};
}

inline RunOptions options_of(int threads, std::uint64_t limit,
                             BlockLayout layout = BlockLayout::kBricks) {
  RunOptions options;
  options.threads = threads;
  options.memory_limit = limit;
  options.layout = layout;
  return options;
}

// Runs `steps` from `in` into `out` (overwritten) in output chunks `chunks`; the output as read
// back, and the run's report in `report` when given.
inline Volume run_chain_volume(const storage::DatasetPath& in, const storage::DatasetPath& out,
                               const std::vector<ChainStepPtr>& steps, const Shape& chunks,
                               const RunOptions& options, RunReport* report = nullptr) {
  ChainRequest request;
  request.input = in;
  request.output = out;
  request.steps = steps;
  request.chunk_shape = chunks;
  request.overwrite = true;
  auto result = run_chain(request, options);
  REQUIRE_MESSAGE(result.ok(), result.error().message);
  if (report != nullptr) *report = *result;
  return read_volume(out);
}

}  // namespace zoomflow::testing
