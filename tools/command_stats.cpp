// `zoomflow stats FILE.h5[:/dataset] [--json]`: count, nonzero, min, max, sum, mean, checksum,
// streamed in parallel with bounded memory.
#include <memory>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "zoomflow/pipeline/dataset_stats.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

struct StatsArgs {
  std::string path;
  bool json = false;
  int threads = 0;
};

nlohmann::json number_json(const std::optional<Number>& number) {
  if (!number) return nullptr;
  return std::visit([](auto v) { return nlohmann::json(v); }, *number);
}

void print_json(const std::string& path, const DatasetStats& s) {
  nlohmann::json j;
  j["path"] = path;
  j["shape"] = std::vector<Index>(s.shape.begin(), s.shape.end());
  j["dtype"] = std::string(dtype_name(s.dtype));
  j["count"] = s.count;
  j["nonzero"] = s.nonzero;
  j["nan_count"] = s.nan_count;
  j["min"] = number_json(s.min);
  j["max"] = number_json(s.max);
  j["sum"] = number_json(s.sum);
  j["mean"] = s.mean;
  j["checksum"] = fmt::format("{:016x}", s.checksum);
  fmt::print("{}\n", j.dump());
}

void print_text(const std::string& path, const DatasetStats& s) {
  const auto text = [](const std::optional<Number>& n) {
    return n ? to_string(*n) : std::string("-");
  };
  fmt::print("{}  {} {}\n", path, to_string(s.shape), dtype_name(s.dtype));
  fmt::print("  count     {}\n", s.count);
  fmt::print("  nonzero   {}\n", s.nonzero);
  if (is_floating(s.dtype)) fmt::print("  nan       {}\n", s.nan_count);
  fmt::print("  min       {}\n", text(s.min));
  fmt::print("  max       {}\n", text(s.max));
  fmt::print("  sum       {}\n", to_string(s.sum));
  fmt::print("  mean      {}\n", s.mean);
  fmt::print("  checksum  {:016x}\n", s.checksum);
}

Status run_stats(const StatsArgs& args) {
  ZF_ASSIGN_OR_RETURN(const storage::DatasetPath path, storage::parse_dataset_path(args.path));
  // Blocks are made of whole chunks, each decoded once: no cache needed.
  ZF_ASSIGN_OR_RETURN(const storage::InputDataset input,
                      storage::InputDataset::open(path, {.chunk_cache_bytes = 0}));
  storage::install_interrupt_handlers();
  StatsOptions options;
  options.threads = args.threads;
  ZF_ASSIGN_OR_RETURN(const DatasetStats stats, compute_dataset_stats(input, options));
  const std::string name = input.info().path.to_string();
  if (args.json)
    print_json(name, stats);
  else
    print_text(name, stats);
  return ok_status();
}

}  // namespace

void add_stats_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "count, nonzero, min, max, sum, mean and checksum of a dataset (streamed)");
  cmd->add_option("path", args->path, "FILE.h5[:/dataset]")->required();
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_option("--threads", args->threads, "worker threads (0: all)")->capture_default_str();
  cmd->callback([args, &registry] { registry.action = [args] { return run_stats(*args); }; });
}

}  // namespace zoomflow::tools
