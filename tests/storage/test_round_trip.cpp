// Every dtype through every compression: written chunk by chunk (encoded on several threads),
// read back whole and in boxes that straddle chunks, into contiguous and strided views.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "temp_folder.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

namespace {

Index offset_of(const IndexVector& strides, const IndexVector& index) {
  Index offset = 0;
  for (int a = 0; a < index.rank(); ++a) offset += index[a] * strides[a];
  return offset;
}

const Shape kShape{19, 34, 21};
const Shape kChunks{8, 16, 16};

// Random bytes (bool: 0/1); the first chunk stays zero, so it is a fill chunk.
Volume random_volume(DType dtype, unsigned seed) {
  Volume v = Volume::zeros(dtype, kShape).value();
  std::mt19937 random(seed);
  const std::size_t size = dtype_size(dtype);
  for_each_index(Box::from_shape(kShape), [&](const IndexVector& i) {
    if (i[0] < 8 && i[1] < 16 && i[2] < 16) return;
    std::byte* element = v.view().data() + offset_of(v.view().strides(), i) * Index(size);
    for (std::size_t k = 0; k < size; ++k) element[k] = std::byte(random() & 0xff);
    if (dtype == DType::kBool) element[0] &= std::byte{1};
  });
  return v;
}

const Shape kShards{16, 32, 32};

void write_volume(const std::string& file, const Volume& values, const CompressionSpec& codec,
                  StorageFormat format = StorageFormat::kAuto, const Shape& shards = {}) {
  OutputOptions options;
  options.shape = values.shape();
  options.dtype = values.dtype();
  options.chunk_shape = kChunks;
  options.compression = codec;
  options.format = format;
  options.shard_shape = shards;
  auto output = OutputDataset::create({file, "/volume"}, options);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  CHECK(output->write_shape() == (shards.rank() > 0 ? shards : kChunks));
  CHECK(output->parallel_writes() ==
        (format != StorageFormat::kHdf5 && format != StorageFormat::kAuto));
  const ChunkGrid grid(options.shape, output->write_shape());
  // Two threads encode alternate units (encode_chunk is thread-safe); they also write them where
  // the format takes parallel writes, else one thread writes.
  std::vector<EncodedChunk> encoded(std::size_t(grid.num_chunks()));
  std::vector<Box> boxes;
  for_each_index(Box::from_shape(grid.grid_shape()),
                 [&](const IndexVector& g) { boxes.push_back(grid.chunk_box(g)); });
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (std::size_t t = 0; t < 2; ++t)
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < boxes.size(); i += 2) {
        encoded[i] = output->encode_chunk(boxes[i].origin, values.view().subview(boxes[i])).value();
        if (output->parallel_writes() && !output->write_chunk(encoded[i]).ok()) ++failures;
      }
    });
  for (auto& w : workers) w.join();
  CHECK(failures == 0);
  if (shards.rank() == 0) CHECK(encoded[0].is_fill());
  if (!output->parallel_writes())
    for (const EncodedChunk& chunk : encoded) REQUIRE(output->write_chunk(chunk).ok());
  REQUIRE(output->commit().ok());
}

bool same_bytes(ConstArrayView a, ConstArrayView b) {
  bool same = a.shape() == b.shape() && a.dtype() == b.dtype();
  const std::size_t size = dtype_size(a.dtype());
  if (same)
    for_each_index(Box::from_shape(a.shape()), [&](const IndexVector& i) {
      same = same && std::memcmp(a.data() + offset_of(a.strides(), i) * Index(size),
                                 b.data() + offset_of(b.strides(), i) * Index(size), size) == 0;
    });
  return same;
}

}  // namespace

TEST_CASE("every dtype through every compression reads back bit for bit") {
  testing::TempFolder folder;
  const char* codecs[] = {"zstd:1", "zstd:5", "gzip:4", "gzip:1", "none"};
  for (DType dtype : kAllDTypes) {
    const Volume values = random_volume(dtype, 17 + unsigned(dtype));
    for (const char* codec_text : codecs) {
      CAPTURE(dtype_name(dtype));
      CAPTURE(codec_text);
      const CompressionSpec codec = parse_compression(codec_text).value();
      const std::string file =
          folder.file(std::string(dtype_name(dtype)) + "_" + std::to_string(int(codec.codec)) +
                      "_" + std::to_string(codec.level) + ".h5");
      write_volume(file, values, codec);

      const auto input = InputDataset::open({file, ""});
      REQUIRE_MESSAGE(input.ok(), input.error().message);
      const DatasetInfo& info = input->info();
      CHECK(info.path.dataset == "/volume");
      CHECK(info.dtype == dtype);
      CHECK(info.shape == kShape);
      CHECK(info.chunked);
      CHECK(info.chunk_shape == kChunks);
      const unsigned expected_filter = codec.codec == Codec::kZstd ? kZstdFilterId : 1;
      REQUIRE(info.filters.size() == (codec.codec == Codec::kNone ? 0u : 1u));
      if (!info.filters.empty()) CHECK(info.filters[0].id == expected_filter);

      Volume whole = Volume::allocate(dtype, kShape).value();
      REQUIRE(input->read_box(Box::from_shape(kShape), whole.view()).ok());
      CHECK(same_bytes(whole.view(), values.view()));

      // A box across chunk edges, into a strided view (a window of a larger array).
      const Box box{{5, 9, 3}, {9, 20, 15}};
      Volume big = Volume::zeros(dtype, {12, 25, 18}).value();
      const ArrayView window = big.view().subview(Box{{2, 3, 1}, box.extent});
      REQUIRE(input->read_box(box, window).ok());
      CHECK(same_bytes(window, values.view().subview(box)));
    }
  }
}

TEST_CASE("every dtype through every compression and every format reads back bit for bit") {
  testing::TempFolder folder;
  struct Layout {
    const char* suffix;
    StorageFormat format;
    Shape shards;
  };
  const Layout layouts[] = {{".zarr", StorageFormat::kZarr3, {}},
                            {".zarr", StorageFormat::kZarr2, {}},
                            {".zarr", StorageFormat::kZarr3, kShards},
                            {".n5", StorageFormat::kN5, {}}};
  const char* codecs[] = {"zstd:1", "gzip:4", "blosc:lz4:5:shuffle", "blosc:zstd:3:bitshuffle",
                          "none"};
  int n = 0;
  for (DType dtype : kAllDTypes) {
    const Volume values = random_volume(dtype, 31 + unsigned(dtype));
    for (const Layout& layout : layouts) {
      if (layout.format == StorageFormat::kN5 && dtype == DType::kBool) continue;
      const char* codec_text = codecs[n++ % 5];
      CAPTURE(dtype_name(dtype));
      CAPTURE(codec_text);
      CAPTURE(storage_format_name(layout.format));
      CAPTURE(layout.shards.rank());
      std::string name = "v";
      name += std::to_string(n);
      name += layout.suffix;
      const std::string file = folder.file(name);
      write_volume(file, values, parse_compression(codec_text).value(), layout.format,
                   layout.shards);
      const auto input = InputDataset::open({file, "/volume"});
      REQUIRE_MESSAGE(input.ok(), input.error().message);
      const DatasetInfo& info = input->info();
      CHECK(info.format == layout.format);
      CHECK(info.dtype == dtype);
      CHECK(info.shape == kShape);
      CHECK(info.chunk_shape == kChunks);
      CHECK(info.shard_shape == layout.shards);
      Volume whole = Volume::allocate(dtype, kShape).value();
      REQUIRE(input->read_box(Box::from_shape(kShape), whole.view()).ok());
      CHECK(same_bytes(whole.view(), values.view()));
      const Box box{{5, 9, 3}, {9, 20, 15}};
      Volume big = Volume::zeros(dtype, {12, 25, 18}).value();
      const ArrayView window = big.view().subview(Box{{2, 3, 1}, box.extent});
      REQUIRE(input->read_box(box, window).ok());
      CHECK(same_bytes(window, values.view().subview(box)));
    }
  }
}

TEST_CASE("chunks that are all zero are not stored") {
  testing::TempFolder folder;
  const Volume zeros = Volume::zeros(DType::kUInt16, kShape).value();
  write_volume(folder.file("zeros.h5"), zeros, {Codec::kZstd, 1});
  const auto input = InputDataset::open({folder.file("zeros.h5"), "/volume"});
  REQUIRE(input.ok());
  CHECK(input->info().storage_bytes == 0);
  Volume back = Volume::allocate(DType::kUInt16, kShape).value();
  REQUIRE(input->read_box(Box::from_shape(kShape), back.view()).ok());
  CHECK(same_bytes(back.view(), zeros.view()));
}

TEST_CASE("reads from many threads with a small chunk cache agree with the data") {
  testing::TempFolder folder;
  const Volume values = random_volume(DType::kFloat32, 99);
  write_volume(folder.file("f.h5"), values, {Codec::kZstd, 3});
  for (std::uint64_t cache : {std::uint64_t(0), std::uint64_t(20000), std::uint64_t(1) << 24}) {
    CAPTURE(cache);
    InputOptions options;
    options.chunk_cache_bytes = cache;
    const auto input = InputDataset::open({folder.file("f.h5"), "/volume"}, options);
    REQUIRE(input.ok());
    Volume back = Volume::zeros(DType::kFloat32, kShape).value();
    const ChunkGrid boxes(kShape, {3, 5, 7});  // boxes smaller than chunks, across their edges
    std::vector<Box> all;
    for_each_index(Box::from_shape(boxes.grid_shape()),
                   [&](const IndexVector& g) { all.push_back(boxes.chunk_box(g)); });
    std::vector<int> failures(4, 0);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < 4; ++t)
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < all.size(); i += 4)
          failures[t] += input->read_box(all[i], back.view().subview(all[i])).ok() ? 0 : 1;
      });
    for (auto& w : workers) w.join();
    CHECK(failures == std::vector<int>(4, 0));
    CHECK(same_bytes(back.view(), values.view()));
  }
}

TEST_CASE("read_box and encode_chunk reject boxes and views that do not fit") {
  testing::TempFolder folder;
  const Volume values = random_volume(DType::kInt16, 5);
  write_volume(folder.file("i.h5"), values, {Codec::kNone, 0});
  const auto input = InputDataset::open({folder.file("i.h5"), "/volume"});
  REQUIRE(input.ok());
  Volume small = Volume::allocate(DType::kInt16, {2, 2, 2}).value();
  CHECK(input->read_box(Box{{18, 0, 0}, {2, 2, 2}}, small.view()).error().code ==
        ErrorCode::kInvalidArgument);
  CHECK(!input->read_box(Box{{0, 0, 0}, {2, 2, 3}}, small.view()).ok());
  Volume wrong_type = Volume::allocate(DType::kUInt16, {2, 2, 2}).value();
  CHECK(!input->read_box(Box{{0, 0, 0}, {2, 2, 2}}, wrong_type.view()).ok());

  OutputOptions options;
  options.shape = kShape;
  options.dtype = DType::kInt16;
  options.chunk_shape = kChunks;
  auto output = OutputDataset::create({folder.file("o.h5"), "/x"}, options);
  REQUIRE(output.ok());
  CHECK(!output->encode_chunk({1, 0, 0}, small.view()).ok());  // not a chunk origin
  CHECK(!output->encode_chunk({0, 0, 0}, small.view()).ok());  // not the chunk's shape
  // The edge chunk at (16, 32, 16) is clipped to (3, 2, 5).
  Volume edge = Volume::zeros(DType::kInt16, {3, 2, 5}).value();
  CHECK(output->encode_chunk({16, 32, 16}, edge.view()).ok());
}
