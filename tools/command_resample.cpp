// `zoomflow resample IN.h5:/ds OUT.h5:/ds (--zoom F | --zoom Z,Y,X | --shape Z,Y,X) ...`
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "byte_size.hpp"
#include "command.hpp"
#include "output_options.hpp"
#include "progress_printer.hpp"
#include "zoomflow/pipeline/resample.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

struct ResampleArgs {
  std::string input;
  std::string output;
  std::string zoom;
  std::string shape;
  int order = 0;
  std::string grid = "centers";
  std::string mode = "nearest";
  double cval = 0.0;
  bool no_prefilter = false;
  std::string backend = "auto";
  std::string gpu_memory_limit = "auto";
  std::string blocks = "bricks";
  OutputArgs output_options;
};

Result<ResampleRequest> build_request(const ResampleArgs& args) {
  ResampleRequest request;
  ZF_ASSIGN_OR_RETURN(request.input, storage::parse_dataset_path(args.input));
  ZF_ASSIGN_OR_RETURN(request.output, storage::parse_dataset_path(args.output));
  if (args.zoom.empty() == args.shape.empty())
    return make_error(ErrorCode::kInvalidArgument, "give exactly one of --zoom and --shape");
  if (!args.zoom.empty()) {
    auto zoom = parse_number_list(args.zoom);
    if (!zoom.ok())
      return make_error(ErrorCode::kInvalidArgument,
                        "--zoom '" + args.zoom + "' must be a number or one number per axis");
    for (double z : *zoom)
      if (!(z > 0))
        return make_error(ErrorCode::kInvalidArgument,
                          "--zoom '" + args.zoom + "' must be positive");
    request.zoom = *zoom;
  } else {
    ZF_ASSIGN_OR_RETURN(request.output_shape, parse_positive_shape(args.shape, "--shape"));
  }
  request.interpolation = Interpolation(args.order);
  request.grid = args.grid == "corners" ? Grid::kCorners : Grid::kCenters;
  request.mode = parse_boundary_mode(args.mode).value();  // CLI11 checked the name
  request.cval = args.cval;
  request.prefilter = !args.no_prefilter;
  request.overwrite = args.output_options.overwrite;
  request.resume = args.output_options.resume;
  return request;
}

Status run_resample(const ResampleArgs& args) {
  ZF_ASSIGN_OR_RETURN(ResampleRequest request, build_request(args));
  ZF_ASSIGN_OR_RETURN(const OutputSettings output, parse_output_args(args.output_options));
  request.chunk_shape = output.chunk_shape;
  request.compression = output.compression;
  request.format = output.format;
  request.shard_shape = output.shard_shape;
  ProgressPrinter printer("resample", args.output_options.quiet || !speaks());
  ZF_ASSIGN_OR_RETURN(RunOptions options,
                      run_options(args.output_options, output, printer, "resample"));
  if (args.gpu_memory_limit != "auto") {
    ZF_ASSIGN_OR_RETURN(options.gpu_memory_limit, parse_byte_size(args.gpu_memory_limit));
    if (options.gpu_memory_limit == 0)
      return make_error(ErrorCode::kInvalidArgument,
                        "--gpu-memory-limit must be positive, or auto");
  }
  options.layout = args.blocks == "slabs" ? BlockLayout::kSlabs : BlockLayout::kBricks;
  options.backend = args.backend == "cuda"  ? Backend::kCuda
                    : args.backend == "cpu" ? Backend::kCpu
                                            : Backend::kAuto;
  // Said once, before the run: --backend auto found no usable GPU.
  options.notice = [&args](const std::string& note) {
    if (!args.output_options.quiet && speaks()) write_stderr("resample: " + note + "\n");
  };
  storage::install_interrupt_handlers();
  auto report = resample_dataset(request, options);
  printer.finish();
  if (!report.ok()) return report.error();
  if (!args.output_options.quiet) {
    print_run_summary("resample", request.output.to_string(), *report);
    if (report->backend == "cuda" && speaks())
      write_stderr(
          fmt::format("resample: on the GPU with {} streams ({} busy at most), {:.2f} "
                      "GiB of device memory\n",
                      report->gpu_streams, report->gpu_peak_streams_busy,
                      double(report->gpu_memory_bytes) / double(1 << 30)));
  }
  return ok_status();
}

}  // namespace

void add_resample_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<ResampleArgs>();
  CLI::App* cmd = app.add_subcommand("resample", "Resample a dataset into a new one, out of core");
  cmd->add_option("input", args->input, "IN.h5[:/dataset]")->required();
  cmd->add_option("output", args->output, "OUT.h5:/dataset")->required();
  cmd->add_option("--zoom", args->zoom, "zoom factor F, or one per axis Z,Y,X");
  cmd->add_option("--shape", args->shape, "output shape Z,Y,X instead of --zoom");
  cmd->add_option("--order", args->order,
                  "spline order: 0 nearest, 1 linear, 2-5 B-splines (scipy's order)")
      ->check(CLI::IsMember({0, 1, 2, 3, 4, 5}))
      ->capture_default_str();
  std::vector<std::string> modes;
  for (BoundaryMode mode : kAllBoundaryModes) modes.emplace_back(boundary_mode_name(mode));
  cmd->add_option("--mode", args->mode,
                  "beyond the edges, as scipy's mode: " + boundary_mode_names())
      ->check(CLI::IsMember(modes))
      ->capture_default_str();
  cmd->add_option("--cval", args->cval,
                  "the value outside the input (modes constant, grid-constant)")
      ->capture_default_str();
  cmd->add_flag("--no-prefilter", args->no_prefilter,
                "orders 2-5: interpolate the samples themselves (scipy's prefilter=False)");
  cmd->add_option("--grid", args->grid, "centers (scipy grid_mode=True) or corners")
      ->check(CLI::IsMember({"centers", "corners"}))
      ->capture_default_str();
  cmd->add_option("--backend", args->backend, "auto|cpu|cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--gpu-memory-limit", args->gpu_memory_limit,
                  "CUDA device memory for block buffers, e.g. 4GiB; auto: half the free memory")
      ->capture_default_str();
  cmd->add_option("--blocks", args->blocks, "block shape: bricks of chunks, or z-slabs")
      ->check(CLI::IsMember({"bricks", "slabs"}))
      ->capture_default_str();
  add_output_options(*cmd, args->output_options);
  cmd->callback([args, &registry] { registry.action = [args] { return run_resample(*args); }; });
}

}  // namespace zoomflow::tools
