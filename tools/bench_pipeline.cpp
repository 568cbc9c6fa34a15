#include "bench_pipeline.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <tbb/info.h>
#include <nlohmann/json.hpp>

#include "byte_size.hpp"
#include "child_process.hpp"
#include "command.hpp"
#include "measure.hpp"
#include "work_folder.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/storage/zstd_codec.hpp"
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

// Single-thread zstd throughput (raw bytes per second) on chunks of a resampled noise volume:
// the bytes a dense run compresses.
Result<double> zstd_rate_on_dense_output(int level) {
  const Shape input_shape{64, 256, 256};
  ZF_ASSIGN_OR_RETURN(Volume input, Volume::allocate(DType::kUInt16, input_shape));
  ZF_RETURN_IF_ERROR(
      fill_pattern(Pattern::kNoise, input_shape, Box::from_shape(input_shape), input.view()));
  const double factors[] = {2.0, 2.0, 2.0};
  ZF_ASSIGN_OR_RETURN(Volume output, zoom(input.view(), factors, Interpolation::kLinear));
  const std::size_t chunk_bytes = std::size_t(64 * 64 * 64) * 2;
  std::vector<std::byte> compressed(storage::zstd_compress_bound(chunk_bytes));
  const auto bytes = output.bytes();
  Stopwatch watch;
  std::size_t done = 0;
  for (std::size_t offset = 0; offset + chunk_bytes <= bytes.size(); offset += chunk_bytes) {
    ZF_RETURN_IF_ERROR(
        storage::zstd_compress(bytes.subspan(offset, chunk_bytes), compressed, level));
    done += chunk_bytes;
  }
  return double(done) / watch.seconds();
}

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
      ZF_ASSIGN_OR_RETURN(ChildResult child,
                          run_self_checked({"resample", seed, out, "--zoom", zoom, "--memory-limit",
                                            limit, "--blocks", layout, "--overwrite", "--quiet"}));
      ZF_ASSIGN_OR_RETURN(std::int64_t true_out, dataset_nonzero(out));
      rows.push_back({fmt::format("out of core to zstd HDF5, {}",
                                  layout == std::string("slabs") ? "z-slab blocks" : "xyz blocks"),
                      zoom, child.seconds, out_bytes, child.peak_rss_bytes, true_out,
                      fmt::format("limit {}", limit)});
    }
  }

  // Dense: CT-like uint16, x2 order 1, against the compression bound.
  fmt::print(stderr, "bench: dense noise volume {} ...\n", dense_shape);
  ZF_RETURN_IF_ERROR(run_self_step({"generate", dense, "--shape", dense_shape, "--dtype", "uint16",
                                    "--pattern", "noise", "--overwrite"}));
  {
    ZF_ASSIGN_OR_RETURN(ChildResult child,
                        run_self_checked({"resample", dense, out, "--zoom", "2", "--order", "1",
                                          "--memory-limit", limit, "--overwrite", "--quiet"}));
    auto shape = parse_shape(dense_shape);
    const double out_bytes = double(num_elements(*shape)) * 8 * 2;
    ZF_ASSIGN_OR_RETURN(double rate1, zstd_rate_on_dense_output(1));
    ZF_ASSIGN_OR_RETURN(double rate3, zstd_rate_on_dense_output(3));
    const double bound1 = out_bytes / (rate1 * threads);
    rows.push_back({"out of core, noise uint16, order 1", "2", child.seconds, out_bytes,
                    child.peak_rss_bytes, std::nullopt,
                    fmt::format("zstd-1 bound {:.2f}s ({:.2f}x); zstd-3 bound {:.2f}s", bound1,
                                child.seconds / bound1, out_bytes / (rate3 * threads))});
    rows.push_back({"compression bound: zstd -1, 1 thread x " + std::to_string(threads), "2",
                    bound1, out_bytes, 0, std::nullopt,
                    fmt::format("{:.0f} MB/s per thread", rate1 / 1e6)});
  }

  if (options.json)
    print_json(rows);
  else
    print_table(rows, threads);
  return ok_status();
}

}  // namespace zoomflow::tools
