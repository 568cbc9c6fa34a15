// Downsampling on the engine and pyramids: the downsample step and `resample --method` write the
// bytes of the kernel applied to the whole volume at once (which the kernel checks compare with
// TensorStore), for every cut, thread count and memory limit; the constant shortcut gives the
// kernel's own bytes (NaN, -0.0, rounded float means); anti-aliasing is its gaussian then its
// resampling; the pyramid's traversal visits every unit once, in nested order; write units
// assembled from any parts on any threads hold those parts; every level of a pyramid equals the
// direct reduction of the input, in every format, however it is cut and run.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/core.h>

#include "../../pipeline/src/downsample_constant.hpp"
#include "../../pipeline/src/pyramid_assembly.hpp"
#include "chain_test_runs.hpp"
#include "test_datasets.hpp"
#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/downsample.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/pipeline/pyramid.hpp"
#include "zoomflow/pipeline/pyramid_order.hpp"
#include "zoomflow/pipeline/resample.hpp"

using namespace zoomflow;
using namespace zoomflow::testing;

namespace {

// Random values with runs of one value (whole constant blocks and regions, for the shortcut)
// and, for floats, NaN, -0.0 and infinities.
Volume test_volume(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Volume volume = random_volume(dtype, shape, rng);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* data = reinterpret_cast<T*>(volume.bytes().data());
    const Index n = volume.num_elements();
    // The first third one value (constant units and blocks), then small labels, then noise.
    const T constant = data[0];
    for (Index i = 0; i < n / 3; ++i) data[i] = constant;
    for (Index i = n / 3; i < 2 * n / 3; ++i) data[i] = T(rng() % 3);
    if constexpr (std::is_floating_point_v<T>) {
      const T special[] = {std::numeric_limits<T>::quiet_NaN(), T(-0.0),
                           std::numeric_limits<T>::infinity(), T(0.1)};
      for (Index i = n / 3; i < n; ++i)
        if (rng() % 13 == 0) data[i] = special[rng() % 4];
    }
  });
  return volume;
}

// The kernel on the whole volume at once.
Volume reduce_whole(const Volume& input, const Shape& factors, ReduceMethod method) {
  const DownsampleSpec spec{input.shape(), factors, method};
  Volume output = Volume::allocate(input.dtype(), spec.output_shape()).value();
  Workspace workspace;
  const Status status =
      downsample_box(spec, input.view(), IndexVector::filled(input.shape().rank(), 0),
                     output.view(), Box::from_shape(output.shape()), workspace);
  REQUIRE_MESSAGE(status.ok(), status.error().message);
  return output;
}

// "downsample:factors=A,B,C,method=M"
std::string fmt_factors(const Shape& factors, ReduceMethod method) {
  std::string list;
  for (int a = 0; a < factors.rank(); ++a) list += fmt::format("{}{}", a ? "," : "", factors[a]);
  return fmt::format("downsample:factors={},method={}", list, reduce_method_name(method));
}

// Every element of `values` has the bytes of `value`.
bool all_equal_to(ConstArrayView values, const Scalar& value) {
  Volume copy = Volume::allocate(values.dtype(), values.shape()).value();
  REQUIRE(convert_array(values, copy.view()).ok());
  const std::size_t size = dtype_size(values.dtype());
  for (Index i = 0; i < copy.num_elements(); ++i)
    if (std::memcmp(copy.bytes().data() + std::size_t(i) * size, value.bytes.data(), size) != 0)
      return false;
  return true;
}

}  // namespace

TEST_CASE("the constant shortcut of a downsampling gives the kernel's own bytes") {
  std::mt19937_64 rng(11);
  int checked = 0, predicted = 0;
  for (DType dtype : kAllDTypes) {
    std::vector<Scalar> values;
    visit_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        for (T v : {T(0.1), T(-0.0), T(0.0), std::numeric_limits<T>::quiet_NaN(),
                    std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(),
                    T(1e30), T(-3.7)})
          values.push_back(Scalar::of(dtype, v));
      } else if (dtype == DType::kBool) {
        values.push_back(Scalar::of(dtype, true));
        values.push_back(Scalar::of(dtype, false));
      } else {
        values.push_back(Scalar::of(dtype, std::numeric_limits<T>::max()));
        values.push_back(Scalar::of(dtype, std::numeric_limits<T>::lowest()));
        values.push_back(Scalar::of(dtype, T(7)));
      }
    });
    for (ReduceMethod method : kAllReduceMethods)
      for (const Scalar& value : values)
        for (int trial = 0; trial < 6; ++trial) {
          const int rank = 1 + int(rng() % 3);
          Shape shape, factors;
          for (int a = 0; a < rank; ++a) {
            shape.push_back(Index(1 + rng() % 13));
            factors.push_back(trial == 0 ? 1 : Index(1 + rng() % 5));
          }
          const DownsampleSpec spec{shape, factors, method};
          Volume input = Volume::allocate(dtype, shape).value();
          for (Index i = 0; i < input.num_elements(); ++i)
            std::memcpy(input.bytes().data() + std::size_t(i) * dtype_size(dtype),
                        value.bytes.data(), dtype_size(dtype));
          const Volume output = reduce_whole(input, factors, method);
          // Every box of the output: its first voxel and its last, or the whole.
          for (const Box& box : {Box::from_shape(output.shape()),
                                 Box{IndexVector::filled(rank, 0), IndexVector::filled(rank, 1)},
                                 Box{[&] {
                                       IndexVector last = output.shape();
                                       for (int a = 0; a < rank; ++a) last[a] -= 1;
                                       return last;
                                     }(),
                                     IndexVector::filled(rank, 1)}}) {
            const std::optional<Scalar> c = detail::downsample_constant(spec, value, box);
            ++checked;
            if (!c) continue;  // allowed: the run then computes the box
            ++predicted;
            CAPTURE(dtype_name(dtype));
            CAPTURE(reduce_method_name(method));
            CAPTURE(to_string(shape));
            CAPTURE(to_string(factors));
            CAPTURE(to_string(box));
            CHECK(all_equal_to(output.view().subview(box), *c));
          }
        }
  }
  // Only float means over blocks of different sizes may go without a prediction.
  CHECK(predicted > checked * 9 / 10);
}

TEST_CASE("the downsample step and resample --method write the kernel's bytes for every cut") {
  TempFolder folder;
  std::mt19937_64 rng(2024);
  int cases = 0;
  for (DType dtype : kAllDTypes)
    for (ReduceMethod method : kAllReduceMethods) {
      const Shape shape{Index(9 + rng() % 20), Index(5 + rng() % 20), Index(3 + rng() % 30)};
      const Shape factors{Index(1 + rng() % 5), Index(1 + rng() % 5), Index(1 + rng() % 5)};
      const Volume input = test_volume(dtype, shape, rng);
      const auto in = at(folder, "in.h5");
      write_volume(in, input, Shape{7, 5, 6});
      const Volume expected = reduce_whole(input, factors, method);
      CAPTURE(dtype_name(dtype));
      CAPTURE(reduce_method_name(method));
      CAPTURE(to_string(shape));
      CAPTURE(to_string(factors));
      // resample --method ... --factors
      ResampleRequest request;
      request.input = in;
      request.output = at(folder, "resample.h5");
      request.method = method;
      request.factors = std::vector<Index>(factors.begin(), factors.end());
      request.overwrite = true;
      auto resampled = resample_dataset(request, options_of(2, std::uint64_t(64) << 20));
      REQUIRE_MESSAGE(resampled.ok(), resampled.error().message);
      CHECK(same_bytes(read_volume(request.output), expected));
      // The step, parsed as written, in other chunks, threads and memory limits.
      auto step = parse_step(fmt_factors(factors, method));
      REQUIRE_MESSAGE(step.ok(), step.error().message);
      // (Zarr writes a file per chunk: few of them, the disk of a shared machine is slow.)
      for (const auto& [file, chunks] :
           {std::pair{"chain.h5", Shape{2, 3, 5}}, std::pair{"chain.zarr", Shape{4, 64, 64}}}) {
        const Volume by_chain =
            run_chain_volume(in, at(folder, file), {*step}, chunks,
                             options_of(1 + int(rng() % 3), std::uint64_t(8) << 20));
        CHECK(same_bytes(by_chain, expected));
      }
      ++cases;
    }
  CHECK(cases == 66);
}

TEST_CASE("anti-aliasing is the gaussian of sigma (n/m - 1)/2, then the resampling, in one step") {
  TempFolder folder;
  std::mt19937_64 rng(5);
  const Shape shape{23, 17, 40};
  const Volume input = random_volume(DType::kFloat32, shape, rng);
  const auto in = at(folder, "in.h5");
  write_volume(in, input, Shape{8, 8, 8});
  for (Interpolation order : {Interpolation::kLinear, Interpolation::kCubic}) {
    const std::vector<double> zoom{0.5, 1.0, 0.3};
    // m = round_half_even(n * zoom): 12 (23 / 12), 17, 12 (40 / 12).
    const std::vector<double> sigma{(23.0 / 12.0 - 1) / 2, 0.0, (40.0 / 12.0 - 1) / 2};
    ResampleStepSpec spec{zoom, {}, order};
    ResampleStepSpec smoothed = spec;
    smoothed.antialias = true;
    // Two steps, float64 between them, the volume whole: the reference.
    const Volume two_steps =
        run_chain_volume(in, at(folder, "two.h5"), {gaussian_step(sigma), resample_step(spec)},
                         Shape{64, 64, 64}, options_of(1, std::uint64_t(256) << 20));
    for (const Shape& chunks : {Shape{3, 5, 4}, Shape{12, 17, 12}}) {
      const Volume one_step = run_chain_volume(in, at(folder, "one.h5"), {resample_step(smoothed)},
                                               chunks, options_of(2, std::uint64_t(8) << 20));
      CHECK(same_bytes(one_step, two_steps));
    }
  }
  // Refused: order 0, another mode, nothing shrinking; and the GPU leaves it to the CPU.
  const StepGeometry geometry{shape, DType::kFloat32};
  for (const ResampleStepSpec& bad : {ResampleStepSpec{{0.5},
                                                       {},
                                                       Interpolation::kNearest,
                                                       Grid::kCenters,
                                                       BoundaryMode::kNearest,
                                                       0.0,
                                                       true,
                                                       true},
                                      ResampleStepSpec{{0.5},
                                                       {},
                                                       Interpolation::kLinear,
                                                       Grid::kCenters,
                                                       BoundaryMode::kMirror,
                                                       0.0,
                                                       true,
                                                       true},
                                      ResampleStepSpec{{1.0, 2.0, 1.0},
                                                       {},
                                                       Interpolation::kLinear,
                                                       Grid::kCenters,
                                                       BoundaryMode::kNearest,
                                                       0.0,
                                                       true,
                                                       true}}) {
    const auto refused = resample_step(bad)->output(geometry);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("anti-aliasing") != std::string::npos);
  }
  ResampleStepSpec fine{{0.5}, {}, Interpolation::kLinear};
  fine.antialias = true;
  CHECK_FALSE(resample_step_spec(*resample_step(fine), shape).has_value());
  auto parsed = parse_step("resample:zoom=0.5,order=1,antialias=1");
  REQUIRE(parsed.ok());
  CHECK((*parsed)->describe().find("antialias=1") != std::string::npos);
}

TEST_CASE("reductions on the command line's terms: --zoom 1/N, and what is refused") {
  auto three = factors_from_zoom({0.5, 1.0, 1.0 / 3.0});
  REQUIRE(three.ok());
  CHECK(*three == std::vector<Index>{2, 1, 3});
  auto bad = factors_from_zoom({0.4});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("--factors 2 or 3") != std::string::npos);
  CHECK_FALSE(factors_from_zoom({2.0}).ok());
  for (const char* text : {"downsample:factors=2", "downsample:factors=0,method=mean",
                           "downsample:factors=1.5,method=mean", "downsample:factors=2,method=avg",
                           "downsample:factors=2,method=mean,order=1"})
    CHECK_FALSE(parse_step(text).ok());
  auto step = parse_step("downsample:factors=2,2,1,method=mode");
  REQUIRE(step.ok());
  CHECK((*step)->describe() == "downsample:factors=2,2,1,method=mode");
  CHECK_FALSE((*step)->output({Shape{4, 4}, DType::kUInt8}).ok());  // 3 factors for rank 2
}

TEST_CASE("the pyramid traversal visits every unit once, the units of every cell in a row") {
  std::mt19937_64 rng(77);
  for (int trial = 0; trial < 40; ++trial) {
    const int rank = 1 + int(rng() % 3);
    Shape shape, unit;
    std::vector<Shape> footprints(1 + rng() % 4);
    for (int a = 0; a < rank; ++a) {
      shape.push_back(Index(1 + rng() % 70));
      unit.push_back(Index(1 + rng() % 9));
    }
    for (Shape& f : footprints)
      for (int a = 0; a < rank; ++a) f.push_back(Index(1 + rng() % 40));
    const PyramidOrder order(shape, unit, footprints);
    CAPTURE(to_string(shape));
    CAPTURE(to_string(unit));
    // Cells nest: each a multiple of the one before.
    for (std::size_t i = 1; i < order.cells().size(); ++i)
      for (int a = 0; a < rank; ++a) CHECK(order.cells()[i][a] % order.cells()[i - 1][a] == 0);
    std::set<std::vector<Index>> seen;
    Index voxels = 0;
    std::vector<Box> boxes;
    for (Index k = 0; k < order.count(); ++k) {
      const Box box = order.block(k);
      boxes.push_back(box);
      CHECK(seen.insert(std::vector<Index>(box.origin.begin(), box.origin.end())).second);
      for (int a = 0; a < rank; ++a) CHECK(box.origin[a] % unit[a] == 0);
      voxels += box.num_elements();
    }
    CHECK(voxels == num_elements(shape));
    // Asked out of order, the same boxes.
    if (order.count() > 3)
      CHECK(order.block(order.count() / 2) == boxes[std::size_t(order.count() / 2)]);
    // Every cell's units come one after another.
    for (const Shape& cell : order.cells()) {
      std::map<std::vector<Index>, std::pair<Index, Index>> span;  // first and last visit
      std::map<std::vector<Index>, Index> count;
      for (Index k = 0; k < Index(boxes.size()); ++k) {
        std::vector<Index> c;
        for (int a = 0; a < rank; ++a) c.push_back(boxes[std::size_t(k)].origin[a] / cell[a]);
        auto [it, fresh] = span.try_emplace(c, k, k);
        it->second.second = k;
        ++count[c];
      }
      for (const auto& [c, s] : span) CHECK(s.second - s.first + 1 == count[c]);
    }
  }
}

TEST_CASE("pyramid levels: --levels, --until-chunk, per-level factors, and what is refused") {
  auto until = pyramid_level_factors({1000, 300, 64}, {64, 64, 64}, {}, 0);
  REQUIRE(until.ok());
  CHECK(until->size() == 4);  // 1000 -> 500 -> 250 -> 125 -> 63
  auto anisotropic = pyramid_level_factors({100, 300, 300}, {64, 64, 64}, {{1, 2, 2}}, 0);
  REQUIRE(anisotropic.ok());
  CHECK(anisotropic->size() == 3);  // y and x: 300 -> 150 -> 75 -> 38; z is not reduced
  auto levels = pyramid_level_factors({64, 64}, {8, 8}, {{2}}, 5);
  REQUIRE(levels.ok());
  CHECK(*levels == std::vector<Shape>(4, Shape{2, 2}));
  auto each = pyramid_level_factors({64, 64}, {8, 8}, {{2, 1}, {1, 2}}, 3);
  REQUIRE(each.ok());
  CHECK((*each)[1] == Shape{1, 2});
  CHECK_FALSE(pyramid_level_factors({64, 64}, {8, 8}, {{2}, {2}}, 4).ok());
  CHECK_FALSE(pyramid_level_factors({64, 64}, {8, 8}, {{2}}, 1).ok());
  CHECK_FALSE(pyramid_level_factors({64, 64}, {8, 8}, {{2, 2, 2}}, 3).ok());
  CHECK_FALSE(pyramid_level_factors({8, 8}, {64, 64}, {}, 0).ok());  // fits in one chunk
}

TEST_CASE("write units assembled from parts on several threads hold the parts, zeros no buffer") {
  std::mt19937_64 rng(3);
  BufferPool pool;
  const Shape shape{37, 29, 41};
  const Shape unit{8, 16, 7};
  Volume source = random_volume(DType::kUInt16, shape, rng);
  // Zero a corner that covers whole write units: those must come out without a buffer.
  for (Index z = 0; z < 16; ++z)
    for (Index y = 0; y < 16; ++y)
      for (Index x = 0; x < 14; ++x)
        reinterpret_cast<std::uint16_t*>(source.bytes().data())[(z * 29 + y) * 41 + x] = 0;
  detail::WriteUnitAssembly assembly(shape, unit, DType::kUInt16, pool);
  // Parts: a grid of boxes of another shape, shuffled, deposited from four threads; constant
  // parts deposited as constants.
  const BlockGrid parts(shape, Shape{5, 6, 9});
  std::vector<Index> order(std::size_t(parts.count()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = Index(i);
  std::shuffle(order.begin(), order.end(), rng);
  std::mutex mutex;
  std::vector<detail::WriteUnitAssembly::Completed> completed;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (std::size_t i; (i = next++) < order.size();) {
        const Box box = parts.block(order[i]);
        std::vector<detail::WriteUnitAssembly::Completed> done;
        const ConstArrayView values = source.view().subview(box);
        const Status s = all_same_bytes(values)
                             ? assembly.deposit_constant(box, Scalar::first_of(values), done)
                             : assembly.deposit(box, values, done);
        REQUIRE(s.ok());
        std::lock_guard lock(mutex);
        for (auto& c : done) completed.push_back(std::move(c));
      }
    });
  for (std::thread& t : threads) t.join();
  CHECK(assembly.open_units() == 0);
  CHECK(completed.size() == std::size_t(BlockGrid(shape, unit).count()));
  int without_buffer = 0;
  for (const auto& c : completed) {
    if (!c.buffer.bytes) {
      ++without_buffer;
      CHECK(all_zero_bytes(source.view().subview(c.box)));
      continue;
    }
    Volume expected = Volume::allocate(DType::kUInt16, c.box.extent).value();
    REQUIRE(convert_array(source.view().subview(c.box), expected.view()).ok());
    CHECK(std::memcmp(expected.bytes().data(), c.values.data(), expected.size_bytes()) == 0);
  }
  CHECK(without_buffer == 2 * 1 * 2);  // the zeroed corner: 2 x 1 x 2 write units
}

TEST_CASE("every level of a pyramid is the direct reduction of the input, however it is run") {
  TempFolder folder;
  std::mt19937_64 rng(99);
  struct Format {
    const char* suffix;
    storage::StorageFormat format;
    const char* level_prefix;
  };
  const Format formats[] = {{".zarr", storage::StorageFormat::kZarr3, ""},
                            {".zarr", storage::StorageFormat::kZarr2, ""},
                            {".n5", storage::StorageFormat::kN5, "s"},
                            {".h5", storage::StorageFormat::kHdf5, ""}};
  int runs = 0;
  for (DType dtype : {DType::kUInt8, DType::kInt16, DType::kUInt64, DType::kFloat32, DType::kBool})
    for (ReduceMethod method : kAllReduceMethods) {
      const Shape shape{Index(20 + rng() % 30), Index(10 + rng() % 30), Index(15 + rng() % 40)};
      const Volume input = test_volume(dtype, shape, rng);
      const auto in = at(folder, "in.h5");
      write_volume(in, input, Shape{9, 7, 11});
      const std::vector<std::vector<Index>> factors =
          rng() % 2 ? std::vector<std::vector<Index>>{{2}}
                    : std::vector<std::vector<Index>>{{2, 2, 1}, {1, 3, 2}, {2}};
      const int levels = 4;
      for (int variant = 0; variant < 3; ++variant) {
        // HDF5 (one file) for most runs: the other formats write a file per chunk.
        const Format& format = formats[variant == 1 ? std::size_t(rng() % 3) : 3];
        if (dtype == DType::kBool && format.format == storage::StorageFormat::kN5) continue;
        PyramidRequest request;
        request.input = in;
        request.output =
            (folder / fmt::format("p{}{}{}", variant, storage::storage_format_name(format.format),
                                  format.suffix))
                .string();
        request.method = method;
        request.factors = factors;
        request.levels = levels;
        request.format = format.format;
        request.overwrite = true;
        request.chunk_shape = variant == 0 ? Shape{8, 8, 8}
                              : variant == 1
                                  ? Shape{Index(8 + rng() % 9), 16, Index(9 + rng() % 20)}
                                  : Shape{Index(3 + rng() % 9), 4, Index(5 + rng() % 20)};
        if (variant == 1 && format.format == storage::StorageFormat::kZarr3)
          request.shard_shape = {2 * request.chunk_shape[0], request.chunk_shape[1],
                                 3 * request.chunk_shape[2]};
        auto report =
            run_pyramid(request, options_of(1 + variant, std::uint64_t(16 + 8 * variant) << 20));
        CAPTURE(dtype_name(dtype));
        CAPTURE(reduce_method_name(method));
        CAPTURE(request.output);
        REQUIRE_MESSAGE(report.ok(), report.error().message);
        CHECK(report->input_bytes_read == std::uint64_t(input.size_bytes()));
        REQUIRE(report->level_shapes.size() == 4);
        for (int k = 0; k < 4; ++k) {
          Volume level =
              read_volume({request.output, fmt::format("/{}{}", format.level_prefix, k)});
          const Volume expected =
              k == 0 ? reduce_whole(input, Shape{1, 1, 1}, ReduceMethod::kStride)
                     : reduce_whole(input, report->total_factors[std::size_t(k)], method);
          CAPTURE(k);
          CHECK(same_bytes(level, expected));
        }
        ++runs;
      }
    }
  CHECK(runs > 80);
}

TEST_CASE("a pyramid that fails or is cancelled leaves nothing behind; refusals come first") {
  TempFolder folder;
  std::mt19937_64 rng(1);
  const Volume input = random_volume(DType::kUInt16, Shape{64, 64, 64}, rng);
  const auto in = at(folder, "in.h5");
  write_volume(in, input, Shape{16, 16, 16});
  PyramidRequest request;
  request.input = in;
  request.method = ReduceMethod::kMean;
  request.chunk_shape = {8, 8, 8};
  for (const char* name : {"c.zarr", "c.n5", "c.h5"}) {
    request.output = (folder / name).string();
    std::atomic<bool> cancel{true};
    RunOptions options = options_of(2, std::uint64_t(64) << 20);
    options.cancel = &cancel;
    auto report = run_pyramid(request, options);
    CHECK_FALSE(report.ok());
  }
  // Only the input is left: no temporaries, no outputs.
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(folder.path()))
    left.push_back(entry.path().filename().string());
  CHECK(left == std::vector<std::string>{"in.h5"});

  // Too little memory: refused up front, naming a limit that works, which does.
  request.output = (folder / "m.zarr").string();
  auto refused = run_pyramid(request, options_of(2, std::uint64_t(1) << 20));
  REQUIRE_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  CHECK(message.find("too small for this pyramid") != std::string::npos);
  const std::size_t give = message.find("give --memory-limit ");
  REQUIRE(give != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(request.output));
  // An existing output without overwrite, and a path inside a container.
  request.output = in.file;
  auto into_input = run_pyramid(request, options_of(1, std::uint64_t(64) << 20));
  REQUIRE_FALSE(into_input.ok());
  CHECK(into_input.error().message.find("never replaces its input") != std::string::npos);
  write_volume(at(folder, "other.h5"), input, Shape{16, 16, 16});
  request.output = (folder / "other.h5").string();
  auto existing = run_pyramid(request, options_of(1, std::uint64_t(64) << 20));
  REQUIRE_FALSE(existing.ok());
  CHECK(existing.error().code == ErrorCode::kAlreadyExists);
  request.output = (folder / "x.zarr").string() + ":/image";
  CHECK_FALSE(run_pyramid(request, options_of(1, std::uint64_t(64) << 20)).ok());
}
