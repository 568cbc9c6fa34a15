#include "output_options.hpp"

#include <fmt/core.h>

#include "byte_size.hpp"
#include "command.hpp"
#include "progress_printer.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"

namespace zoomflow::tools {

void add_output_options(CLI::App& command, OutputArgs& args) {
  command.add_option("--threads", args.threads, "worker threads (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--memory-limit", args.memory_limit, "e.g. 512MiB, 2GiB, 1.5G")
      ->capture_default_str();
  command.add_option("--chunks", args.chunks, "output chunk shape Z,Y,X (default 64 per axis)");
  command.add_option("--shards", args.shards,
                     "Zarr v3: shard shape Z,Y,X in voxels, a multiple of --chunks");
  command
      .add_option("--compression", args.compression,
                  "zstd[:L] | gzip[:L] | blosc[:CNAME][:L][:SHUFFLE] (Zarr, N5) | none")
      ->capture_default_str();
  command
      .add_option("--format", args.format,
                  "zarr2 | zarr3 | n5 | hdf5 (default: from the suffix, .zarr: zarr3)")
      ->capture_default_str();
  command.add_flag("--overwrite", args.overwrite, "replace an existing output dataset");
  command.add_flag("--resume", args.resume,
                   "Zarr/N5: continue an interrupted run of the same arguments from the blocks "
                   "it completed (or start afresh); keep the temporary if this run stops too");
  command.add_flag("--quiet,-q", args.quiet, "no progress on standard error");
}

Result<OutputSettings> parse_output_args(const OutputArgs& args) {
  OutputSettings settings;
  ZF_ASSIGN_OR_RETURN(settings.memory_limit, parse_byte_size(args.memory_limit));
  if (!args.chunks.empty()) {
    ZF_ASSIGN_OR_RETURN(settings.chunk_shape, parse_positive_shape(args.chunks, "--chunks"));
  }
  if (!args.shards.empty()) {
    ZF_ASSIGN_OR_RETURN(settings.shard_shape, parse_positive_shape(args.shards, "--shards"));
  }
  ZF_ASSIGN_OR_RETURN(settings.compression, storage::parse_compression(args.compression));
  ZF_ASSIGN_OR_RETURN(settings.format, storage::parse_storage_format(args.format));
  return settings;
}

Result<Shape> parse_positive_shape(const std::string& text, const char* flag) {
  auto shape = parse_shape(text);
  if (!shape.ok())
    return make_error(
        ErrorCode::kInvalidArgument,
        std::string(flag) + " '" + text + "' must list positive integers, like 64,64,64");
  return shape;
}

}  // namespace zoomflow::tools

namespace zoomflow::tools {

Communicator*& job_communicator() {
  static Communicator* communicator = nullptr;
  return communicator;
}

bool speaks() {
  return job_communicator() == nullptr ? mpi_launch_info().rank == 0
                                       : job_communicator()->rank() == 0;
}

Result<int> checked_threads(int threads, bool quiet, const char* command) {
  constexpr int kMostThreads = 1024;
  if (threads < 0 || threads > kMostThreads)
    return make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("--threads {} must be 0 (all cores) to {}", threads, kMostThreads));
  const int cores = hardware_threads();
  if (threads > cores && !quiet && speaks())
    write_stderr(fmt::format("{}: --threads {} on {} core{}: threads beyond the cores take turns\n",
                             command, threads, cores, cores == 1 ? "" : "s"));
  return threads;
}

Result<RunOptions> run_options(const OutputArgs& args, const OutputSettings& settings,
                               ProgressPrinter& printer, const char* command) {
  RunOptions options;
  ZF_ASSIGN_OR_RETURN(options.threads, checked_threads(args.threads, args.quiet, command));
  options.memory_limit = settings.memory_limit;
  options.progress = std::ref(printer);
  options.communicator = job_communicator();
  return options;
}

void print_run_summary(const char* command, const std::string& output, const RunReport& report) {
  if (!speaks()) return;
  std::string job;
  if (report.ranks > 1) job += fmt::format(" on {} ranks", report.ranks);
  if (report.blocks_resumed > 0 || report.ranks > 1)
    job += fmt::format("; {} blocks computed, {} resumed", report.blocks_computed,
                       report.blocks_resumed);
  const std::string tiles = report.tile_shape == report.block_shape
                                ? std::string()
                                : " computed in tiles of " + to_string(report.tile_shape);
  // An MPI rank decodes only its own blocks' chunks: the count is this process's.
  const std::string decoded = report.input_chunks_decoded < 0 || report.ranks > 1
                                  ? std::string()
                                  : fmt::format("; {} of {} input chunks decoded",
                                                report.input_chunks_decoded, report.input_chunks);
  write_stderr(fmt::format(
      "{}: wrote {} ({} blocks of {}{}, {} constant, {} threads{}{}), {:.2f} GB in {:.2f} s\n",
      command, output, report.blocks, to_string(report.block_shape), tiles, report.constant_blocks,
      report.threads, job, decoded, double(report.output_bytes) / 1e9, report.seconds));
}

}  // namespace zoomflow::tools
