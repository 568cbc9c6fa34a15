// `zoomflow bench kernel`: the in-memory kernel on the seed volume against memset.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <nlohmann/json.hpp>

#include "bench_kernel.hpp"
#include "measure.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/zoom.hpp"

namespace zoomflow::tools {
namespace {

struct BenchRow {
  std::string method;
  int threads;
  double seconds;
  double output_bytes;
  std::int64_t true_in;
  std::int64_t true_out;
};

void parallel_memset(std::span<std::byte> bytes) {
  constexpr std::size_t kPiece = std::size_t(8) << 20;
  tbb::parallel_for(std::size_t(0), (bytes.size() + kPiece - 1) / kPiece, [&](std::size_t i) {
    const std::size_t begin = i * kPiece;
    std::memset(bytes.data() + begin, 0, std::min(kPiece, bytes.size() - begin));
  });
}

template <class F>
double best_seconds(int repeats, F&& run) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    Stopwatch watch;
    run();
    best = std::min(best, watch.seconds());
  }
  return best;
}

}  // namespace

Status run_kernel_bench(const KernelBenchOptions& options) {
  ZF_ASSIGN_OR_RETURN(Shape output_shape, zoomed_shape(options.input_shape, options.zoom));
  const ResampleSpec full{options.input_shape, output_shape, options.interpolation, options.grid,
                          options.mode};
  ZF_RETURN_IF_ERROR(full.validate_for(options.dtype));
  const int all_threads = tbb::info::default_concurrency();

  ZF_ASSIGN_OR_RETURN(Volume input, Volume::allocate(options.dtype, options.input_shape));
  ZF_RETURN_IF_ERROR(fill_volume(options.pattern, input.view()));
  const std::int64_t true_in = count_nonzero(input.view());
  ZF_ASSIGN_OR_RETURN(Volume output, Volume::allocate(options.dtype, output_shape));
  const double out_bytes = double(output.size_bytes());

  std::vector<BenchRow> rows;
  Status kernel_status;
  {
    Stopwatch first_touch;
    tbb::task_arena(all_threads).execute([&] { parallel_memset(output.bytes()); });
    rows.push_back(
        {"memset (first touch of new pages)", all_threads, first_touch.seconds(), out_bytes, 0, 0});
  }
  for (int threads : {1, all_threads}) {
    tbb::task_arena arena(threads);
    const double memset_s = best_seconds(
        options.repeats, [&] { arena.execute([&] { parallel_memset(output.bytes()); }); });
    rows.push_back({"memset (warm)", threads, memset_s, out_bytes, 0, 0});
    const double kernel_s = best_seconds(options.repeats, [&] {
      arena.execute([&] { kernel_status = zoom_into(input.view(), output.view(), full); });
    });
    ZF_RETURN_IF_ERROR(kernel_status);
    rows.push_back({"zoomflow kernel (in memory)", threads, kernel_s, out_bytes, true_in,
                    count_nonzero(output.view())});
    if (threads == all_threads && all_threads == 1) break;
  }

  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const BenchRow& row : rows)
      array.push_back({{"method", row.method},
                       {"threads", row.threads},
                       {"seconds", row.seconds},
                       {"output_gb_per_s", row.output_bytes / row.seconds / 1e9},
                       {"true_in", row.true_in},
                       {"true_out", row.true_out}});
    fmt::print("{}\n", array.dump(2));
    return ok_status();
  }
  fmt::print(
      "in-memory kernel: {} {} {} -> {}, zoom {}, order {}, mode {}, grid {}, {} threads "
      "available\n",
      to_string(options.input_shape), dtype_name(options.dtype), pattern_name(options.pattern),
      to_string(output_shape), fmt::format("{}", fmt::join(options.zoom, ",")),
      int(options.interpolation), boundary_mode_name(options.mode),
      options.grid == Grid::kCenters ? "centers" : "corners", all_threads);
  fmt::print("{:<36} {:>7} {:>9} {:>10} {:>11} {:>14} {:>14}\n", "method", "threads", "seconds",
             "out GB/s", "vs memset", "true in", "true out");
  double memset_s = 0;
  for (const BenchRow& row : rows) {
    if (row.method == "memset (warm)") memset_s = row.seconds;
    const bool is_kernel = row.true_in > 0 || row.method.starts_with("zoomflow");
    fmt::print("{:<36} {:>7} {:>9.3f} {:>10.2f} {:>11} {:>14} {:>14}\n", row.method, row.threads,
               row.seconds, row.output_bytes / row.seconds / 1e9,
               is_kernel ? fmt::format("{:.2f}x", row.seconds / memset_s) : std::string("-"),
               is_kernel ? fmt::format("{}", row.true_in) : std::string("-"),
               is_kernel ? fmt::format("{}", row.true_out) : std::string("-"));
  }
  fmt::print(
      "peak RSS {:.2f} GiB; 'vs memset' is kernel time over a warm memset of the output, "
      "same thread count, same run\n",
      double(peak_rss_bytes()) / double(1 << 30));
  return ok_status();
}

}  // namespace zoomflow::tools
