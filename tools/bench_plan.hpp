// `zoomflow bench plan`: the planning an MPI job does, alone, at cluster scale, without any file:
// the chain planned against its input, the memory plan's block shape, one rank's share of the
// blocks walked the way its graph's source and compute stage walk them (each block's box and the
// input box every step needs), timed, with the rank's peak memory; and, over every rank, the
// write units and uncompressed bytes each one writes.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::tools {

struct PlanBenchArgs {
  std::string output_shape = "4096,4096,4096";
  std::string zoom = "2";
  int order = 1;
  std::string dtype = "uint16";
  std::string chunks = "64,64,64";
  std::string shards;
  int ranks = 1024;
  int rank = 0;
  int threads = 8;
  std::string memory_limit = "4GiB";
};

void add_plan_bench_options(CLI::App& command, PlanBenchArgs& args);
Status run_plan_bench(const PlanBenchArgs& args);

}  // namespace zoomflow::tools
