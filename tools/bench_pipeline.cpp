#include "bench_pipeline.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <tbb/info.h>
#include <nlohmann/json.hpp>

#include "bench_bound.hpp"
#include "byte_size.hpp"
#include "child_process.hpp"
#include "command.hpp"
#include "measure.hpp"
#include "work_folder.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/storage/interrupt.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow::tools {
namespace {

namespace fs = std::filesystem;

struct BenchRow {
  std::string method;
  std::string zoom;
  double seconds = 0;
  double output_bytes = 0;
  std::int64_t peak_rss = 0;
  std::optional<std::int64_t> true_out;
  std::string note;
};

void print_table(const std::vector<BenchRow>& rows, int threads) {
  fmt::print("{:<40} {:>5} {:>9} {:>9} {:>10} {:>13}  {}\n", "method", "zoom", "seconds",
             "out GB/s", "peak RSS", "true out", "note");
  for (const BenchRow& r : rows)
    fmt::print("{:<40} {:>5} {:>9.2f} {:>9.2f} {:>9.2f}G {:>13}  {}\n", r.method, r.zoom, r.seconds,
               r.output_bytes / r.seconds / 1e9, double(r.peak_rss) / double(1 << 30),
               r.true_out ? fmt::format("{}", *r.true_out) : std::string("-"), r.note);
  fmt::print("zoomflow {} on {} threads; peak RSS per row from its own process\n", ZOOMFLOW_VERSION,
             threads);
}

void print_json(const std::vector<BenchRow>& rows) {
  nlohmann::json array = nlohmann::json::array();
  for (const BenchRow& r : rows) {
    nlohmann::json row = {
        {"method", r.method},           {"zoom", r.zoom},
        {"seconds", r.seconds},         {"output_gb_per_s", r.output_bytes / r.seconds / 1e9},
        {"peak_rss_bytes", r.peak_rss}, {"note", r.note}};
    if (r.true_out) row["true_out"] = *r.true_out;
    array.push_back(row);
  }
  fmt::print("{}\n", array.dump(2));
}

}  // namespace

Status run_pipeline_bench(const PipelineBenchOptions& options) {
  // Ctrl-C stops the child and returns here, so the work folder is removed on the way out.
  storage::install_interrupt_handlers();
  const int threads = tbb::info::default_concurrency();
  ZF_RETURN_IF_ERROR(parse_byte_size(options.memory_limit));  // refuse a bad size up front
  ZF_ASSIGN_OR_RETURN(const WorkFolder dir,
                      WorkFolder::create(options.workdir, "zoomflow-bench", options.keep));

  const std::string seed_shape = options.quick ? "128,128,64" : "1024,1024,512";
  const std::string dense_shape = options.quick ? "64,64,64" : "512,512,512";
  const std::string seed = dir.dataset("seed.h5", "/mask");
  const std::string dense = dir.dataset("noise.h5", "/ct");
  const std::string out = dir.dataset("out.h5", "/zoomed");
  const std::string limit = options.memory_limit;
  std::vector<BenchRow> rows;

  fmt::print(stderr, "bench: generating the seed volume {} ...\n", seed_shape);
  ZF_RETURN_IF_ERROR(run_self_step({"generate", seed, "--shape", seed_shape, "--dtype", "bool",
                                    "--pattern", "box", "--overwrite"}));

  // In memory, x2 only (x4 does not fit): one child runs 1 thread and all threads.
  {
    ZF_ASSIGN_OR_RETURN(ChildResult child,
                        run_self_checked({"bench", "kernel", "--shape", seed_shape, "--zoom", "2",
                                          "--json", "--repeat", "1"}));
    const auto json = nlohmann::json::parse(child.standard_output, nullptr, false);
    if (json.is_discarded())
      return make_error(ErrorCode::kInternal, "bench kernel printed no JSON");
    for (const auto& row : json) {
      if (row["method"].get<std::string>().rfind("zoomflow", 0) != 0) continue;
      const double seconds = row["seconds"].get<double>();
      rows.push_back({fmt::format("in-memory kernel, {} thread(s)", row["threads"].get<int>()), "2",
                      seconds, row["output_gb_per_s"].get<double>() * 1e9 * seconds,
                      child.peak_rss_bytes, row["true_out"].get<std::int64_t>(),
                      "RSS holds input + output"});
    }
  }

  const std::int64_t seed_elements = [&] {
    auto shape = parse_shape(seed_shape);
    return shape.ok() ? num_elements(*shape) : 0;
  }();
  for (const char* zoom : {"2", "4"}) {
    const double factor = std::stod(zoom);
    const double out_bytes = double(seed_elements) * factor * factor * factor;
    for (const char* layout : {"slabs", "bricks"}) {
      fmt::print(stderr, "bench: out of core x{} with {} blocks ...\n", zoom, layout);
      // A z-slab of the x4 output is 512 MiB, held with its compressed chunks: it needs more.
      const bool slabs = layout == std::string("slabs");
      const std::string row_limit = slabs ? std::string("3GiB") : limit;
      ZF_ASSIGN_OR_RETURN(
          ChildResult child,
          run_self_checked({"resample", seed, out, "--zoom", zoom, "--memory-limit", row_limit,
                            "--blocks", layout, "--overwrite", "--quiet"}));
      ZF_ASSIGN_OR_RETURN(std::int64_t true_out, dataset_nonzero(out));
      rows.push_back({fmt::format("out of core to zstd HDF5, {}",
                                  layout == std::string("slabs") ? "z-slab blocks" : "xyz blocks"),
                      zoom, child.seconds, out_bytes, child.peak_rss_bytes, true_out,
                      fmt::format("limit {}", row_limit)});
    }
  }

  // Chains on the seed: a one-step chain against resample, and a 2-step chain (same run).
  {
    const double out_bytes = double(seed_elements) * 8;
    const auto row_of = [&](const std::string& method, const ChildResult& child,
                            const std::string& note) {
      rows.push_back(
          {method, "2", child.seconds, out_bytes, child.peak_rss_bytes, std::nullopt, note});
    };
    fmt::print(stderr, "bench: chains on the seed x2 ...\n");
    ZF_ASSIGN_OR_RETURN(ChildResult resample,
                        run_self_checked({"resample", seed, out, "--zoom", "2", "--memory-limit",
                                          limit, "--overwrite", "--quiet"}));
    ZF_ASSIGN_OR_RETURN(ChildResult one,
                        run_self_checked({"pipeline", seed, out, "resample:zoom=2",
                                          "--memory-limit", limit, "--overwrite", "--quiet"}));
    ZF_ASSIGN_OR_RETURN(ChildResult two, run_self_checked({"pipeline", seed, out, "resample:zoom=2",
                                                           "threshold:gt=0", "--memory-limit",
                                                           limit, "--overwrite", "--quiet"}));
    row_of("resample --zoom 2 (for the chains below)", resample, "");
    row_of("pipeline resample:zoom=2", one,
           fmt::format("{:.2f}x resample's time", one.seconds / resample.seconds));
    row_of("pipeline resample:zoom=2 threshold:gt=0", two,
           fmt::format("{:.2f}x resample's time", two.seconds / resample.seconds));
    // stats and compare on the x2 output (the seed x2 is in `out` now).
    const std::string copy = dir.dataset("copy.h5", "/zoomed");
    ZF_RETURN_IF_ERROR(run_self_step({"resample", seed, copy, "--zoom", "2", "--memory-limit",
                                      limit, "--overwrite", "--quiet"}));
    ZF_ASSIGN_OR_RETURN(ChildResult stats, run_self_checked({"stats", out, "--json"}));
    ZF_ASSIGN_OR_RETURN(ChildResult compare, run_self_checked({"compare", out, copy}));
    row_of("stats of the x2 output", stats, "reads every chunk");
    row_of("compare the x2 output with a copy", compare, "reads both");
  }

  // Dense: CT-like uint16, x2 order 1, and downsampling x0.5 order 1, against the bounds of the
  // same bytes measured after every child has run (a child's peak RSS counts its parent's
  // memory at the fork).
  fmt::print(stderr, "bench: dense noise volume {} ...\n", dense_shape);
  ZF_RETURN_IF_ERROR(run_self_step({"generate", dense, "--shape", dense_shape, "--dtype", "uint16",
                                    "--pattern", "noise", "--overwrite"}));
  ZF_ASSIGN_OR_RETURN(const Shape dense_dims, parse_shape(dense_shape));
  // Fresh files: writing over an existing one keeps the old dataset's space.
  const auto fresh_run = [&](const char* zoom) -> Result<ChildResult> {
    const std::string fresh = dir.dataset(std::string("dense_") + zoom + ".h5", "/zoomed");
    auto child = run_self_checked({"resample", dense, fresh, "--zoom", zoom, "--order", "1",
                                   "--memory-limit", limit, "--quiet"});
    fs::remove(fresh.substr(0, fresh.rfind(':')));
    return child;
  };
  ZF_ASSIGN_OR_RETURN(const ChildResult up, fresh_run("2"));
  ZF_ASSIGN_OR_RETURN(const ChildResult down, fresh_run("0.5"));
  // Reductions (issue 11): mean by 2,2,2 on the noise, a 5-level mean pyramid against the same
  // levels as separate runs, and mode by 2,2,2 on uint32 labels of the seed's shape; run before
  // the bounds, whose buffers would count in these children's peak RSS. Their rows follow the
  // bounds'. Peers (TensorStore, tinybrain) are Python: tools/bench_downsample.py and
  // kernels/bench/downsample_peers.py compare against them.
  std::vector<BenchRow> reductions;
  {
    fmt::print(stderr, "bench: reductions and a pyramid on the noise volume ...\n");
    const double dense_bytes = double(num_elements(dense_dims)) * 2;
    const std::string half = dir.dataset("mean_half.h5", "/v");
    ZF_ASSIGN_OR_RETURN(const ChildResult mean,
                        run_self_checked({"resample", dense, half, "--method", "mean", "--factors",
                                          "2", "--memory-limit", limit, "--overwrite", "--quiet"}));
    fs::remove(dir.path() / "mean_half.h5");
    reductions.push_back(
        {"downsample, noise uint16, --method mean", "0.5", mean.seconds, dense_bytes / 8,
         mean.peak_rss_bytes, std::nullopt,
         fmt::format("{:.2f}x the order-1 row's wall, {:.2f}x its CPU", mean.seconds / down.seconds,
                     mean.cpu_seconds / down.cpu_seconds)});
    constexpr int kLevels = 5;
    const std::string pyramid = (dir.path() / "pyramid.zarr").string();
    ZF_ASSIGN_OR_RETURN(const ChildResult one_pass,
                        run_self_checked({"pyramid", dense, pyramid, "--method", "mean", "--levels",
                                          std::to_string(kLevels), "--memory-limit", limit,
                                          "--overwrite", "--quiet"}));
    fs::remove_all(pyramid);
    double separate_wall = 0, separate_cpu = 0, level_bytes = 0;
    std::int64_t separate_rss = 0;
    for (int k = 0; k < kLevels; ++k) {
      const std::string level = dir.dataset("level.h5", "/v");
      ZF_ASSIGN_OR_RETURN(const ChildResult run,
                          run_self_checked({"resample", dense, level, "--method", "mean",
                                            "--factors", std::to_string(1 << k), "--memory-limit",
                                            limit, "--overwrite", "--quiet"}));
      fs::remove(dir.path() / "level.h5");
      separate_wall += run.seconds;
      separate_cpu += run.cpu_seconds;
      separate_rss = std::max(separate_rss, run.peak_rss_bytes);
      level_bytes += dense_bytes / double(std::int64_t(1) << (3 * k));
    }
    reductions.push_back({fmt::format("pyramid, noise uint16, {} levels of mean", kLevels), "-",
                          one_pass.seconds, level_bytes, one_pass.peak_rss_bytes, std::nullopt,
                          fmt::format("one read; {} separate resample runs took {:.2f}x its wall, "
                                      "{:.2f}x its CPU",
                                      kLevels, separate_wall / one_pass.seconds,
                                      separate_cpu / one_pass.cpu_seconds)});
    reductions.push_back(
        {fmt::format("{} resample --method mean runs, factors 1..{}", kLevels, 1 << (kLevels - 1)),
         "-", separate_wall, level_bytes, separate_rss, std::nullopt,
         "each reads the whole input"});
    const std::string labels = dir.dataset("labels.h5", "/labels");
    ZF_RETURN_IF_ERROR(run_self_step({"generate", labels, "--shape", seed_shape, "--dtype",
                                      "uint32", "--pattern", "labels", "--overwrite"}));
    const std::string mode_out = dir.dataset("mode.h5", "/labels");
    ZF_ASSIGN_OR_RETURN(
        const ChildResult mode,
        run_self_checked({"resample", labels, mode_out, "--method", "mode", "--factors", "2",
                          "--memory-limit", limit, "--overwrite", "--quiet"}));
    reductions.push_back({"downsample, labels uint32, --method mode", "0.5", mode.seconds,
                          double(seed_elements) * 4 / 8, mode.peak_rss_bytes, std::nullopt,
                          fmt::format("{:.2f} CPU s", mode.cpu_seconds)});
  }

  fmt::print(stderr, "bench: the bounds of the same bytes, in memory ...\n");
  ZF_ASSIGN_OR_RETURN(const CodecBound bound,
                      measure_codec_bound(dense_dims, 2.0, Interpolation::kLinear, 1));
  const double out_bytes = double(num_elements(dense_dims)) * 8 * 2;
  // Wall-time ratios move with other jobs on a shared machine; CPU-time ratios much less.
  const Timing bound_both{bound.compress.wall + bound.kernel.wall,
                          bound.compress.cpu + bound.kernel.cpu};
  rows.push_back(
      {"out of core, noise uint16, order 1", "2", up.seconds, out_bytes, up.peak_rss_bytes,
       std::nullopt,
       fmt::format("vs zstd-1 bound + kernel: {:.2f}x wall, {:.2f}x CPU; vs zstd-1 bound alone: "
                   "{:.2f}x wall, {:.2f}x CPU",
                   up.seconds / bound_both.wall, up.cpu_seconds / bound_both.cpu,
                   up.seconds / bound.compress.wall, up.cpu_seconds / bound.compress.cpu)});
  rows.push_back({"bound: zstd -1 of the output chunks, all threads", "2", bound.compress.wall,
                  out_bytes, 0, std::nullopt,
                  fmt::format("{} chunks from memory, {:.2f} CPU s", bound.output_chunks,
                              bound.compress.cpu)});
  rows.push_back({"bound: the kernel alone, in memory, all threads", "2", bound.kernel.wall,
                  out_bytes, 0, std::nullopt,
                  fmt::format("into warm memory, {:.2f} CPU s", bound.kernel.cpu)});
  rows.push_back(
      {"downsample, noise uint16, order 1", "0.5", down.seconds, out_bytes / 64,
       down.peak_rss_bytes, std::nullopt,
       fmt::format("vs the decode bound ({:.2f} s, {} input chunks): {:.2f}x wall, "
                   "{:.2f}x CPU",
                   bound.decompress.wall, bound.input_chunks, down.seconds / bound.decompress.wall,
                   down.cpu_seconds / bound.decompress.cpu)});

  rows.insert(rows.end(), reductions.begin(), reductions.end());

  if (options.json)
    print_json(rows);
  else
    print_table(rows, threads);
  return ok_status();
}

}  // namespace zoomflow::tools
