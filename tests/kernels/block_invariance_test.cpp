// Any cut of the output, computed box by box from just the input each box needs, gives the
// bytes of the one-piece result; so do strided (non-contiguous) views.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "random_cut.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/zoom.hpp"

using namespace zoomflow;

namespace {

Volume random_volume(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Volume v = Volume::allocate(dtype, shape).value();
  for (std::byte& b : v.bytes()) b = std::byte(rng() & (dtype == DType::kBool ? 1 : 0xff));
  if (is_floating(dtype)) {  // keep floats finite: random bytes can be NaN or inf
    visit_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* data = reinterpret_cast<T*>(v.bytes().data());
      for (Index i = 0; i < v.num_elements(); ++i)
        data[i] = T(std::uniform_real_distribution<double>(-100, 100)(rng));
    });
  }
  return v;
}

}  // namespace

TEST_CASE("box by box equals one piece, byte for byte, for both orders") {
  std::mt19937_64 rng(77);
  for (DType dtype : {DType::kBool, DType::kUInt8, DType::kInt16, DType::kFloat32, DType::kFloat64,
                      DType::kUInt64}) {
    for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
      if (dtype == DType::kBool && order == Interpolation::kLinear) continue;
      for (Grid grid : {Grid::kCenters, Grid::kCorners}) {
        const Shape in_shape{Index(5 + rng() % 9), Index(4 + rng() % 11), Index(6 + rng() % 8)};
        const Volume input = random_volume(dtype, in_shape, rng);
        const double factors[] = {1.9, 0.6, 2.5};
        auto whole = zoomflow::zoom(input.view(), factors, order, grid);
        REQUIRE(whole.ok());
        const ResampleSpec spec{in_shape, whole->shape(), order, grid};
        Volume pieces = Volume::zeros(dtype, whole->shape()).value();
        for (const Box& box : testing::random_cut(whole->shape(), rng, 7)) {
          // Give the kernel only the input it needs, as a strided view into the input.
          const Box needed = required_input_box(spec, box);
          const Status status = resample_box(spec, input.view().subview(needed), needed.origin,
                                             pieces.view().subview(box), box);
          REQUIRE_MESSAGE(status.ok(), status.error().message);
        }
        CAPTURE(dtype_name(dtype));
        CHECK(std::memcmp(pieces.bytes().data(), whole->bytes().data(), whole->size_bytes()) == 0);
      }
    }
  }
}

TEST_CASE("an input box that misses needed voxels is refused") {
  std::mt19937_64 rng(1);
  const Volume input = random_volume(DType::kUInt8, Shape{10, 10}, rng);
  const ResampleSpec spec{{10, 10}, {20, 20}, Interpolation::kLinear, Grid::kCenters};
  Volume out = Volume::zeros(DType::kUInt8, Shape{4, 4}).value();
  const Box box{{8, 8}, {4, 4}};
  const Box needed = required_input_box(spec, box);
  Box short_box = needed;
  short_box.extent[0] -= 1;
  const Status status =
      resample_box(spec, input.view().subview(short_box), short_box.origin, out.view(), box);
  CHECK_FALSE(status.ok());
}

TEST_CASE("the seed mask scaled down: x2 and x4 on centers give exactly 8x and 64x true voxels") {
  const Shape shape{64, 64, 32};
  Volume mask = Volume::zeros(DType::kBool, shape).value();
  auto* m = reinterpret_cast<std::uint8_t*>(mask.bytes().data());
  Index true_in = 0;
  // [50:600, 200:1000, 5:30] of (1024, 1024, 512), scaled: [3:37, 12:62, 1:4]
  for (Index z = 3; z < 37; ++z)
    for (Index y = 12; y < 62; ++y)
      for (Index x = 1; x < 4; ++x, ++true_in) m[(z * 64 + y) * 32 + x] = 1;
  for (int zoom : {2, 4}) {
    const double factors[] = {double(zoom), double(zoom), double(zoom)};
    auto out = zoomflow::zoom(mask.view(), factors);
    REQUIRE(out.ok());
    const auto* o = reinterpret_cast<const std::uint8_t*>(out->bytes().data());
    Index true_out = 0, mismatches = 0;
    for (Index z = 0; z < 64 * zoom; ++z)
      for (Index y = 0; y < 64 * zoom; ++y)
        for (Index x = 0; x < 32 * zoom; ++x) {
          const std::uint8_t v = o[(z * 64 * zoom + y) * 32 * zoom + x];
          true_out += v;
          mismatches += v != m[((z / zoom) * 64 + y / zoom) * 32 + x / zoom];
        }
    CHECK(true_out == true_in * zoom * zoom * zoom);
    CHECK(mismatches == 0);  // every voxel replicated zoom^3 times
  }
}
