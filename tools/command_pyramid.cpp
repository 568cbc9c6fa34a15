// `zoomflow pyramid IN OUT [--levels N | --until-chunk] [--factors 2,2,2 | A,B,C:D,E,F:...]
//  --method mean|mode|median|min|max|stride`: every level of a multiscale pyramid from one read
// of the input (pipeline/pyramid.hpp), into OME-Zarr, N5 (n5-viewer) or HDF5.
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "command.hpp"
#include "output_options.hpp"
#include "progress_printer.hpp"
#include "zoomflow/pipeline/pyramid.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

struct PyramidArgs {
  std::string input;
  std::string output;
  int levels = 0;
  bool until_chunk = false;
  std::string factors;
  std::string method;
  OutputArgs options;
};

// "2,2,2" (every level) or "2,2,1:2,2,2:2,2,2" (one set per level below 0).
Result<std::vector<std::vector<Index>>> parse_factor_sets(const std::string& text) {
  std::vector<std::vector<Index>> sets;
  if (text.empty()) return sets;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = text.find(':', start);
    const std::string part = text.substr(start, colon == std::string::npos ? colon : colon - start);
    auto numbers = parse_number_list(part);
    bool whole = numbers.ok();
    for (double f : whole ? *numbers : std::vector<double>())
      whole = whole && f >= 1 && f < 2147483648.0 && f == double(Index(f));
    if (!whole)
      return make_error(ErrorCode::kInvalidArgument,
                        "--factors '" + text +
                            "' must be integers from 1: one for every axis or one per axis "
                            "(2,2,1), for every level, or one set per level (2,2,1:2,2,2)");
    std::vector<Index> set;
    for (double f : *numbers) set.push_back(Index(f));
    sets.push_back(set);
    if (colon == std::string::npos) return sets;
    start = colon + 1;
  }
}

Status run_pyramid_command(const PyramidArgs& args) {
  PyramidRequest request;
  ZF_ASSIGN_OR_RETURN(request.input, storage::parse_dataset_path(args.input));
  request.output = args.output;
  const auto method = parse_reduce_method(args.method);
  if (!method)
    return make_error(ErrorCode::kInvalidArgument,
                      "give --method mean, mode, median, min, max or stride (mode for labels, "
                      "mean for intensities)");
  request.method = *method;
  ZF_ASSIGN_OR_RETURN(request.factors, parse_factor_sets(args.factors));
  if (args.until_chunk && args.levels > 0)
    return make_error(ErrorCode::kInvalidArgument, "give --levels N or --until-chunk, not both");
  if (args.until_chunk && request.factors.size() > 1)
    return make_error(ErrorCode::kInvalidArgument,
                      "--until-chunk repeats one set of --factors; per-level factors give the "
                      "levels themselves");
  request.levels = args.levels;
  ZF_ASSIGN_OR_RETURN(const OutputSettings output, parse_output_args(args.options));
  request.chunk_shape = output.chunk_shape;
  request.compression = output.compression;
  request.format = output.format;
  request.shard_shape = output.shard_shape;
  request.overwrite = args.options.overwrite;
  ProgressPrinter printer("pyramid", args.options.quiet);
  ZF_ASSIGN_OR_RETURN(const RunOptions options,
                      run_options(args.options, output, printer, "pyramid"));
  storage::install_interrupt_handlers();
  auto report = run_pyramid(request, options);
  printer.finish();
  if (!report.ok()) return report.error();
  if (!args.options.quiet) {
    std::string levels;
    for (std::size_t k = 0; k < report->level_shapes.size(); ++k)
      levels += fmt::format("{}  {}: {}", k == 0 ? "" : ",", k, to_string(report->level_shapes[k]));
    write_stderr(fmt::format(
        "pyramid: wrote {} ({} levels:{}) from {} units of {} ({} constant, {} threads); read "
        "{:.2f} GB of input, wrote {:.2f} GB of levels ({:.2f} GB compressed) in {:.2f} s\n",
        args.output, report->level_shapes.size(), levels, report->units,
        to_string(report->unit_shape), report->constant_units, report->threads,
        double(report->input_bytes_read) / 1e9, double(report->output_bytes) / 1e9,
        double(report->bytes_written) / 1e9, report->seconds));
  }
  return ok_status();
}

}  // namespace

void add_pyramid_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<PyramidArgs>();
  CLI::App* cmd = app.add_subcommand(
      "pyramid",
      "Write a multiscale pyramid (OME-Zarr, N5, HDF5) from one read of the input: level k is "
      "the direct reduction of the input by the factors up to k");
  cmd->add_option("input", args->input, "IN.h5[:/dataset], IN.zarr, IN.n5:/dataset")->required();
  cmd->add_option(
         "output", args->output,
         "the new container: OUT.zarr (OME-Zarr), OUT.n5 (s0, s1, ...), OUT.h5 (/0, /1, ...)")
      ->required();
  std::vector<std::string> methods;
  for (ReduceMethod method : kAllReduceMethods) methods.emplace_back(reduce_method_name(method));
  cmd->add_option("--method", args->method,
                  "the reduction: mean, mode (labels), median, min, max, stride (TensorStore's)")
      ->check(CLI::IsMember(methods))
      ->required();
  cmd->add_option("--levels", args->levels, "levels written, level 0 (the input) included")
      ->check(CLI::Range(2, 40));
  cmd->add_flag("--until-chunk", args->until_chunk,
                "add levels until one fits in a single chunk (the default)");
  cmd->add_option("--factors", args->factors,
                  "reduction per level: 2 or 2,2,1 (every level), or 2,2,1:2,2,2 (one set per "
                  "level); default 2 on every axis");
  add_output_options(*cmd, args->options);
  cmd->callback(
      [args, &registry] { registry.action = [args] { return run_pyramid_command(*args); }; });
}

}  // namespace zoomflow::tools
