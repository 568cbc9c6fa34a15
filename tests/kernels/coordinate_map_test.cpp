// Index tables against scipy.ndimage.zoom's own (scipy 1.10, mode='nearest'), output shapes,
// and the input boxes that output boxes need.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "zoomflow/kernels/resample_spec.hpp"

using namespace zoomflow;

namespace {

std::vector<Index> nearest_table(Index n, Index m, Grid grid) {
  const AxisMap map{n, m, grid};
  std::vector<Index> table;
  for (Index i = 0; i < m; ++i) table.push_back(map.nearest(i));
  return table;
}

}  // namespace

TEST_CASE("nearest index tables equal scipy's, ties included") {
  // Read off scipy.ndimage.zoom(np.arange(n), m / n, order=0, mode='nearest', grid_mode=...).
  CHECK(nearest_table(8, 4, Grid::kCenters) == std::vector<Index>{1, 3, 5, 7});
  CHECK(nearest_table(8, 4, Grid::kCorners) == std::vector<Index>{0, 2, 5, 7});
  const std::vector<Index> five_to_twelve{0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4};
  CHECK(nearest_table(5, 12, Grid::kCenters) == five_to_twelve);
  CHECK(nearest_table(5, 12, Grid::kCorners) == five_to_twelve);
  // Integer upsampling on centers replicates every voxel exactly zoom times.
  CHECK(nearest_table(3, 12, Grid::kCenters) ==
        std::vector<Index>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2});
  // A single output sample: the centre on centers, the first voxel on corners.
  CHECK(nearest_table(7, 1, Grid::kCenters) == std::vector<Index>{3});
  CHECK(nearest_table(7, 1, Grid::kCorners) == std::vector<Index>{0});
  CHECK(nearest_table(1, 5, Grid::kCorners) == std::vector<Index>{0, 0, 0, 0, 0});
  // A tie whose zoom (29/50) is no binary fraction: s = 14.5 exactly, but scipy computes
  // 25 * 0.58 = 14.499999999999998 and samples voxel 14 (scipy.ndimage.zoom(np.arange(30), 1.7,
  // order=0, mode='nearest', grid_mode=False)[25] == 14).
  CHECK(nearest_table(30, 51, Grid::kCorners)[25] == 14);
}

TEST_CASE("linear taps: neighbours clamped to the edges, weight from the unclamped coordinate") {
  const AxisMap up{4, 8, Grid::kCenters};  // s = (i + 0.5) / 2 - 0.5
  // s = -0.25: scipy's taps -1 and 0 both read voxel 0, weights 0.25 and 0.75.
  CHECK(up.linear(0).j0 == 0);
  CHECK(up.linear(0).j1 == 0);
  CHECK(up.linear(0).weight == 0.75);
  CHECK(up.linear(1).j0 == 0);
  CHECK(up.linear(1).j1 == 1);
  CHECK(up.linear(1).weight == 0.25);
  CHECK(up.linear(7).j0 == 3);  // s = 3.25: taps 3 and 4, both voxel 3
  CHECK(up.linear(7).j1 == 3);
  CHECK(up.linear(7).weight == 0.25);
  const AxisMap corners{5, 9, Grid::kCorners};  // s = i / 2
  CHECK(corners.linear(3).j0 == 1);
  CHECK(corners.linear(3).weight == 0.5);
  CHECK(corners.linear(8).j0 == 4);
  CHECK(corners.linear(8).j1 == 4);
}

TEST_CASE("output shapes round half to even, like Python's round, and are at least 1") {
  const double half[] = {0.5, 0.5, 0.5};
  CHECK(zoomed_shape(Shape{5, 7, 9}, half).value() == Shape{2, 4, 4});  // 2.5->2, 3.5->4, 4.5->4
  const double tiny[] = {0.01, 0.01};
  CHECK(zoomed_shape(Shape{10, 20}, tiny).value() == Shape{1, 1});
  const double seed[] = {4, 4, 4};
  CHECK(zoomed_shape(Shape{1024, 1024, 512}, seed).value() == Shape{4096, 4096, 2048});
  const double bad[] = {0.0, 1.0};
  CHECK_FALSE(zoomed_shape(Shape{4, 4}, bad).ok());
  const double negative[] = {-2.0, 1.0};
  CHECK_FALSE(zoomed_shape(Shape{4, 4}, negative).ok());
  const double wrong_rank[] = {2.0};
  CHECK_FALSE(zoomed_shape(Shape{4, 4}, wrong_rank).ok());
}

TEST_CASE("spec validation refuses what cannot be computed") {
  CHECK(ResampleSpec{{4, 4}, {8, 8}}.validate().ok());
  CHECK_FALSE(ResampleSpec{{4, 4}, {8, 8, 8}}.validate().ok());
  CHECK_FALSE(ResampleSpec{{4, 0}, {8, 8}}.validate().ok());
  CHECK_FALSE(ResampleSpec{{4, 4}, {Index(1) << 31, 8}}.validate().ok());
  CHECK_FALSE(
      ResampleSpec{{4, 4, 4}, {Index(1) << 20, Index(1) << 20, Index(1) << 11}}.validate().ok());
  const ResampleSpec linear{{4, 4}, {8, 8}, Interpolation::kLinear};
  CHECK(linear.validate_for(DType::kUInt8).ok());
  const Status bool_linear = linear.validate_for(DType::kBool);
  REQUIRE_FALSE(bool_linear.ok());
  CHECK(bool_linear.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("required_input_box is exactly the set of input indices the output box reads") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const Index n = 1 + Index(rng() % 40);
    const Index m = 1 + Index(rng() % 60);
    const Grid grid = rng() % 2 ? Grid::kCenters : Grid::kCorners;
    const Interpolation order = rng() % 2 ? Interpolation::kLinear : Interpolation::kNearest;
    const Index lo = Index(rng() % std::uint64_t(m));
    const Index hi = lo + 1 + Index(rng() % std::uint64_t(m - lo));
    ResampleSpec spec{{n}, {m}, order, grid};
    spec.prefilter = false;  // n == m is then interpolated too, not scipy's copy
    const Box box = required_input_box(spec, Box{{lo}, {hi - lo}});
    // Brute force over the output box, from the reference formulas.
    Index first = n, last = -1;
    for (Index i = lo; i < hi; ++i) {
      const AxisMap map = spec.axis(0);
      if (order == Interpolation::kNearest) {
        first = std::min(first, map.nearest(i));
        last = std::max(last, map.nearest(i));
      } else {
        first = std::min(first, map.linear(i).j0);
        last = std::max(last, map.linear(i).j1);
      }
    }
    CHECK(box.origin[0] == first);
    CHECK(box.end(0) == last + 1);
  }
}
