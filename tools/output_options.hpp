// The output options that resample and pipeline share: --threads, --memory-limit, --chunks,
// --shards, --compression, --format, --overwrite, --resume, --quiet; and the MPI job the command
// runs in, if any.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/pipeline/chain.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/storage_format.hpp"

namespace zoomflow::tools {

struct OutputArgs {
  int threads = 0;
  std::string memory_limit = "1GiB";
  std::string chunks;
  std::string shards;
  std::string compression = "zstd:1";
  std::string format = "auto";
  bool overwrite = false;
  bool resume = false;
  bool quiet = false;
};

struct OutputSettings {
  std::uint64_t memory_limit = 0;
  Shape chunk_shape;  // empty: the default
  storage::CompressionSpec compression;
  storage::StorageFormat format = storage::StorageFormat::kAuto;
  Shape shard_shape;  // empty: unsharded
};

void add_output_options(CLI::App& command, OutputArgs& args);
Result<OutputSettings> parse_output_args(const OutputArgs& args);

// Checks --threads (at most 1024; more threads than cores is said once, unless quiet).
Result<int> checked_threads(int threads, bool quiet, const char* command);

// The run options resample and pipeline share (threads, memory limit), with progress drawn by
// `printer` (which must outlive the run).
class ProgressPrinter;
Result<RunOptions> run_options(const OutputArgs& args, const OutputSettings& settings,
                               ProgressPrinter& printer, const char* command);

// The ranks of the MPI job this process is one of (set by main), or nullptr: alone.
Communicator*& job_communicator();
// Whether this process prints progress, notes and summaries: not an MPI rank other than 0.
bool speaks();

// "wrote OUT (12 blocks of (64, 64, 512), 3 constant), 1.07 GB in 0.41 s" on standard error.
void print_run_summary(const char* command, const std::string& output, const RunReport& report);

// A flag's "Z,Y,X" of positive integers.
Result<Shape> parse_positive_shape(const std::string& text, const char* flag);

}  // namespace zoomflow::tools
