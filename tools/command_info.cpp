// `zoomflow info FILE.h5[:/dataset] | DIR.zarr[:/path] | DIR.n5:/path`: format, shape, dtype,
// layout, chunks (and shards), filters or codecs, fill value, axes, voxel size, the levels of a
// pyramid (OME-Zarr, N5 multiscale, HDF5 with a multiscales attribute),
// attributes, and the bytes on disk against the raw bytes.
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

// The length of the UTF-8 sequence at text[i] (1 to 4), or 0 where the bytes there are not one
// (a stray continuation byte, a truncated or overlong sequence, a surrogate, beyond U+10FFFF).
std::size_t utf8_sequence_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  const std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                            : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  const unsigned second = byte(i + 1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
      (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F))
    return 0;
  return length;
}

// A name or value on one line of valid UTF-8: newlines and other control characters, and bytes
// that are not UTF-8 (HDF5 and Zarr store bytes), shown as escapes.
std::string one_line(const std::string& text) {
  std::string line;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const std::size_t length = utf8_sequence_length(text, i);
    if (c == '\n')
      line += "\\n";
    else if (c == '\r')
      line += "\\r";
    else if (c == '\t')
      line += "\\t";
    else if (length == 0 || static_cast<unsigned char>(c) < 0x20)
      line += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      line.append(text, i, length);
    i += length == 0 ? 1 : length;
  }
  return line;
}

std::uint64_t raw_bytes(const storage::DatasetInfo& info) {
  return std::uint64_t(num_elements(info.shape)) * dtype_size(info.dtype);
}

std::string numbers_text(const std::vector<double>& values) {
  std::string text;
  for (double v : values) text += (text.empty() ? "" : ", ") + fmt::format("{}", v);
  return "(" + text + ")";
}

std::string layout_text(const storage::DatasetInfo& info) {
  if (!info.chunked) return "contiguous";
  std::string text = "chunked, chunks " + to_string(info.chunk_shape);
  if (info.shard_shape.rank() > 0) text += ", shards " + to_string(info.shard_shape);
  return text;
}

bool is_hdf5(const storage::DatasetInfo& info) {
  return info.format == storage::StorageFormat::kHdf5;
}

void print_image(const storage::DatasetInfo& info) {
  if (!info.axes.empty()) {
    std::string axes;
    for (const auto& axis : info.axes) {
      std::string text = axis.name.empty() ? "?" : axis.name;
      if (!axis.type.empty() || !axis.unit.empty())
        text += " (" + axis.type + (axis.unit.empty() ? "" : ", " + axis.unit) + ")";
      axes += (axes.empty() ? "" : ", ") + text;
    }
    fmt::print("  axes        {}\n", axes);
  }
  if (!info.voxel_size.empty())
    fmt::print("  voxel size  {}{}\n", numbers_text(info.voxel_size),
               info.voxel_unit.empty() ? "" : " " + info.voxel_unit);
  if (info.levels.empty()) return;
  const std::string count =
      fmt::format("{} level{}", info.levels.size(), info.levels.size() == 1 ? "" : "s");
  if (info.format == storage::StorageFormat::kN5)
    fmt::print("  pyramid     multiscale group {} (n5-viewer), {}\n", info.ome_group, count);
  else if (is_hdf5(info))
    fmt::print("  pyramid     datasets of {} (multiscales attribute, OME-Zarr {}), {}\n",
               info.ome_group, info.ome_version, count);
  else
    fmt::print("  OME-Zarr    image {} (version {}), {}\n", info.ome_group, info.ome_version,
               count);
  for (const auto& level : info.levels)
    fmt::print("    {:<8}  {:<20}  scale {}\n", level.path,
               level.shape.rank() > 0 ? to_string(level.shape) : "unreadable",
               numbers_text(level.scale));
}

void print_text(const storage::DatasetInfo& info) {
  fmt::print("{}\n", info.path.to_string());
  fmt::print("  format      {}\n", storage::storage_format_title(info.format));
  fmt::print("  shape       {}\n", to_string(info.shape));
  fmt::print("  dtype       {}\n", dtype_name(info.dtype));
  fmt::print("  layout      {}\n", layout_text(info));
  if (is_hdf5(info)) {
    std::string filters;
    for (const auto& f : info.filters) filters += (filters.empty() ? "" : ", ") + filter_text(f);
    fmt::print("  filters     {}\n", filters.empty() ? "none" : filters);
  } else {
    std::string codecs;
    for (const auto& c : info.codecs) codecs += (codecs.empty() ? "" : ", ") + c;
    fmt::print("  codecs      {}\n", codecs);
    fmt::print("  fill value  {}\n", info.fill_value);
  }
  print_image(info);
  const double raw = double(raw_bytes(info));
  const double disk = double(info.storage_bytes);
  fmt::print("  storage     {} bytes on disk, {} bytes raw ({:.2f}x)\n", info.storage_bytes,
             raw_bytes(info), disk > 0 ? raw / disk : 0.0);
  fmt::print("  attributes{}\n", info.attributes.empty() ? "  none" : "");
  for (const auto& a : info.attributes)
    fmt::print("    {} = {}\n", one_line(a.name), one_line(a.value_text));
}

void print_json(const storage::DatasetInfo& info) {
  nlohmann::json j;
  j["path"] = info.path.to_string();
  j["shape"] = std::vector<Index>(info.shape.begin(), info.shape.end());
  j["dtype"] = std::string(dtype_name(info.dtype));
  j["format"] = std::string(storage::storage_format_name(info.format));
  j["layout"] = info.chunked ? "chunked" : "contiguous";
  j["chunks"] = std::vector<Index>(info.chunk_shape.begin(), info.chunk_shape.end());
  if (info.shard_shape.rank() > 0)
    j["shards"] = std::vector<Index>(info.shard_shape.begin(), info.shard_shape.end());
  if (!is_hdf5(info)) {
    j["codecs"] = info.codecs;
    j["fill_value"] = info.fill_value;
  }
  if (!info.axes.empty()) {
    j["axes"] = nlohmann::json::array();
    for (const auto& axis : info.axes)
      j["axes"].push_back({{"name", axis.name}, {"type", axis.type}, {"unit", axis.unit}});
  }
  if (!info.voxel_size.empty()) {
    j["voxel_size"] = info.voxel_size;
    j["voxel_unit"] = info.voxel_unit;
  }
  if (!info.levels.empty()) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& level : info.levels)
      levels.push_back({{"path", level.path},
                        {"shape", std::vector<Index>(level.shape.begin(), level.shape.end())},
                        {"scale", level.scale}});
    j["ome"] = {{"group", info.ome_group}, {"version", info.ome_version}, {"levels", levels}};
  }
  j["filters"] = nlohmann::json::array();
  for (const auto& f : info.filters)
    j["filters"].push_back({{"id", f.id}, {"name", f.name}, {"parameters", f.parameters}});
  j["storage_bytes"] = info.storage_bytes;
  j["raw_bytes"] = raw_bytes(info);
  j["attributes"] = nlohmann::json::object();
  for (const auto& a : info.attributes) j["attributes"][a.name] = a.value_text;
  // One line of valid JSON whatever the file holds: invalid UTF-8 in names and attributes (HDF5
  // and Zarr store bytes) becomes U+FFFD rather than an exception.
  fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Status run_info(const InfoArgs& args) {
  ZF_ASSIGN_OR_RETURN(const storage::DatasetPath path, storage::parse_dataset_path(args.path));
  ZF_ASSIGN_OR_RETURN(const storage::InputDataset input,
                      storage::InputDataset::open(path, {.measure_storage = true}));
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
      "info",
      "Describe a dataset: format, shape, dtype, layout, chunks, codecs, OME-Zarr levels, "
      "attributes, size");
  cmd->add_option("path", args->path,
                  "FILE.h5[:/dataset], DIR.zarr[:/path] (an OME-Zarr image: its level 0) or "
                  "DIR.n5:/path (the only dataset if omitted)")
      ->required();
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args, &registry] { registry.action = [args] { return run_info(*args); }; });
}

}  // namespace zoomflow::tools
