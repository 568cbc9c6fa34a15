// `zoomflow resample IN.h5:/ds OUT.h5:/ds (--zoom F | --zoom Z,Y,X | --shape Z,Y,X) ...`, or
// `... --method mean|mode|median|min|max|stride (--factors A,B,C | --zoom 1/N)`.
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
  std::string method = "interpolate";
  std::string factors;
  bool antialias = false;
  // Interpolation options given on the command line (a reduction refuses them).
  std::vector<std::string> interpolation_flags;
  OutputArgs output_options;
};

Result<ResampleRequest> build_request(const ResampleArgs& args) {
  ResampleRequest request;
  ZF_ASSIGN_OR_RETURN(request.input, storage::parse_dataset_path(args.input));
  ZF_ASSIGN_OR_RETURN(request.output, storage::parse_dataset_path(args.output));
  const bool interpolate = args.method == "interpolate";
  if (!interpolate) {
    request.method = parse_reduce_method(args.method).value();  // CLI11 checked the name
    if (!args.interpolation_flags.empty())
      return make_error(ErrorCode::kInvalidArgument, args.interpolation_flags.front() +
                                                         " is for --method interpolate; --method " +
                                                         args.method +
                                                         " reduces whole blocks of voxels");
    if (!args.shape.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "--method " + args.method +
                            " reduces by integer factors, not to a shape: give --factors A,B,C "
                            "(or --zoom 1/N), or --method interpolate for --shape");
    if (args.zoom.empty() == args.factors.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "--method " + args.method + " takes --factors A,B,C or --zoom 1/N");
    if (!args.factors.empty()) {
      auto factors = parse_number_list(args.factors);
      bool whole = factors.ok();
      for (double f : whole ? *factors : std::vector<double>())
        whole = whole && f >= 1 && f < 2147483648.0 && f == double(Index(f));
      if (!whole)
        return make_error(ErrorCode::kInvalidArgument,
                          "--factors '" + args.factors +
                              "' must be one integer from 1, or one per axis, like 2,2,1");
      for (double f : *factors) request.factors.push_back(Index(f));
    }
  } else if (!args.factors.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--factors goes with --method mean, mode, median, min, max or stride; to "
                      "interpolate, give --zoom or --shape");
  }
  request.antialias = args.antialias;
  if (interpolate && args.zoom.empty() == args.shape.empty())
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
  } else if (!args.shape.empty()) {
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
  // The GPU interpolates; reductions run on the CPU (--backend cuda is refused for them).
  if (request.method && options.backend == Backend::kAuto) options.backend = Backend::kCpu;
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
  std::vector<std::string> methods{"interpolate"};
  for (ReduceMethod method : kAllReduceMethods) methods.emplace_back(reduce_method_name(method));
  cmd->add_option("--method", args->method,
                  "interpolate (--order), or reduce blocks of --factors voxels: mean, mode, "
                  "median, min, max, stride (TensorStore's downsample methods)")
      ->check(CLI::IsMember(methods))
      ->capture_default_str();
  cmd->add_option("--factors", args->factors,
                  "reduction factors: one integer for every axis, or one per axis (A,B,C)");
  cmd->add_flag("--antialias", args->antialias,
                "smooth before interpolating down, as skimage.transform.rescale(anti_aliasing="
                "True): a gaussian of sigma (n/m - 1)/2 per axis");
  add_output_options(*cmd, args->output_options);
  cmd->callback([args, cmd, &registry] {
    for (const char* flag : {"--order", "--mode", "--cval", "--grid", "--no-prefilter"})
      if (cmd->count(flag) > 0) args->interpolation_flags.emplace_back(flag);
    registry.action = [args] { return run_resample(*args); };
  });
}

}  // namespace zoomflow::tools
