// zoomflow_storage_bench codecs   zstd compress/decompress throughput of the storage layer on the
//                                 box mask and the noise volume, 1 and all threads, and the zstd
//                                 command line tool's own benchmark (`zstd -bL`) on the same bytes
// zoomflow_storage_bench bound PATH  the compression bound of a dataset already written: every
//                                 chunk of it (any format) read back, then compressed by the
//                                 storage layer's zstd at --level on one thread (only the
//                                 compression timed; all-zero chunks skipped, as the writers skip
//                                 them)
// zoomflow_storage_bench index    writing and reading a dataset of ~10^5 chunks with the earliest
//                                 file format (v1 B-tree chunk index) and the 1.10 format
//                                 (fixed-array index), to choose OutputOptions::file_format
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <regex>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <CLI/CLI.hpp>

#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

using namespace zoomflow;
namespace zs = zoomflow::storage;

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The volume cut into contiguous chunks, in C order of the chunk grid (setup, not timed).
std::vector<std::vector<std::byte>> cut_into_chunks(const Volume& volume, const Shape& chunk) {
  const zs::ChunkGrid grid(volume.shape(), chunk);
  std::vector<std::vector<std::byte>> chunks(std::size_t(grid.num_chunks()));
  tbb::parallel_for(Index(0), grid.num_chunks(), [&](Index linear) {
    IndexVector g = grid.grid_shape();
    for (int a = g.rank() - 1; a >= 0; --a) {
      g[a] = linear % grid.grid_shape()[a];
      linear /= grid.grid_shape()[a];
    }
    const Box box = grid.chunk_box(g);
    auto& bytes = chunks[std::size_t(grid.linear_index(g))];
    bytes.resize(std::size_t(box.num_elements()) * dtype_size(volume.dtype()));
    const ArrayView to(bytes.data(), volume.dtype(), box.extent);
    const ConstArrayView from = volume.view().subview(box);
    zs::for_each_index(Box::from_shape(box.extent), [&](const IndexVector& i) {
      const std::size_t size = dtype_size(volume.dtype());
      Index f = 0, t = 0;
      for (int a = 0; a < i.rank(); ++a) {
        f += i[a] * from.strides()[a];
        t += i[a] * to.strides()[a];
      }
      std::copy_n(from.data() + f * Index(size), size, to.data() + t * Index(size));
    });
  });
  return chunks;
}

struct Timing {
  double compress_gbps = 0, decompress_gbps = 0, ratio = 0;
};

// Best of `repeats` for compressing then decompressing every chunk on `threads` threads.
Timing time_zstd(const std::vector<std::vector<std::byte>>& chunks, int level, int threads,
                 int repeats) {
  std::vector<std::vector<std::byte>> packed(chunks.size());
  std::vector<std::vector<std::byte>> unpacked(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    packed[i].resize(zs::zstd_compress_bound(chunks[i].size()));
    unpacked[i].resize(chunks[i].size());
  }
  std::vector<std::size_t> sizes(chunks.size());
  double raw = 0;
  for (const auto& c : chunks) raw += double(c.size());
  tbb::task_arena arena(threads);
  double best_c = 1e30, best_d = 1e30;
  for (int r = 0; r < repeats; ++r) {
    double t0 = now_seconds();
    arena.execute([&] {
      tbb::parallel_for(std::size_t(0), chunks.size(), [&](std::size_t i) {
        sizes[i] = zs::zstd_compress(chunks[i], packed[i], level).value();
      });
    });
    best_c = std::min(best_c, now_seconds() - t0);
    t0 = now_seconds();
    arena.execute([&] {
      tbb::parallel_for(std::size_t(0), chunks.size(), [&](std::size_t i) {
        const Status s = zs::zstd_decompress({packed[i].data(), sizes[i]}, unpacked[i]);
        if (!s.ok()) std::fprintf(stderr, "decode failed: %s\n", s.error().message.c_str());
      });
    });
    best_d = std::min(best_d, now_seconds() - t0);
  }
  for (std::size_t i = 0; i < chunks.size(); ++i)
    if (unpacked[i] != chunks[i]) std::fprintf(stderr, "round trip differs at chunk %zu\n", i);
  const double stored = double(std::accumulate(sizes.begin(), sizes.end(), std::size_t(0)));
  return {raw / best_c / 1e9, raw / best_d / 1e9, raw / stored};
}

// `zstd -b<level> [extra]` on `file`: its last "(xR), C MB/s, D MB/s" line.
std::string zstd_cli(const std::string& file, int level, const std::string& extra, Timing& t) {
  const std::string command =
      fmt::format("zstd -b{} -i3 {} '{}' 2>&1 | tr '\\r' '\\n'", level, extra, file);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "zstd not run";
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), int(buffer.size()), pipe) != nullptr) output += buffer.data();
  pclose(pipe);
  const std::regex line(R"(\(x([0-9.]+)\),\s*([0-9.]+) MB/s,\s*([0-9.]+) MB/s)");
  std::smatch match;
  bool found = false;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    match = *it;
    found = true;
  }
  if (!found) return "no result from: " + command;
  t = {std::stod(match[2]) / 1000.0, std::stod(match[3]) / 1000.0, std::stod(match[1])};
  return command.substr(0, command.find(" 2>&1"));
}

struct CodecArgs {
  std::string box_shape = "1024,1024,512";
  std::string noise_shape = "512,512,512";
  std::string noise_dtype = "uint16";
  std::vector<int> levels = {1, 3};
  int repeats = 3;
  std::string scratch = "/tmp";
};

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(',', start);
    shape.push_back(std::stoll(text.substr(start, comma - start)));
    start = comma == std::string::npos ? text.size() : comma + 1;
  }
  return shape;
}

void print_row(const std::string& volume, const std::string& method, int threads, const Timing& t) {
  fmt::print("| {:<26} | {:<44} | {:>7} | {:>12.2f} | {:>14.2f} | {:>6.1f} |\n", volume, method,
             threads == 0 ? std::string("-") : std::to_string(threads), t.compress_gbps,
             t.decompress_gbps, t.ratio);
}

int run_codecs(const CodecArgs& args) {
  const int all = tbb::info::default_concurrency();
  struct Input {
    std::string name;
    Pattern pattern;
    DType dtype;
    Shape shape;
  };
  const Input inputs[] = {
      {"box mask", Pattern::kBox, DType::kBool, parse_shape(args.box_shape)},
      {"noise", Pattern::kNoise, *parse_dtype(args.noise_dtype), parse_shape(args.noise_shape)},
  };
  fmt::print("| volume | method | threads | compress GB/s | decompress GB/s | ratio |\n");
  fmt::print("| --- | --- | ---: | ---: | ---: | ---: |\n");
  for (const Input& input : inputs) {
    Volume volume = Volume::allocate(input.dtype, input.shape).value();
    tbb::parallel_for(Index(0), input.shape[0], [&](Index z) {
      Box box = Box::from_shape(input.shape);
      box.origin[0] = z;
      box.extent[0] = 1;
      (void)fill_pattern(input.pattern, input.shape, box, volume.view().subview(box));
    });
    const Shape chunk = Shape::filled(input.shape.rank(), 64);
    const auto chunks = cut_into_chunks(volume, chunk);
    const std::string label =
        fmt::format("{} {} {}", input.name, to_string(input.shape), dtype_name(input.dtype));
    const std::string raw = args.scratch + "/zoomflow_storage_bench_" +
                            std::string(pattern_name(input.pattern)) + ".raw";
    {
      std::ofstream out(raw, std::ios::binary);
      out.write(reinterpret_cast<const char*>(volume.bytes().data()),
                std::streamsize(volume.bytes().size()));
    }
    const std::size_t chunk_bytes = chunks.front().size();
    for (int level : args.levels) {
      for (int threads : {1, all}) {
        const Timing t = time_zstd(chunks, level, threads, args.repeats);
        print_row(label, fmt::format("zoomflow zstd:{}, 64^3 chunks", level), threads, t);
      }
      Timing t;
      std::string what = zstd_cli(raw, level, "", t);
      print_row(label, "`" + what.substr(0, what.find(" '")) + "` (whole file)", 1, t);
      what = zstd_cli(raw, level, fmt::format("-B{}", chunk_bytes), t);
      print_row(label, "`" + what.substr(0, what.find(" '")) + "` (chunk-sized blocks)", 1, t);
    }
    std::filesystem::remove(raw);
  }
  return 0;
}

struct IndexArgs {
  std::string shape = "400,400,320";
  std::string chunks = "8,8,8";
  std::string folder = "/tmp";
  int repeats = 2;
};

struct IndexTiming {
  double write_s = 0, read_s = 0, open_s = 0;
  std::uintmax_t file_bytes = 0;
};

// Writes every chunk (labels pattern, zstd:1) through OutputDataset, then reads every chunk
// through InputDataset (no cache) in C order.
IndexTiming time_index(const IndexArgs& args, zs::FileFormat format, const std::string& file) {
  const Shape shape = parse_shape(args.shape);
  const Shape chunk = parse_shape(args.chunks);
  const zs::ChunkGrid grid(shape, chunk);
  std::vector<Box> boxes;
  zs::for_each_index(Box::from_shape(grid.grid_shape()),
                     [&](const IndexVector& g) { boxes.push_back(grid.chunk_box(g)); });
  // Encoded up front: the timing is of HDF5's chunk index and writes, not of the codec.
  zs::OutputOptions options;
  options.shape = shape;
  options.dtype = DType::kUInt16;
  options.chunk_shape = chunk;
  options.file_format = format;
  std::filesystem::remove(file);
  IndexTiming timing;
  auto output = zs::OutputDataset::create({file, "/labels"}, options).value();
  std::vector<zs::EncodedChunk> encoded(boxes.size());
  tbb::parallel_for(std::size_t(0), boxes.size(), [&](std::size_t i) {
    Volume v = Volume::allocate(DType::kUInt16, boxes[i].extent).value();
    (void)fill_pattern(Pattern::kLabels, shape, boxes[i], v.view(), 1);
    encoded[i] = output.encode_chunk(boxes[i].origin, v.view()).value();
  });
  double t0 = now_seconds();
  for (const auto& e : encoded) (void)output.write_chunk(e);
  (void)output.commit();
  timing.write_s = now_seconds() - t0;
  timing.file_bytes = std::filesystem::file_size(file);

  t0 = now_seconds();
  zs::InputOptions input_options;
  input_options.chunk_cache_bytes = 0;
  const auto input = zs::InputDataset::open({file, "/labels"}, input_options).value();
  timing.open_s = now_seconds() - t0;
  Volume v = Volume::allocate(DType::kUInt16, chunk).value();
  t0 = now_seconds();
  for (const Box& box : boxes) {
    const ArrayView view(v.view().data(), DType::kUInt16, box.extent);
    (void)input.read_box(box, view);
  }
  timing.read_s = now_seconds() - t0;
  return timing;
}

int run_index(const IndexArgs& args) {
  const zs::ChunkGrid grid(parse_shape(args.shape), parse_shape(args.chunks));
  fmt::print("{} chunks of {} in a {} uint16 dataset (labels, zstd:1)\n\n", grid.num_chunks(),
             args.chunks, args.shape);
  fmt::print(
      "| file format | write s | read s | open s | file MB |\n| --- | ---: | ---: | ---: | ---: "
      "|\n");
  const std::string file = args.folder + "/zoomflow_storage_bench_index.h5";
  for (int r = 0; r < args.repeats; ++r)
    for (auto format : {zs::FileFormat::kEarliest, zs::FileFormat::kV110}) {
      const IndexTiming t = time_index(args, format, file);
      fmt::print(
          "| {} | {:.2f} | {:.2f} | {:.4f} | {:.1f} |\n",
          format == zs::FileFormat::kEarliest ? "earliest (v1 B-tree)" : "1.10 (fixed array)",
          t.write_s, t.read_s, t.open_s, double(t.file_bytes) / 1e6);
    }
  std::filesystem::remove(file);
  return 0;
}

}  // namespace

struct BoundArgs {
  std::string path;
  int level = 1;
  bool json = false;
};

int run_bound(const BoundArgs& args) {
  auto path = zs::parse_dataset_path(args.path);
  if (!path.ok()) {
    std::fprintf(stderr, "%s\n", path.error().message.c_str());
    return 2;
  }
  auto input = zs::InputDataset::open(*path, {.chunk_cache_bytes = 0});
  if (!input.ok()) {
    std::fprintf(stderr, "%s\n", input.error().message.c_str());
    return 2;
  }
  const zs::DatasetInfo& info = input->info();
  const Shape chunk = info.chunked ? info.chunk_shape : Shape::filled(info.shape.rank(), 64);
  const zs::ChunkGrid grid(info.shape, chunk);
  double seconds = 0;
  std::uint64_t raw_bytes = 0, packed_bytes = 0, chunks = 0;
  Volume buffer = Volume::allocate(info.dtype, chunk).value();
  std::vector<std::byte> packed;
  zs::for_each_index(Box::from_shape(grid.grid_shape()), [&](const IndexVector& g) {
    const Box box = grid.chunk_box(g);
    // A whole chunk (edge chunks padded with zeros), as the writers compress it.
    std::memset(buffer.view().data(), 0, std::size_t(num_elements(chunk)) * dtype_size(info.dtype));
    const ArrayView target =
        buffer.view().subview(Box{IndexVector::filled(box.rank(), 0), box.extent});
    if (!input->read_box(box, target).ok()) return;
    const std::span<const std::byte> raw(buffer.view().data(),
                                         std::size_t(num_elements(chunk)) * dtype_size(info.dtype));
    if (std::all_of(raw.begin(), raw.end(), [](std::byte b) { return b == std::byte{0}; })) return;
    packed.resize(zs::zstd_compress_bound(raw.size()));
    const double start = now_seconds();
    const auto size = zs::zstd_compress(raw, packed, args.level);
    seconds += now_seconds() - start;
    if (!size.ok()) return;
    raw_bytes += raw.size();
    packed_bytes += *size;
    ++chunks;
  });
  if (args.json) {
    fmt::print(
        "{{\"path\": \"{}\", \"level\": {}, \"chunks\": {}, \"raw_bytes\": {}, "
        "\"packed_bytes\": {}, \"seconds_one_thread\": {:.4f}}}\n",
        args.path, args.level, chunks, raw_bytes, packed_bytes, seconds);
  } else {
    fmt::print(
        "{}: {} chunks, {:.1f} MB raw -> {:.1f} MB, zstd -{} on 1 thread {:.3f} s ({:.0f} MB/s)\n",
        args.path, chunks, double(raw_bytes) / 1e6, double(packed_bytes) / 1e6, args.level, seconds,
        seconds > 0 ? double(raw_bytes) / 1e6 / seconds : 0.0);
  }
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"zoomflow storage benchmarks"};
  app.require_subcommand(1);
  auto codec_args = std::make_shared<CodecArgs>();
  CLI::App* codecs = app.add_subcommand("codecs", "zstd throughput against the zstd tool");
  codecs->add_option("--box-shape", codec_args->box_shape)->capture_default_str();
  codecs->add_option("--noise-shape", codec_args->noise_shape)->capture_default_str();
  codecs->add_option("--noise-dtype", codec_args->noise_dtype)->capture_default_str();
  codecs->add_option("--levels", codec_args->levels)->capture_default_str();
  codecs->add_option("--repeat", codec_args->repeats)->capture_default_str();
  codecs->add_option("--scratch", codec_args->scratch, "folder for the raw files zstd reads")
      ->capture_default_str();
  auto index_args = std::make_shared<IndexArgs>();
  CLI::App* index = app.add_subcommand("index", "chunk index: earliest against 1.10 format");
  index->add_option("--shape", index_args->shape)->capture_default_str();
  index->add_option("--chunks", index_args->chunks)->capture_default_str();
  index->add_option("--folder", index_args->folder)->capture_default_str();
  index->add_option("--repeat", index_args->repeats)->capture_default_str();
  auto bound_args = std::make_shared<BoundArgs>();
  CLI::App* bound = app.add_subcommand("bound", "zstd compression time of a written dataset");
  bound->add_option("path", bound_args->path, "FILE.h5:/ds, DIR.zarr[:/path], DIR.n5:/path")
      ->required();
  bound->add_option("--level", bound_args->level)->capture_default_str();
  bound->add_flag("--json", bound_args->json);
  CLI11_PARSE(app, argc, argv);
  if (codecs->parsed()) return run_codecs(*codec_args);
  if (bound->parsed()) return run_bound(*bound_args);
  return run_index(*index_args);
}
