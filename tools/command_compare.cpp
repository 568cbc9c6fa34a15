// `zoomflow compare A.h5:/ds B.h5:/ds`: exit 0 when shape, dtype and every value agree; otherwise
// exit 1 with the number of differing voxels, the first difference and the largest difference.
#include <memory>
#include <string>

#include <fmt/core.h>

#include "command.hpp"
#include "zoomflow/pipeline/dataset_compare.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

constexpr std::uint64_t kCompareCache = std::uint64_t(64) << 20;

struct CompareArgs {
  std::string a, b;
  int threads = 0;
};

Status report_result(const std::string& a, const std::string& b, const CompareReport& r) {
  if (r.identical()) {
    fmt::print("identical: {} and {} ({} {}, {} values)\n", a, b, to_string(r.shape_a),
               dtype_name(r.dtype_a), r.compared);
    return ok_status();
  }
  std::string summary;
  if (!(r.shape_a == r.shape_b)) {
    summary = "shapes differ: " + to_string(r.shape_a) + " and " + to_string(r.shape_b);
  } else if (r.dtype_a != r.dtype_b) {
    summary = "dtypes differ: " + std::string(dtype_name(r.dtype_a)) + " and " +
              std::string(dtype_name(r.dtype_b));
  } else {
    fmt::print("differing: {} of {} values\n", r.differing, r.compared);
    fmt::print("first difference: {}: {} vs {}\n", to_string(*r.first_difference),
               to_string(r.value_a), to_string(r.value_b));
    fmt::print("max abs difference: {}\n", r.max_abs_difference);
    summary = std::to_string(r.differing) + " of " + std::to_string(r.compared) +
              " values differ, the first at " + to_string(*r.first_difference) +
              ", max abs difference " + fmt::format("{}", r.max_abs_difference);
  }
  // Exit status 1 (not kInvalidArgument, which means bad usage: 2).
  return make_error(ErrorCode::kCorrupt, a + " and " + b + " differ: " + summary);
}

Status run_compare(const CompareArgs& args) {
  ZF_ASSIGN_OR_RETURN(const storage::DatasetPath path_a, storage::parse_dataset_path(args.a));
  ZF_ASSIGN_OR_RETURN(const storage::DatasetPath path_b, storage::parse_dataset_path(args.b));
  // Blocks follow A's chunks (each decoded once); B's chunks may straddle blocks: a cache.
  ZF_ASSIGN_OR_RETURN(const storage::InputDataset a,
                      storage::InputDataset::open(path_a, {.chunk_cache_bytes = 0}));
  ZF_ASSIGN_OR_RETURN(const storage::InputDataset b,
                      storage::InputDataset::open(path_b, {.chunk_cache_bytes = kCompareCache}));
  storage::install_interrupt_handlers();
  CompareOptions options;
  options.threads = args.threads;
  ZF_ASSIGN_OR_RETURN(const CompareReport report, compare_datasets(a, b, options));
  return report_result(a.info().path.to_string(), b.info().path.to_string(), report);
}

}  // namespace

void add_compare_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Exit 0 when two datasets are identical; else 1 and where they differ");
  cmd->add_option("a", args->a, "A.h5[:/dataset]")->required();
  cmd->add_option("b", args->b, "B.h5[:/dataset]")->required();
  cmd->add_option("--threads", args->threads, "worker threads (0: all)")->capture_default_str();
  cmd->callback([args, &registry] { registry.action = [args] { return run_compare(*args); }; });
}

}  // namespace zoomflow::tools
