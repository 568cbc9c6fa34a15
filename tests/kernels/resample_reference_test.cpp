// The kernels against the plain reference (reference.hpp), for every dtype, ranks 2 to 4,
// both orders and grids, many shapes and zooms.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "reference.hpp"
#include "zoomflow/kernels/zoom.hpp"

using namespace zoomflow;

namespace {

template <class T>
std::vector<T> random_values(std::size_t count, DType dtype, std::mt19937_64& rng) {
  std::vector<T> values(count);
  for (T& v : values) {
    if (dtype == DType::kBool)
      v = T(rng() % 2);
    else if constexpr (std::is_floating_point_v<T>)
      v = T(std::uniform_real_distribution<double>(-1e4, 1e4)(rng));
    else
      v = T(rng());  // every bit pattern, extremes included
  }
  return values;
}

template <class T>
bool close_enough(T got, T want, DType dtype) {
  if constexpr (std::is_floating_point_v<T>) {
    const double tolerance = dtype == DType::kFloat64 ? 1e-12 : 1e-6;
    return std::fabs(double(got) - double(want)) <=
           tolerance * std::max(1.0, std::fabs(double(want)));
  } else {
    // Integers: within one unit (the double arithmetic may round a .5 the other way). 64-bit
    // values are interpolated in double (53-bit mantissa, as scipy does), so there the error
    // scales with the inputs (up to 2^64), not with the result.
    const long double d = (long double)got - (long double)want;
    const long double allowed = sizeof(T) == 8 ? 32768.0L : 1.0L;  // 8 ulps of 2^64
    return d <= allowed && d >= -allowed;
  }
}

template <class T>
int check_case(DType dtype, const std::vector<std::int64_t>& in_shape,
               const std::vector<double>& zoom, Interpolation order, Grid grid,
               std::mt19937_64& rng) {
  std::size_t count = 1;
  for (auto e : in_shape) count *= std::size_t(e);
  const std::vector<T> input = random_values<T>(count, dtype, rng);
  const Shape shape{std::span<const Index>(in_shape.data(), in_shape.size())};
  const ConstArrayView view(reinterpret_cast<const std::byte*>(input.data()), dtype, shape);
  auto result = zoomflow::zoom(view, zoom, order, grid);
  REQUIRE_MESSAGE(result.ok(), result.error().message);
  std::vector<std::int64_t> out_shape(result->shape().begin(), result->shape().end());
  const std::vector<T> expected =
      testing::reference_zoom(input, in_shape, out_shape, int(order), grid == Grid::kCenters);
  const T* got = reinterpret_cast<const T*>(result->bytes().data());
  int mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const bool ok = order == Interpolation::kNearest
                        ? std::memcmp(&got[i], &expected[i], sizeof(T)) == 0
                        : close_enough(got[i], expected[i], dtype);
    if (!ok && mismatches++ == 0) {
      MESSAGE(dtype_name(dtype), " order ", int(order), " grid ", int(grid), " element ", i,
              ": got ", double(got[i]), ", want ", double(expected[i]), ", diff ",
              double((long double)got[i] - (long double)expected[i]));
    }
  }
  return mismatches;
}

}  // namespace

TEST_CASE("every dtype, rank 2 to 4, both orders and grids equal the plain reference") {
  std::mt19937_64 rng(20261124);
  const std::vector<std::pair<std::vector<std::int64_t>, std::vector<double>>> cases = {
      {{13, 17}, {2.0, 3.0}},         {{16, 9}, {0.5, 0.37}},
      {{7, 30}, {1.7, 0.81}},         {{9, 8, 7}, {2.0, 2.0, 2.0}},
      {{11, 6, 13}, {0.6, 1.5, 2.2}}, {{5, 12, 9}, {3.0, 0.25, 1.0}},
      {{8, 8, 8}, {0.5, 0.5, 0.5}},   {{3, 5, 6, 7}, {1.0, 1.5, 0.7, 2.0}},
  };
  int checked = 0;
  for (DType dtype : kAllDTypes) {
    for (const auto& [shape, zoom] : cases) {
      for (Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
        if (dtype == DType::kBool && order == Interpolation::kLinear) continue;
        for (Grid grid : {Grid::kCenters, Grid::kCorners}) {
          const int mismatches = visit_dtype(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            return check_case<T>(dtype, shape, zoom, order, grid, rng);
          });
          CAPTURE(dtype_name(dtype));
          CHECK(mismatches == 0);
          ++checked;
        }
      }
    }
  }
  CHECK(checked == 8 * 2 * 2 * 11 - 8 * 2);
}

TEST_CASE("order 1 halving integers of up to 16 bits gives the exact mean of the neighbours") {
  // Weights of exactly 1/2 on every axis: the mean of 2^rank voxels is exact in double, so the
  // result must equal the reference bit for bit (sums ending in .5 rounded away from zero), in
  // C order and in Fortran order, and where only some axes are halved.
  std::mt19937_64 rng(20261201);
  const std::vector<std::pair<std::vector<std::int64_t>, std::vector<double>>> cases = {
      {{64}, {0.5}},
      {{16, 10}, {0.5, 0.5}},
      {{8, 6, 12}, {0.5, 0.5, 0.5}},
      {{4, 6, 2, 8}, {0.5, 0.5, 0.5, 0.5}},
      {{8, 6, 12}, {0.5, 1.0, 0.5}},
      {{10, 4, 6}, {0.5, 0.5, 2.0}},
  };
  for (DType dtype : {DType::kUInt8, DType::kInt8, DType::kUInt16, DType::kInt16}) {
    visit_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (const auto& [in_shape, zoom] : cases) {
        const int rank = int(in_shape.size());
        std::size_t count = 1;
        for (auto e : in_shape) count *= std::size_t(e);
        const std::vector<T> input = random_values<T>(count, dtype, rng);
        // The same values in Fortran order, viewed with reversed strides.
        std::vector<T> fortran(count);
        std::vector<std::int64_t> index(std::size_t(rank), 0);
        Shape shape = IndexVector::filled(rank, 0);
        IndexVector f_strides = IndexVector::filled(rank, 0);
        for (int a = 0; a < rank; ++a) shape[a] = in_shape[std::size_t(a)];
        for (int a = 0, stride = 1; a < rank; stride *= int(in_shape[std::size_t(a)]), ++a)
          f_strides[a] = stride;
        for (std::size_t n = 0; n < count; ++n) {
          std::int64_t offset = 0;
          for (int a = 0; a < rank; ++a) offset += index[std::size_t(a)] * f_strides[a];
          fortran[std::size_t(offset)] = input[n];
          for (int a = rank - 1; a >= 0; --a) {
            if (++index[std::size_t(a)] < in_shape[std::size_t(a)]) break;
            index[std::size_t(a)] = 0;
          }
        }
        const ConstArrayView c_view(reinterpret_cast<const std::byte*>(input.data()), dtype, shape);
        const ConstArrayView f_view(reinterpret_cast<const std::byte*>(fortran.data()), dtype,
                                    shape, f_strides);
        for (const ConstArrayView& view : {c_view, f_view}) {
          auto result = zoomflow::zoom(view, zoom, Interpolation::kLinear, Grid::kCenters);
          REQUIRE_MESSAGE(result.ok(), result.error().message);
          std::vector<std::int64_t> out_shape(result->shape().begin(), result->shape().end());
          const std::vector<T> expected =
              testing::reference_zoom(input, in_shape, out_shape, 1, /*centers=*/true);
          const T* got = reinterpret_cast<const T*>(result->bytes().data());
          std::size_t mismatches = 0;
          for (std::size_t i = 0; i < expected.size(); ++i) mismatches += got[i] != expected[i];
          CAPTURE(dtype_name(dtype));
          CAPTURE(rank);
          CHECK(mismatches == 0);
        }
      }
    });
  }
}

TEST_CASE("bool with order 1 is a clear error, not a crash") {
  std::vector<std::uint8_t> mask(27, 1);
  const ConstArrayView view(reinterpret_cast<const std::byte*>(mask.data()), DType::kBool,
                            Shape{3, 3, 3});
  const double zoom[] = {2, 2, 2};
  auto result = zoomflow::zoom(view, zoom, Interpolation::kLinear);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message.find("bool") != std::string::npos);
}

TEST_CASE("integer outputs of order 1 saturate and round half away from zero") {
  // Two voxels 0 and 255 upsampled x4 on corners: s = i/3 * 1 -> 0, 85, 170, 255 exactly;
  // and 0, 1 on centers x4: weights 0.125 steps, 0.5 rounds up.
  const std::uint8_t pair[] = {0, 255};
  const ConstArrayView view(reinterpret_cast<const std::byte*>(pair), DType::kUInt8, Shape{2});
  const double four[] = {2.0};
  auto corners = zoomflow::zoom(view, four, Interpolation::kLinear, Grid::kCorners);
  REQUIRE(corners.ok());
  const auto* c = reinterpret_cast<const std::uint8_t*>(corners->bytes().data());
  CHECK(std::vector<int>(c, c + 4) == std::vector<int>{0, 85, 170, 255});
  const std::int8_t signed_pair[] = {-1, 0};
  const ConstArrayView signed_view(reinterpret_cast<const std::byte*>(signed_pair), DType::kInt8,
                                   Shape{2});
  const double two[] = {2.0};
  auto centers = zoomflow::zoom(signed_view, two, Interpolation::kLinear, Grid::kCenters);
  REQUIRE(centers.ok());
  const auto* s = reinterpret_cast<const std::int8_t*>(centers->bytes().data());
  // s = -0.25, 0.25, 0.75, 1.25 -> clamp -> values -1, -0.75, -0.25, 0 -> -1, -1, 0, 0
  CHECK(std::vector<int>(s, s + 4) == std::vector<int>{-1, -1, 0, 0});
}
