// The engine: resample is a one-step chain (same bytes for every dtype, 64-bit integers exact,
// NaN, -0.0 and infinities kept); chains cut into any blocks and tiles, with or without the
// constant shortcut, equal the steps applied to the whole volume at once; a user's block step
// sees its halo.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "chain_test_runs.hpp"
#include "test_datasets.hpp"
#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/pipeline/resample.hpp"

using namespace zoomflow;
using namespace zoomflow::testing;

namespace {

// Random values with the awkward ones mixed in: NaN, -0.0, +-inf for floats; the extremes and
// values above 2^53 for integers.
Volume awkward_volume(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Volume volume = random_volume(dtype, shape, rng);
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* data = reinterpret_cast<T*>(volume.bytes().data());
    for (Index i = 0; i < volume.num_elements(); ++i) {
      if (rng() % 11 != 0 || dtype == DType::kBool) continue;
      if constexpr (std::is_floating_point_v<T>) {
        const T special[] = {std::numeric_limits<T>::quiet_NaN(), T(-0.0),
                             std::numeric_limits<T>::infinity(),
                             -std::numeric_limits<T>::infinity()};
        data[i] = special[rng() % 4];
      } else {
        const T special[] = {std::numeric_limits<T>::lowest(), std::numeric_limits<T>::max(),
                             T(std::numeric_limits<T>::max() - T(rng() % 1000))};
        data[i] = special[rng() % 3];
      }
    }
  });
  return volume;
}

// The chain's steps applied to the whole volume at once, in memory: no blocks, no tiles, no
// shortcuts; the final conversion as the engine documents it.
Volume apply_whole(const ChainPlan& plan, const Volume& input) {
  const Box whole = Box::from_shape(plan.output().shape);
  const std::vector<Box> boxes = plan.boxes(whole);
  Workspace workspace;
  const CancelToken cancel;
  StepContext context{workspace, cancel};
  Volume current = Volume::allocate(input.dtype(), input.shape()).value();
  std::memcpy(current.bytes().data(), input.bytes().data(), input.size_bytes());
  for (std::size_t k = 0; k < plan.steps.size(); ++k) {
    Volume next =
        Volume::allocate(plan.steps[k]->value_type(current.dtype()), boxes[k + 1].extent).value();
    REQUIRE(
        plan.steps[k]
            ->apply(plan.geometry[k], boxes[k], current.view(), boxes[k + 1], next.view(), context)
            .ok());
    current = std::move(next);
  }
  Volume output = Volume::allocate(plan.output().dtype, plan.output().shape).value();
  REQUIRE(convert_array(current.view(), output.view()).ok());
  return output;
}

}  // namespace

TEST_CASE("resample and a one-step pipeline write the same bytes, for every dtype") {
  TempFolder folder;
  std::mt19937_64 rng(909);
  int cases = 0;
  for (DType dtype : kAllDTypes) {
    const Shape shape{Index(5 + rng() % 20), Index(4 + rng() % 20), Index(3 + rng() % 20)};
    const Volume input = awkward_volume(dtype, shape, rng);
    const auto in = at(folder, "in.h5");
    write_volume(in, input, Shape{7, 5, 6});
    for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
      if (dtype == DType::kBool && order == Interpolation::kLinear) continue;
      for (Grid grid : {Grid::kCenters, Grid::kCorners}) {
        const std::vector<double> zoom = {0.5 + double(rng() % 30) / 10,
                                          0.4 + double(rng() % 30) / 10,
                                          0.3 + double(rng() % 30) / 10};
        ResampleRequest request;
        request.input = in;
        request.output = at(folder, "resample.h5");
        request.zoom = zoom;
        request.interpolation = order;
        request.grid = grid;
        request.overwrite = true;
        auto resampled = resample_dataset(request, options_of(2, std::uint64_t(64) << 20));
        REQUIRE_MESSAGE(resampled.ok(), resampled.error().message);
        const Volume by_resample = read_volume(request.output);
        // The same step through the chain API, with other chunks, threads and memory limits.
        const ChainStepPtr step = resample_step({zoom, {}, order, grid});
        const Volume by_chain =
            run_chain_volume(in, at(folder, "chain.h5"), {step}, Shape{3, 1 + Index(rng() % 9), 4},
                             options_of(1 + int(rng() % 2), std::uint64_t(4) << 20));
        CAPTURE(dtype_name(dtype));
        CAPTURE(int(order));
        CHECK(same_bytes(by_resample, by_chain));
        // And the in-memory kernel on the whole volume.
        auto expected = zoomflow::zoom(input.view(), zoom, order, grid);
        REQUIRE(expected.ok());
        CHECK(same_bytes(by_resample, *expected));
        ++cases;
      }
    }
  }
  CHECK(cases == 42);
}

TEST_CASE("64-bit integers above 2^53 keep every bit through nearest resampling, clip, threshold") {
  TempFolder folder;
  const Shape shape{6, 10, 16};
  for (DType dtype : {DType::kInt64, DType::kUInt64}) {
    Volume input = Volume::allocate(dtype, shape).value();
    const auto fill = [&](auto* data) {
      using T = std::remove_pointer_t<decltype(data)>;
      for (Index i = 0; i < input.num_elements(); ++i) data[i] = T((T(1) << 62) + T(i * 7));
    };
    if (dtype == DType::kInt64)
      fill(reinterpret_cast<std::int64_t*>(input.bytes().data()));
    else
      fill(reinterpret_cast<std::uint64_t*>(input.bytes().data()));
    const auto in = at(folder, "in.h5");
    write_volume(in, input, Shape{4, 4, 4});
    // Doubles are 1024 apart up there: 2^62 + 1024 and 2^62 + 3072 are bounds a user can write.
    const double lo = std::ldexp(1.0, 62) + 1024, hi = std::ldexp(1.0, 62) + 3072;
    const std::vector<ChainStepPtr> chain = {resample_step({{2.0}, {}}), clip_step(lo, hi)};
    const Volume clipped =
        run_chain_volume(in, at(folder, "c.h5"), chain, {}, options_of(2, 64 << 20));
    const Volume masked =
        run_chain_volume(in, at(folder, "m.h5"),
                         {resample_step({{2.0}, {}}), threshold_step(Comparison::kGreater, lo)}, {},
                         options_of(2, 64 << 20));
    const auto check = [&](auto* typed) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(typed)>>;
      const T* src = reinterpret_cast<const T*>(input.bytes().data());
      const T* got = reinterpret_cast<const T*>(clipped.bytes().data());
      const std::uint8_t* mask = reinterpret_cast<const std::uint8_t*>(masked.bytes().data());
      const T tlo = T((T(1) << 62) + 1024), thi = T((T(1) << 62) + 3072);
      int differing = 0, kept_above_2_53 = 0;
      // Zoom 2 on the centers grid replicates every voxel twice per axis.
      for (Index z = 0; z < 12; ++z)
        for (Index y = 0; y < 20; ++y)
          for (Index x = 0; x < 32; ++x) {
            const T v = src[((z / 2) * 10 + y / 2) * 16 + x / 2];
            const T want = v < tlo ? tlo : (v > thi ? thi : v);
            const Index o = (z * 20 + y) * 32 + x;
            differing += got[o] != want;
            differing += mask[o] != (v > tlo ? 1 : 0);
            kept_above_2_53 += (want % 2) == 1;  // odd values are not doubles up there
          }
      CHECK(differing == 0);
      CHECK(kept_above_2_53 > 100);
    };
    if (dtype == DType::kInt64)
      check(static_cast<const std::int64_t*>(nullptr));
    else
      check(static_cast<const std::uint64_t*>(nullptr));
  }
}

TEST_CASE(
    "chains cut into any blocks and tiles, and the constant shortcut, give the whole's bytes") {
  TempFolder folder;
  std::mt19937_64 rng(77);
  // The README's chains.
  const char* chains[][4] = {
      {"gaussian:sigma=1", "resample:zoom=0.5,order=1", "scale:mul=0.255,add=0", "cast:uint8"},
      {"resample:zoom=2", "threshold:gt=500", nullptr, nullptr},
      {"clip:lo=0,hi=1000", "resample:zoom=1.5,0.7,2,order=1,grid=corners", "cast:int16", nullptr},
      {"gaussian:sigma=2,0.5,1", "threshold:le=400", "resample:zoom=1.3", nullptr},
  };
  const Shape shape{40, 24, 36};
  for (const auto& texts : chains) {
    std::vector<ChainStepPtr> steps;
    for (const char* text : texts)
      if (text != nullptr) steps.push_back(parse_step(text).value());
    for (DType dtype : {DType::kUInt16, DType::kFloat32, DType::kInt64}) {
      // Constant slabs (0, 7, -0.0 / inf for floats) beside noise: many blocks take the shortcut.
      Volume input = random_volume(dtype, shape, rng);
      visit_dtype(dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* data = reinterpret_cast<T*>(input.bytes().data());
        for (Index z = 0; z < shape[0]; ++z) {
          T value = T(0);
          if (z >= 12 && z < 24) value = T(7);
          if constexpr (std::is_floating_point_v<T>)
            if (z >= 24 && z < 30) value = z < 27 ? T(-0.0) : std::numeric_limits<T>::infinity();
          if (z < 30)
            for (Index i = 0; i < shape[1] * shape[2]; ++i)
              data[z * shape[1] * shape[2] + i] = value;
          else
            for (Index i = 0; i < shape[1] * shape[2]; ++i)
              data[z * shape[1] * shape[2] + i] =
                  T(std::abs(double(data[z * shape[1] * shape[2] + i])));
        }
      });
      const auto in = at(folder, "in.h5");
      write_volume(in, input, Shape{4, 8, 8});
      const ChainPlan plan = plan_chain({shape, dtype}, steps).value();
      const Volume whole = apply_whole(plan, input);
      struct Cut {
        Shape chunks;
        int threads;
        std::uint64_t limit;
        BlockLayout layout = BlockLayout::kBricks;
      };
      const Cut cuts[] = {
          {{}, 2, std::uint64_t(256) << 20},
          {{3, 5, 7}, 1, std::uint64_t(2) << 20},
          {{2, 5, 7}, 2, std::uint64_t(2) << 20, BlockLayout::kSlabs},  // thin z-slab blocks
          {{80, 80, 80}, 2, std::uint64_t(2) << 20},                    // one block, many tiles
          {{1, 64, 9}, 2, std::uint64_t(2) << 20}};
      bool tiled = false, shortcut = false;
      for (const Cut& cut : cuts) {
        RunReport report;
        const Volume got =
            run_chain_volume(in, at(folder, "out.h5"), steps, cut.chunks,
                             options_of(cut.threads, cut.limit, cut.layout), &report);
        CAPTURE(plan.describe());
        CAPTURE(dtype_name(dtype));
        CAPTURE(to_string(cut.chunks));
        CHECK(same_bytes(got, whole));
        tiled = tiled || !(report.tile_shape == report.block_shape);
        shortcut = shortcut || report.constant_blocks > 0;
      }
      CAPTURE(plan.describe());
      CAPTURE(dtype_name(dtype));
      CHECK(tiled);
      CHECK(shortcut);
    }
  }
}

TEST_CASE("a user's block step sees its halo, and a user's pointwise step runs in the chain") {
  TempFolder folder;
  std::mt19937_64 rng(5);
  const Shape shape{17, 19, 23};
  const Volume input = random_volume(DType::kUInt8, shape, rng);
  const auto in = at(folder, "in.h5");
  write_volume(in, input, Shape{8, 8, 8});
  // The largest value of the 3x3x3 neighbourhood (clipped at the volume's edge).
  const ChainStepPtr maximum = block_step(
      "max3", {1},
      [](ConstArrayView values, const Box& in_box, ArrayView out, const Box& out_box) -> Status {
        const auto v = values.as<double>();
        const auto o = out.as<double>();
        for (Index z = 0; z < out_box.extent[0]; ++z)
          for (Index y = 0; y < out_box.extent[1]; ++y)
            for (Index x = 0; x < out_box.extent[2]; ++x) {
              double best = -1;
              for (Index dz = -1; dz <= 1; ++dz)
                for (Index dy = -1; dy <= 1; ++dy)
                  for (Index dx = -1; dx <= 1; ++dx) {
                    const IndexVector g{out_box.origin[0] + z + dz, out_box.origin[1] + y + dy,
                                        out_box.origin[2] + x + dx};
                    if (!Box::from_shape(Shape{17, 19, 23}).contains(Box{g, {1, 1, 1}})) continue;
                    best = std::max(best, v[{g[0] - in_box.origin[0], g[1] - in_box.origin[1],
                                             g[2] - in_box.origin[2]}]);
                  }
              o[{z, y, x}] = best;
            }
        return ok_status();
      });
  const ChainStepPtr half = pointwise_step("half", [](double v) { return v / 2; });
  const Volume got = run_chain_volume(in, at(folder, "out.h5"), {maximum, half}, Shape{5, 6, 7},
                                      options_of(2, 64 << 20));
  const std::uint8_t* src = reinterpret_cast<const std::uint8_t*>(input.bytes().data());
  const std::uint8_t* out = reinterpret_cast<const std::uint8_t*>(got.bytes().data());
  int wrong = 0;
  for (Index z = 0; z < 17; ++z)
    for (Index y = 0; y < 19; ++y)
      for (Index x = 0; x < 23; ++x) {
        int best = 0;
        for (Index dz = -1; dz <= 1; ++dz)
          for (Index dy = -1; dy <= 1; ++dy)
            for (Index dx = -1; dx <= 1; ++dx) {
              const Index zz = z + dz, yy = y + dy, xx = x + dx;
              if (zz < 0 || yy < 0 || xx < 0 || zz >= 17 || yy >= 19 || xx >= 23) continue;
              best = std::max<int>(best, src[(zz * 19 + yy) * 23 + xx]);
            }
        // best / 2, rounded half away from zero.
        wrong += out[(z * 19 + y) * 23 + x] != (best + 1) / 2;
      }
  CHECK(wrong == 0);
}

TEST_CASE("a number in a bool output is refused, naming the step that made it") {
  TempFolder folder;
  std::mt19937_64 rng(6);
  const Volume mask = random_volume(DType::kBool, Shape{8, 8, 8}, rng);
  const auto in = at(folder, "in.h5");
  write_volume(in, mask, Shape{4, 4, 4});
  ChainRequest request;
  request.input = in;
  request.output = at(folder, "out.h5");
  request.steps = {resample_step({{2.0}, {}}), scale_step(3, 0)};
  auto refused = run_chain(request, options_of(2, 64 << 20));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("scale:mul=3,add=0") != std::string::npos);
  CHECK(refused.error().message.find("bool") != std::string::npos);
  CHECK(!std::filesystem::exists(request.output.file));
  // Values that stay 0 and 1 are fine.
  request.steps = {resample_step({{2.0}, {}}), scale_step(1, 0)};
  CHECK(run_chain(request, options_of(2, 64 << 20)).ok());
}

TEST_CASE("a run reports the input's chunks and decodes each it needs once") {
  TempFolder folder;
  std::mt19937_64 rng(5);
  const Shape shape{37, 30, 26};
  const Volume input = random_volume(DType::kUInt16, shape, rng);
  const auto in = at(folder, "in.h5");
  write_volume(in, input, Shape{8, 8, 8});
  // ceil(37/8) * ceil(30/8) * ceil(26/8), counted here by hand: 5 * 4 * 4.
  const std::int64_t chunks = 5 * 4 * 4;
  const std::vector<std::vector<ChainStepPtr>> chains = {
      {parse_step("resample:zoom=0.5,order=1").value()},
      {parse_step("gaussian:sigma=1").value(), parse_step("resample:zoom=2").value()},
      {parse_step("resample:zoom=0.7,order=3").value()}};
  for (const auto& steps : chains) {
    for (int threads : {1, 2}) {
      RunReport report;
      run_chain_volume(in, at(folder, "out.h5"), steps, Shape{16, 16, 16},
                       options_of(threads, std::uint64_t(256) << 20), &report);
      CAPTURE(threads);
      CHECK(report.input_chunks == chunks);
      // Every chunk is needed (noise everywhere, halos overlapping neighbours' blocks), and the
      // cache, far larger than the input, never drops one: each decoded exactly once.
      CHECK(report.input_chunks_decoded == chunks);
    }
  }
}
