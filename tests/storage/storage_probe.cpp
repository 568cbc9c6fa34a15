// A helper for the h5py interop tests (not a test itself):
//   storage_probe write-samples DIR   every dtype through every compression, with the source bytes
//                                     beside each file (DTYPE.raw), for h5py to check
//   storage_probe dump FILE[:/ds] OUT.raw [THREADS]
//                                     reads the dataset through InputDataset::read_box in small
//                                     boxes that straddle chunks, on several threads, and writes
//                                     its bytes in C order
//   storage_probe copy IN[:/ds] OUT:/ds S0,S1,...
//                                     copies a dataset chunk by chunk with zstd, its attributes
//                                     copied and voxel sizes scaled by S (one per axis)
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zs = zoomflow::storage;
using namespace zoomflow;

namespace {

const Shape kSampleShape{23, 40, 33};
const Shape kSampleChunks{8, 16, 16};

// Random values of every kind, with the first chunk left zero (a fill chunk, not stored).
Volume sample_values(DType dtype, std::uint64_t seed) {
  Volume volume = Volume::zeros(dtype, kSampleShape).value();
  std::mt19937_64 random(seed);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto view = volume.view().as<T>();
    zs::for_each_index(Box::from_shape(kSampleShape), [&](const IndexVector& i) {
      if (i[0] < 8 && i[1] < 16 && i[2] < 16) return;
      const std::uint64_t r = random();
      T value;
      if (dtype == DType::kBool)
        value = T(r & 1);
      else if constexpr (std::is_floating_point_v<T>)
        value = r % 101 == 0 ? T(NAN) : T(std::ldexp(double(std::int64_t(r)), -40));
      else
        std::memcpy(&value, &r, sizeof value);
      view[i] = value;
    });
  });
  return volume;
}

bool write_raw(const std::string& file, std::span<const std::byte> bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return bool(out);
}

int fail(const Error& error) {
  std::fprintf(stderr, "storage_probe: %s\n", error.message.c_str());
  return 1;
}

int write_samples(const std::string& folder) {
  const char* codecs[] = {"zstd:1", "zstd:9", "gzip:6", "none"};
  for (DType dtype : kAllDTypes) {
    const Volume values = sample_values(dtype, 1234 + std::uint64_t(dtype));
    const std::string name = std::string(dtype_name(dtype));
    if (!write_raw(folder + "/" + name + ".raw", values.bytes())) return 1;
    for (const char* codec : codecs) {
      zs::OutputOptions options;
      options.shape = kSampleShape;
      options.dtype = dtype;
      options.chunk_shape = kSampleChunks;
      options.compression = zs::parse_compression(codec).value();
      std::string file = folder + "/" + name + "_" + std::string(codec).substr(0, 4) + "_" +
                         std::to_string(options.compression.level) + ".h5";
      auto output = zs::OutputDataset::create({file, "/data"}, options);
      if (!output.ok()) return fail(output.error());
      const zs::ChunkGrid grid(kSampleShape, kSampleChunks);
      Status status;
      zs::for_each_index(Box::from_shape(grid.grid_shape()), [&](const IndexVector& g) {
        const Box box = grid.chunk_box(g);
        auto chunk = output->encode_chunk(box.origin, values.view().subview(box));
        if (status.ok()) status = chunk.ok() ? output->write_chunk(*chunk) : Status(chunk.error());
      });
      if (!status.ok()) return fail(status.error());
      if (const Status s = output->commit(); !s.ok()) return fail(s.error());
    }
  }
  return 0;
}

int dump(const std::string& path_text, const std::string& raw_file, int threads) {
  const auto path = zs::parse_dataset_path(path_text);
  if (!path.ok()) return fail(path.error());
  zs::InputOptions options;
  options.chunk_cache_bytes = 1 << 20;
  const auto input = zs::InputDataset::open(*path, options);
  if (!input.ok()) return fail(input.error());
  const zs::DatasetInfo& info = input->info();
  Volume volume = Volume::zeros(info.dtype, info.shape).value();
  // Boxes of 7 x 11 x 5 ... voxels: they straddle chunk edges; neighbouring boxes share chunks.
  Shape block = info.shape;
  const Index sides[] = {7, 11, 5};
  for (int a = 0; a < block.rank(); ++a) block[a] = sides[a % 3];
  const zs::ChunkGrid blocks(info.shape, block);
  std::vector<Box> boxes;
  zs::for_each_index(Box::from_shape(blocks.grid_shape()),
                     [&](const IndexVector& g) { boxes.push_back(blocks.chunk_box(g)); });
  std::vector<Status> results(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (std::size_t i = std::size_t(t); i < boxes.size(); i += std::size_t(threads)) {
        // A strided destination: the box inside the whole volume.
        const Status s = input->read_box(boxes[i], volume.view().subview(boxes[i]));
        if (!s.ok() && results[std::size_t(t)].ok()) results[std::size_t(t)] = s;
      }
    });
  for (auto& w : workers) w.join();
  for (const Status& s : results)
    if (!s.ok()) return fail(s.error());
  return write_raw(raw_file, volume.bytes()) ? 0 : 1;
}

std::vector<double> parse_scales(const std::string& text) {
  std::vector<double> scales;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(',', start);
    scales.push_back(std::stod(text.substr(start, comma - start)));
    start = comma == std::string::npos ? text.size() : comma + 1;
  }
  return scales;
}

int copy(const std::string& from, const std::string& to, const std::string& scales) {
  const auto input = zs::InputDataset::open(zs::parse_dataset_path(from).value());
  if (!input.ok()) return fail(input.error());
  const zs::DatasetInfo& info = input->info();
  zs::OutputOptions options;
  options.shape = info.shape;
  options.dtype = info.dtype;
  options.copy_attributes_from = &*input;
  options.voxel_size_scale = parse_scales(scales);
  options.provenance = {{"zoomflow_zoom", "probe copy"}};
  auto output = zs::OutputDataset::create(zs::parse_dataset_path(to).value(), options);
  if (!output.ok()) return fail(output.error());
  const zs::ChunkGrid grid(info.shape, output->chunk_shape());
  Status status;
  zs::for_each_index(Box::from_shape(grid.grid_shape()), [&](const IndexVector& g) {
    const Box box = grid.chunk_box(g);
    Volume values = Volume::allocate(info.dtype, box.extent).value();
    if (status.ok()) status = input->read_box(box, values.view());
    if (!status.ok()) return;
    auto chunk = output->encode_chunk(box.origin, values.view());
    status = chunk.ok() ? output->write_chunk(*chunk) : Status(chunk.error());
  });
  if (!status.ok()) return fail(status.error());
  const Status committed = output->commit();
  return committed.ok() ? 0 : fail(committed.error());
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "write-samples") return write_samples(args[1]);
  if ((args.size() == 3 || args.size() == 4) && args[0] == "dump")
    return dump(args[1], args[2], args.size() == 4 ? std::stoi(args[3]) : 3);
  if (args.size() == 4 && args[0] == "copy") return copy(args[1], args[2], args[3]);
  std::fprintf(stderr,
               "usage: storage_probe write-samples DIR | dump FILE[:/ds] OUT.raw [THREADS] "
               "| copy IN OUT SCALES\n");
  return 2;
}
