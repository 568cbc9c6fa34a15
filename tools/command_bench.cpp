// `zoomflow bench ...`: benchmarks, never tests. Each prints a table (or --json rows).
#include <memory>
#include <string>

#include "bench_cuda.hpp"
#include "bench_kernel.hpp"
#include "bench_pipeline.hpp"
#include "command.hpp"

namespace zoomflow::tools {

Result<Shape> parse_shape(const std::string& text) {
  ZF_ASSIGN_OR_RETURN(std::vector<double> values, parse_number_list(text));
  Shape shape;
  if (values.size() > std::size_t(kMaxRank))
    return make_error(ErrorCode::kInvalidArgument, "shape '" + text + "' has too many axes");
  for (double v : values) {
    if (v < 1 || v != double(Index(v)))
      return make_error(ErrorCode::kInvalidArgument,
                        "shape '" + text + "' must list positive integers");
    shape.push_back(Index(v));
  }
  return shape;
}

Result<std::vector<double>> parse_zoom(const std::string& text, int rank) {
  ZF_ASSIGN_OR_RETURN(std::vector<double> values, parse_number_list(text));
  if (values.size() == 1) values.assign(std::size_t(rank), values[0]);
  if (values.size() != std::size_t(rank))
    return make_error(ErrorCode::kInvalidArgument,
                      "--zoom '" + text + "' has " + std::to_string(values.size()) +
                          " factors; give one, or one per axis (" + std::to_string(rank) + ")");
  return values;
}

namespace {

// `zoomflow bench cuda`: the GPU rows; prints why and measures nothing without a usable GPU.
void add_cuda_bench(CLI::App& bench, CommandRegistry& registry) {
  struct CudaArgs {
    std::string shape = "512,512,256";
    std::string zoom = "2";
    std::string dtype = "uint16";
    std::string pattern = "noise";
    int order = 0;
    std::string grid = "centers";
    std::string chunks;
    double block_mib = 16;
    int repeats = 3;
    bool json = false;
  };
  auto args = std::make_shared<CudaArgs>();
  CLI::App* cuda = bench.add_subcommand(
      "cuda", "CUDA kernel vs a device copy, the CUDA stage vs a pinned download, 3 streams vs 1");
  cuda->add_option("--shape", args->shape, "input shape Z,Y,X")->capture_default_str();
  cuda->add_option("--zoom", args->zoom, "zoom factor, or one per axis")->capture_default_str();
  cuda->add_option("--dtype", args->dtype, "element type")->capture_default_str();
  cuda->add_option("--pattern", args->pattern, "box|noise|labels")->capture_default_str();
  cuda->add_option("--order", args->order, "0 nearest, 1 linear")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  cuda->add_option("--grid", args->grid, "centers|corners")
      ->check(CLI::IsMember({"centers", "corners"}))
      ->capture_default_str();
  cuda->add_option("--chunks", args->chunks, "output chunk shape (default 64 per axis)");
  cuda->add_option("--block-mib", args->block_mib, "output MiB per pipeline block")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cuda->add_option("--repeat", args->repeats, "best of N timings")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cuda->add_flag("--json", args->json, "print the rows as a JSON array");
  cuda->callback([args, &registry] {
    registry.action = [args]() -> Status {
      CudaBenchOptions options;
      ZF_ASSIGN_OR_RETURN(options.input_shape, parse_shape(args->shape));
      ZF_ASSIGN_OR_RETURN(options.zoom, parse_zoom(args->zoom, options.input_shape.rank()));
      const auto dtype = parse_dtype(args->dtype);
      if (!dtype) return make_error(ErrorCode::kInvalidArgument, "unknown --dtype " + args->dtype);
      options.dtype = *dtype;
      const auto pattern = parse_pattern(args->pattern);
      if (!pattern)
        return make_error(ErrorCode::kInvalidArgument, "unknown --pattern " + args->pattern);
      options.pattern = *pattern;
      options.interpolation = Interpolation(args->order);
      options.grid = args->grid == "corners" ? Grid::kCorners : Grid::kCenters;
      if (!args->chunks.empty()) {
        ZF_ASSIGN_OR_RETURN(options.chunk_shape, parse_shape(args->chunks));
        if (options.chunk_shape.rank() != options.input_shape.rank())
          return make_error(ErrorCode::kInvalidArgument, "--chunks needs one length per axis");
      }
      options.block_bytes = std::size_t(args->block_mib * double(1 << 20));
      options.repeats = args->repeats;
      options.json = args->json;
      return run_cuda_bench(options);
    };
  });
}

}  // namespace

void add_bench_command(CLI::App& app, CommandRegistry& registry) {
  CLI::App* bench = app.add_subcommand(
      "bench", "The seed table (methods x zoom: seconds, GB/s, peak RSS); `bench kernel` alone");
  bench->require_subcommand(0, 1);
  auto table = std::make_shared<PipelineBenchOptions>();
  bench->add_option("--workdir", table->workdir, "folder for the generated files (kept)");
  bench->add_option("--memory-limit", table->memory_limit, "for the out-of-core rows")
      ->capture_default_str();
  bench->add_flag("--quick", table->quick, "small volumes: a smoke run, not a measurement");
  bench->add_flag("--json", table->json, "print the rows as a JSON array");
  bench->callback([bench, table, &registry] {
    if (bench->get_subcommands().empty())
      registry.action = [table] { return run_pipeline_bench(*table); };
  });

  struct KernelArgs {
    std::string shape = "1024,1024,512";
    std::string zoom = "2";
    std::string dtype = "bool";
    std::string pattern = "box";
    int order = 0;
    std::string grid = "centers";
    int repeats = 3;
    bool json = false;
  };
  auto args = std::make_shared<KernelArgs>();
  CLI::App* kernel = bench->add_subcommand(
      "kernel", "In-memory kernel on the seed volume, 1 and all threads, against memset");
  kernel->add_option("--shape", args->shape, "input shape Z,Y,X")->capture_default_str();
  kernel->add_option("--zoom", args->zoom, "zoom factor, or one per axis")->capture_default_str();
  kernel->add_option("--dtype", args->dtype, "element type")->capture_default_str();
  kernel->add_option("--pattern", args->pattern, "box|noise|labels")->capture_default_str();
  kernel->add_option("--order", args->order, "0 nearest, 1 linear")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  kernel->add_option("--grid", args->grid, "centers|corners")
      ->check(CLI::IsMember({"centers", "corners"}))
      ->capture_default_str();
  kernel->add_option("--repeat", args->repeats, "best of N timings")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  kernel->add_flag("--json", args->json, "print the rows as a JSON array");
  kernel->callback([args, &registry] {
    registry.action = [args]() -> Status {
      KernelBenchOptions options;
      ZF_ASSIGN_OR_RETURN(options.input_shape, parse_shape(args->shape));
      ZF_ASSIGN_OR_RETURN(options.zoom, parse_zoom(args->zoom, options.input_shape.rank()));
      const auto dtype = parse_dtype(args->dtype);
      if (!dtype) return make_error(ErrorCode::kInvalidArgument, "unknown --dtype " + args->dtype);
      options.dtype = *dtype;
      const auto pattern = parse_pattern(args->pattern);
      if (!pattern)
        return make_error(ErrorCode::kInvalidArgument, "unknown --pattern " + args->pattern);
      options.pattern = *pattern;
      options.interpolation = Interpolation(args->order);
      options.grid = args->grid == "corners" ? Grid::kCorners : Grid::kCenters;
      options.repeats = args->repeats;
      options.json = args->json;
      return run_kernel_bench(options);
    };
  });

  add_cuda_bench(*bench, registry);
}

}  // namespace zoomflow::tools
