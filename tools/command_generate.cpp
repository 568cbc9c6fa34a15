// `zoomflow generate OUT.h5:/ds --shape Z,Y,X --dtype T --pattern box|noise|labels`: a synthetic
// volume written chunk by chunk (streamed: it may be larger than memory).
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "progress_printer.hpp"
#include "zoomflow/pipeline/generate_dataset.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

struct GenerateArgs {
  std::string output;
  std::string shape;
  std::string dtype = "uint8";
  std::string pattern = "box";
  std::string seed = "0";
  std::string chunks;
  std::string compression = "zstd:1";
  bool overwrite = false;
  int threads = 0;
  bool quiet = false;
};

Result<GenerateOptions> to_options(const GenerateArgs& args) {
  GenerateOptions options;
  ZF_ASSIGN_OR_RETURN(options.output, storage::parse_dataset_path(args.output));
  ZF_ASSIGN_OR_RETURN(options.shape, parse_shape(args.shape));
  const auto dtype = parse_dtype(args.dtype);
  if (!dtype)
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown --dtype '" + args.dtype +
                          "' (bool, int8..int64, uint8..uint64, float32, float64)");
  options.dtype = *dtype;
  const auto pattern = parse_pattern(args.pattern);
  if (!pattern)
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown --pattern '" + args.pattern + "' (box, noise, labels)");
  options.pattern = *pattern;
  // from_chars refuses a sign and anything beyond 2^64 - 1, which CLI11 would wrap.
  const char* end = args.seed.data() + args.seed.size();
  const auto parsed = std::from_chars(args.seed.data(), end, options.seed);
  if (args.seed.empty() || parsed.ec != std::errc() || parsed.ptr != end)
    return make_error(ErrorCode::kInvalidArgument,
                      "--seed '" + args.seed + "' must be an integer from 0 to 2^64 - 1");
  if (!args.chunks.empty()) {
    ZF_ASSIGN_OR_RETURN(options.chunk_shape, parse_shape(args.chunks));
  }
  ZF_ASSIGN_OR_RETURN(options.compression, storage::parse_compression(args.compression));
  options.overwrite = args.overwrite;
  options.threads = args.threads;
  return options;
}

Status run_generate(const GenerateArgs& args) {
  ZF_ASSIGN_OR_RETURN(const GenerateOptions options, to_options(args));
  storage::install_interrupt_handlers();
  ZF_ASSIGN_OR_RETURN(const GenerateReport report, generate_dataset(options));
  if (!args.quiet) {
    if (!report.notice.empty()) write_stderr("generate: " + report.notice + "\n");
    const double raw = double(num_elements(options.shape)) * double(dtype_size(options.dtype));
    std::printf("wrote %s: %s %s, pattern %s, chunks %s, %s\n", options.output.to_string().c_str(),
                to_string(options.shape).c_str(), std::string(dtype_name(options.dtype)).c_str(),
                args.pattern.c_str(), to_string(report.chunk_shape).c_str(),
                options.compression.to_string().c_str());
    std::printf(
        "  %lld of %lld chunks stored (the rest are all zero), %.1f MiB of %.1f MiB raw, "
        "%.2f s\n",
        static_cast<long long>(report.chunks_written), static_cast<long long>(report.chunks),
        double(report.bytes_written) / 1048576.0, raw / 1048576.0, report.seconds);
  }
  return ok_status();
}

}  // namespace

void add_generate_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Write a synthetic volume (box mask, noise, labels), streamed chunk by chunk");
  cmd->add_option("output", args->output, "OUT.h5:/dataset")->required();
  cmd->add_option("--shape", args->shape, "shape, e.g. 1024,1024,512")->required();
  cmd->add_option("--dtype", args->dtype, "bool, int8..int64, uint8..uint64, float32, float64")
      ->capture_default_str();
  cmd->add_option("--pattern", args->pattern, "box | noise | labels")->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the noise and labels patterns (0 to 2^64 - 1)")
      ->capture_default_str();
  cmd->add_option("--chunks", args->chunks, "chunk shape (default 64 per axis, clipped)");
  cmd->add_option("--compression", args->compression, "zstd[:LEVEL] | gzip[:LEVEL] | none")
      ->capture_default_str();
  cmd->add_flag("--overwrite", args->overwrite, "replace the dataset if it exists");
  cmd->add_option("--threads", args->threads, "worker threads (0: all)")->capture_default_str();
  cmd->add_flag("--quiet,-q", args->quiet, "print nothing on success");
  cmd->callback([args, &registry] { registry.action = [args] { return run_generate(*args); }; });
}

}  // namespace zoomflow::tools
