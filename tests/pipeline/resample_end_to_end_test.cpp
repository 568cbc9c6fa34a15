// Out of core equals in memory, byte for byte; and the same bytes whatever the chunks,
// threads, memory limit or block layout.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <random>

#include "test_datasets.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/resample.hpp"

using namespace zoomflow;
using namespace zoomflow::testing;

namespace {

storage::DatasetPath at(const TempFolder& folder, const std::string& file, const std::string& ds) {
  return {(folder / file).string(), ds};
}

Result<RunReport> run(const storage::DatasetPath& in, const storage::DatasetPath& out,
                      std::vector<double> zoom, Interpolation order, Grid grid, Shape chunks = {},
                      RunOptions options = {}) {
  ResampleRequest request;
  request.input = in;
  request.output = out;
  request.zoom = std::move(zoom);
  request.interpolation = order;
  request.grid = grid;
  request.chunk_shape = chunks;
  request.overwrite = true;
  return resample_dataset(request, options);
}

}  // namespace

TEST_CASE("out of core equals the in-memory kernel for every dtype, both orders and grids") {
  TempFolder folder;
  std::mt19937_64 rng(2024);
  const std::vector<std::vector<double>> zooms3 = {{2, 2, 2}, {0.5, 0.7, 1.3}, {1.7, 3, 0.34}};
  const std::vector<std::vector<double>> zooms2 = {{2.5, 0.4}, {4, 4}};
  int cases = 0;
  for (DType dtype : kAllDTypes) {
    for (int rank : {2, 3}) {
      const Shape shape =
          rank == 3 ? Shape{Index(9 + rng() % 12), Index(7 + rng() % 15), Index(5 + rng() % 20)}
                    : Shape{Index(20 + rng() % 30), Index(15 + rng() % 40)};
      const Volume input = random_volume(dtype, shape, rng);
      const auto in = at(folder, "in.h5", "/data");
      write_volume(in, input, rank == 3 ? Shape{4, 5, 6} : Shape{7, 9});
      for (const auto& factors : rank == 3 ? zooms3 : zooms2) {
        for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
          if (dtype == DType::kBool && order == Interpolation::kLinear) continue;
          for (Grid grid : {Grid::kCenters, Grid::kCorners}) {
            const auto out = at(folder, "out.h5", "/zoomed");
            RunOptions options;
            options.memory_limit = std::uint64_t(1) << 20;  // many small blocks
            auto report = run(in, out, factors, order, grid, Shape{}, options);
            REQUIRE_MESSAGE(report.ok(), report.error().message);
            auto expected = zoom(input.view(), factors, order, grid);
            REQUIRE(expected.ok());
            CAPTURE(dtype_name(dtype));
            CAPTURE(to_string(shape));
            CHECK(same_bytes(read_volume(out), *expected));
            ++cases;
          }
        }
      }
    }
  }
  CHECK(cases > 100);
}

TEST_CASE("chunks, threads, memory limit and block layout do not change a single byte") {
  TempFolder folder;
  std::mt19937_64 rng(99);
  const Shape shape{37, 29, 41};
  for (DType dtype : {DType::kUInt16, DType::kFloat32, DType::kInt64}) {
    const Volume input = random_volume(dtype, shape, rng);
    const auto in = at(folder, "in.h5", "/v");
    write_volume(in, input, Shape{8, 8, 8});
    for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
      std::optional<Volume> first;
      struct Variant {
        Shape chunks;
        int threads;
        std::uint64_t limit;
        BlockLayout layout;
      };
      const Variant variants[] = {
          {{}, 0, std::uint64_t(1) << 30, BlockLayout::kBricks},
          {{5, 7, 3}, 1, std::uint64_t(64) << 10, BlockLayout::kBricks},
          {{16, 16, 16}, 2, std::uint64_t(2) << 20, BlockLayout::kSlabs},
          {{64, 1, 13}, 2, std::uint64_t(300) << 10, BlockLayout::kBricks},
      };
      for (const Variant& v : variants) {
        RunOptions options;
        options.threads = v.threads;
        options.memory_limit = v.limit;
        options.layout = v.layout;
        const auto out = at(folder, "out.h5", "/z");
        auto report = run(in, out, {1.6, 2.3, 0.8}, order, Grid::kCenters, v.chunks, options);
        REQUIRE_MESSAGE(report.ok(), report.error().message);
        Volume result = read_volume(out);
        if (!first)
          first = std::move(result);
        else
          CHECK(same_bytes(result, *first));
      }
    }
  }
}

TEST_CASE("constant blocks take the shortcut and still equal the kernel") {
  TempFolder folder;
  // Mostly one value with a small noisy corner: most blocks are constant.
  const Shape shape{40, 40, 40};
  Volume input = Volume::allocate(DType::kFloat32, shape).value();
  float* data = reinterpret_cast<float*>(input.bytes().data());
  std::mt19937_64 rng(5);
  for (Index i = 0; i < input.num_elements(); ++i) data[i] = 3.25f;
  for (Index z = 0; z < 6; ++z)
    for (Index y = 0; y < 6; ++y)
      for (Index x = 0; x < 6; ++x) data[(z * 40 + y) * 40 + x] = float(rng() % 100);
  const auto in = at(folder, "in.h5", "/v");
  write_volume(in, input, Shape{8, 8, 8});
  for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
    const auto out = at(folder, "out.h5", "/z");
    RunOptions options;
    options.memory_limit = std::uint64_t(1) << 20;
    auto report = run(in, out, {2, 2, 2}, order, Grid::kCenters, Shape{16, 16, 16}, options);
    REQUIRE_MESSAGE(report.ok(), report.error().message);
    CHECK(report->constant_blocks > 0);
    const double factors[] = {2, 2, 2};
    auto expected = zoom(input.view(), factors, order, Grid::kCenters);
    REQUIRE(expected.ok());
    CHECK(same_bytes(read_volume(out), *expected));
  }
}

TEST_CASE("a corrupt input chunk fails the run, names the chunk, and leaves no output") {
  TempFolder folder;
  std::mt19937_64 rng(3);
  const Shape shape{24, 24, 24};
  const Volume input = random_volume(DType::kUInt8, shape, rng);
  const auto in = at(folder, "in.h5", "/v");
  {
    storage::OutputOptions options;
    options.shape = shape;
    options.dtype = DType::kUInt8;
    options.chunk_shape = Shape{8, 8, 8};
    auto output = storage::OutputDataset::create(in, options);
    REQUIRE(output.ok());
    storage::EncodedChunk garbage{IndexVector{8, 8, 8},
                                  std::vector<std::byte>(100, std::byte{0x5a})};
    REQUIRE(output->write_chunk(garbage).ok());
    REQUIRE(output->commit().ok());
  }
  const auto out = at(folder, "out.h5", "/z");
  auto report = run(in, out, {2, 2, 2}, Interpolation::kNearest, Grid::kCenters);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().message.find("in.h5") != std::string::npos);
  CHECK(!std::filesystem::exists(out.file));
  for (const auto& entry : std::filesystem::directory_iterator(folder.path()))
    CHECK(entry.path().filename() == "in.h5");  // no temporary left behind
}

TEST_CASE(
    "a cancelled run leaves no output, and a new dataset in an existing file appears only when "
    "complete") {
  TempFolder folder;
  std::mt19937_64 rng(4);
  const Volume input = random_volume(DType::kInt16, Shape{32, 32, 32}, rng);
  const auto in = at(folder, "in.h5", "/v");
  write_volume(in, input, Shape{8, 8, 8});
  std::atomic<bool> cancel{true};
  RunOptions options;
  options.cancel = &cancel;
  auto report = run(in, at(folder, "out.h5", "/z"), {2, 2, 2}, Interpolation::kLinear,
                    Grid::kCenters, Shape{}, options);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == ErrorCode::kCancelled);
  CHECK(!std::filesystem::exists(folder / "out.h5"));
  // Into the input's own file, as a second dataset: cancelled, the file keeps only /v.
  auto into_input = run(in, at(folder, "in.h5", "/zoomed"), {2, 2, 2}, Interpolation::kLinear,
                        Grid::kCenters, Shape{}, options);
  REQUIRE_FALSE(into_input.ok());
  auto reopened = storage::InputDataset::open(at(folder, "in.h5", "/zoomed"));
  CHECK_FALSE(reopened.ok());
  CHECK(same_bytes(read_volume(in), input));  // the input is untouched
}

TEST_CASE("bad requests are refused before any file is created") {
  TempFolder folder;
  std::mt19937_64 rng(6);
  const Volume mask = random_volume(DType::kBool, Shape{8, 8, 8}, rng);
  const auto in = at(folder, "in.h5", "/m");
  write_volume(in, mask, Shape{4, 4, 4});
  const auto out = at(folder, "out.h5", "/z");
  auto linear_bool = run(in, out, {2, 2, 2}, Interpolation::kLinear, Grid::kCenters);
  REQUIRE_FALSE(linear_bool.ok());
  CHECK(linear_bool.error().code == ErrorCode::kInvalidArgument);
  auto wrong_rank = run(in, out, {2, 2}, Interpolation::kNearest, Grid::kCenters);
  REQUIRE_FALSE(wrong_rank.ok());
  CHECK(wrong_rank.error().code == ErrorCode::kInvalidArgument);
  auto same = run(in, in, {2, 2, 2}, Interpolation::kNearest, Grid::kCenters);
  REQUIRE_FALSE(same.ok());
  CHECK(same.error().code == ErrorCode::kInvalidArgument);
  auto no_folder = run(in, at(folder, "missing/out.h5", "/z"), {2, 2, 2}, Interpolation::kNearest,
                       Grid::kCenters);
  REQUIRE_FALSE(no_folder.ok());
  CHECK(no_folder.error().code == ErrorCode::kInvalidArgument);
  CHECK(!std::filesystem::exists(out.file));
}
