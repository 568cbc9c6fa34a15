// `zoomflow bench ...`: benchmarks, never tests. Each prints a table (or --json rows).
#include <memory>
#include <string>

#include "bench_cuda.hpp"
#include "bench_kernel.hpp"
#include "bench_pipeline.hpp"
#include "bench_plan.hpp"
#include "bench_volume.hpp"
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
    BenchVolumeArgs volume{"512,512,256", "2", "uint16", "noise"};
    std::string chunks;
    double block_mib = 16;
  };
  auto args = std::make_shared<CudaArgs>();
  CLI::App* cuda = bench.add_subcommand(
      "cuda", "CUDA kernel vs a device copy, the CUDA stage vs a pinned download, 3 streams vs 1");
  add_bench_volume_options(*cuda, args->volume);
  cuda->add_option("--chunks", args->chunks, "output chunk shape (default 64 per axis)");
  cuda->add_option("--block-mib", args->block_mib, "output MiB per pipeline block")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cuda->callback([args, &registry] {
    registry.action = [args]() -> Status {
      CudaBenchOptions options;
      ZF_ASSIGN_OR_RETURN(static_cast<BenchVolume&>(options), parse_bench_volume(args->volume));
      if (!args->chunks.empty()) {
        ZF_ASSIGN_OR_RETURN(options.chunk_shape, parse_shape(args->chunks));
        if (options.chunk_shape.rank() != options.input_shape.rank())
          return make_error(ErrorCode::kInvalidArgument, "--chunks needs one length per axis");
      }
      options.block_bytes = std::size_t(args->block_mib * double(1 << 20));
      options.repeats = args->volume.repeats;
      options.json = args->volume.json;
      return run_cuda_bench(options);
    };
  });
}

// `zoomflow bench kernel`: the in-memory kernel against memset.
void add_kernel_bench(CLI::App& bench, CommandRegistry& registry) {
  auto args =
      std::make_shared<BenchVolumeArgs>(BenchVolumeArgs{"1024,1024,512", "2", "bool", "box"});
  CLI::App* kernel = bench.add_subcommand(
      "kernel", "In-memory kernel on the seed volume, 1 and all threads, against memset");
  add_bench_volume_options(*kernel, *args);
  kernel->callback([args, &registry] {
    registry.action = [args]() -> Status {
      KernelBenchOptions options;
      ZF_ASSIGN_OR_RETURN(static_cast<BenchVolume&>(options), parse_bench_volume(*args));
      options.repeats = args->repeats;
      options.json = args->json;
      return run_kernel_bench(options);
    };
  });
}

// `zoomflow bench plan`: an MPI job's planning alone, at cluster scale.
void add_plan_bench(CLI::App& bench, CommandRegistry& registry) {
  auto args = std::make_shared<PlanBenchArgs>();
  CLI::App* plan = bench.add_subcommand(
      "plan", "One rank's plan of a large MPI job (4096^3 on 1024 ranks): time, memory, bytes");
  add_plan_bench_options(*plan, *args);
  plan->callback([args, &registry] { registry.action = [args] { return run_plan_bench(*args); }; });
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

  add_kernel_bench(*bench, registry);
  add_cuda_bench(*bench, registry);
  add_plan_bench(*bench, registry);
}

}  // namespace zoomflow::tools
