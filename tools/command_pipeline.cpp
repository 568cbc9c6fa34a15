// `zoomflow pipeline IN.h5:/ds OUT.h5:/ds STEP [STEP ...]` and
// `zoomflow pipeline --steps FILE.json IN OUT`: a chain of steps in one streaming pass.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "command.hpp"
#include "output_options.hpp"
#include "progress_printer.hpp"
#include "zoomflow/pipeline/chain.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

struct PipelineArgs {
  std::string input;
  std::string output;
  std::vector<std::string> steps;
  std::string steps_file;
  OutputArgs options;
};

Result<std::vector<ChainStepPtr>> read_steps(const PipelineArgs& args) {
  if (args.steps.empty() == args.steps_file.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "give the steps after IN and OUT, or --steps FILE.json (not both)");
  if (args.steps_file.empty()) {
    std::vector<ChainStepPtr> steps;
    for (const std::string& text : args.steps) {
      ZF_ASSIGN_OR_RETURN(ChainStepPtr step, parse_step(text));
      steps.push_back(std::move(step));
    }
    return steps;
  }
  // A regular file of sensible size only: a FIFO would block, /dev/zero never end.
  constexpr std::uintmax_t kMostBytes = 1 << 20;
  std::error_code ec;
  const auto status = std::filesystem::status(args.steps_file, ec);
  if (ec || !std::filesystem::is_regular_file(status))
    return make_error(
        ErrorCode::kInvalidArgument,
        "--steps " + args.steps_file +
            (ec ? " cannot be read (" + ec.message() + ")" : " is not a regular file"));
  if (std::filesystem::file_size(args.steps_file, ec) > kMostBytes)
    return make_error(
        ErrorCode::kInvalidArgument,
        "--steps " + args.steps_file + " is over 1 MiB; a chain is a few lines of JSON");
  std::ifstream file(args.steps_file);
  if (!file)
    return make_error(ErrorCode::kInvalidArgument, "cannot read --steps " + args.steps_file);
  std::stringstream text;
  text << file.rdbuf();
  return parse_steps_json(text.str());
}

Status run_pipeline(const PipelineArgs& args) {
  ChainRequest request;
  ZF_ASSIGN_OR_RETURN(request.input, storage::parse_dataset_path(args.input));
  ZF_ASSIGN_OR_RETURN(request.output, storage::parse_dataset_path(args.output));
  ZF_ASSIGN_OR_RETURN(request.steps, read_steps(args));
  ZF_ASSIGN_OR_RETURN(const OutputSettings output, parse_output_args(args.options));
  request.chunk_shape = output.chunk_shape;
  request.compression = output.compression;
  request.format = output.format;
  request.shard_shape = output.shard_shape;
  request.overwrite = args.options.overwrite;
  request.resume = args.options.resume;
  ProgressPrinter printer("pipeline", args.options.quiet || !speaks());
  ZF_ASSIGN_OR_RETURN(RunOptions options, run_options(args.options, output, printer, "pipeline"));
  options.notice = [&args](const std::string& note) {
    if (!args.options.quiet && speaks()) write_stderr("pipeline: " + note + "\n");
  };
  storage::install_interrupt_handlers();
  auto report = run_chain(request, options);
  printer.finish();
  if (!report.ok()) return report.error();
  if (!args.options.quiet) print_run_summary("pipeline", request.output.to_string(), *report);
  return ok_status();
}

}  // namespace

void add_pipeline_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<PipelineArgs>();
  CLI::App* cmd = app.add_subcommand(
      "pipeline",
      "Run a chain of steps (resample, clip, scale, cast, threshold, gaussian) in "
      "one streaming pass");
  cmd->add_option("input", args->input, "IN.h5[:/dataset]")->required();
  cmd->add_option("output", args->output, "OUT.h5:/dataset")->required();
  cmd->add_option("steps", args->steps,
                  "steps in order: resample:zoom=2,order=1 clip:lo=0,hi=1000 "
                  "scale:mul=0.255,add=0 cast:uint8 threshold:gt=128 gaussian:sigma=1");
  cmd->add_option("--steps", args->steps_file, "the steps as a JSON array, from a file");
  add_output_options(*cmd, args->options);
  cmd->callback([args, &registry] { registry.action = [args] { return run_pipeline(*args); }; });
}

}  // namespace zoomflow::tools
