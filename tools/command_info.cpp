// `zoomflow info FILE.h5[:/dataset]`: shape, dtype, layout, chunks, filters, attributes, and the
// bytes on disk against the raw bytes.
#include <memory>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace zoomflow::tools {
namespace {

struct InfoArgs {
  std::string path;
  bool json = false;
};

std::string filter_text(const storage::FilterInfo& filter) {
  std::string text = filter.name.empty() ? "filter" : filter.name;
  text += fmt::format(" (id {}", filter.id);
  if (!filter.parameters.empty()) {
    text += "; parameters";
    for (unsigned p : filter.parameters) text += fmt::format(" {}", p);
  }
  return text + ")";
}

std::uint64_t raw_bytes(const storage::DatasetInfo& info) {
  return std::uint64_t(num_elements(info.shape)) * dtype_size(info.dtype);
}

void print_text(const storage::DatasetInfo& info) {
  fmt::print("{}\n", info.path.to_string());
  fmt::print("  shape       {}\n", to_string(info.shape));
  fmt::print("  dtype       {}\n", dtype_name(info.dtype));
  fmt::print("  layout      {}\n",
             info.chunked ? "chunked, chunks " + to_string(info.chunk_shape) : "contiguous");
  std::string filters;
  for (const auto& f : info.filters) filters += (filters.empty() ? "" : ", ") + filter_text(f);
  fmt::print("  filters     {}\n", filters.empty() ? "none" : filters);
  const double raw = double(raw_bytes(info));
  const double disk = double(info.storage_bytes);
  fmt::print("  storage     {} bytes on disk, {} bytes raw ({:.2f}x)\n", info.storage_bytes,
             raw_bytes(info), disk > 0 ? raw / disk : 0.0);
  fmt::print("  attributes{}\n", info.attributes.empty() ? "  none" : "");
  for (const auto& a : info.attributes) fmt::print("    {} = {}\n", a.name, a.value_text);
}

void print_json(const storage::DatasetInfo& info) {
  nlohmann::json j;
  j["path"] = info.path.to_string();
  j["shape"] = std::vector<Index>(info.shape.begin(), info.shape.end());
  j["dtype"] = std::string(dtype_name(info.dtype));
  j["layout"] = info.chunked ? "chunked" : "contiguous";
  j["chunks"] = std::vector<Index>(info.chunk_shape.begin(), info.chunk_shape.end());
  j["filters"] = nlohmann::json::array();
  for (const auto& f : info.filters)
    j["filters"].push_back({{"id", f.id}, {"name", f.name}, {"parameters", f.parameters}});
  j["storage_bytes"] = info.storage_bytes;
  j["raw_bytes"] = raw_bytes(info);
  j["attributes"] = nlohmann::json::object();
  for (const auto& a : info.attributes) j["attributes"][a.name] = a.value_text;
  fmt::print("{}\n", j.dump());
}

Status run_info(const InfoArgs& args) {
  ZF_ASSIGN_OR_RETURN(const storage::DatasetPath path, storage::parse_dataset_path(args.path));
  ZF_ASSIGN_OR_RETURN(const storage::InputDataset input, storage::InputDataset::open(path));
  if (args.json)
    print_json(input.info());
  else
    print_text(input.info());
  return ok_status();
}

}  // namespace

void add_info_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Describe a dataset: shape, dtype, layout, chunks, filters, attributes, size");
  cmd->add_option("path", args->path, "FILE.h5[:/dataset] (the file's only dataset if omitted)")
      ->required();
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args, &registry] { registry.action = [args] { return run_info(*args); }; });
}

}  // namespace zoomflow::tools
