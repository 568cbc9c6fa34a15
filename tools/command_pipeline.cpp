// `zoomflow pipeline IN.h5:/ds OUT.h5:/ds STEP [STEP ...]` and
// `zoomflow pipeline --steps FILE.json IN OUT`: a chain of steps in one streaming pass.
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
  ResampleOptions options;
  options.memory_limit = output.memory_limit;
  options.threads = args.options.threads;
  ProgressPrinter printer("pipeline", args.options.quiet);
  options.progress = std::ref(printer);
  storage::install_interrupt_handlers();
  auto report = run_chain(request, options);
  printer.finish();
  if (!report.ok()) return report.error();
  if (!args.options.quiet)
    fmt::print(stderr, "pipeline: wrote {} ({} steps, {} blocks of {}), {:.2f} GB in {:.2f} s\n",
               request.output.to_string(), request.steps.size(), report->blocks,
               to_string(report->block_shape), double(report->output_bytes) / 1e9, report->seconds);
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
