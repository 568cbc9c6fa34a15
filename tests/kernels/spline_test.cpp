// Splines (orders 2-5) and boundary modes: the B-spline weights and the prefilter against the
// B-spline's own definition, the kernel against values read off scipy.ndimage.zoom 1.17, any cut
// of the output against the one-piece result byte for byte, the scratch it declares, the constant
// shortcut it allows, scipy's infinities at order 1, output dtypes, and refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <tbb/task_arena.h>

#include "random_cut.hpp"
#include "zoomflow/kernels/bspline.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/resample_tables.hpp"
#include "zoomflow/kernels/zoom.hpp"

using namespace zoomflow;

namespace {

// The centred cardinal B-spline of degree k at x, by its recursive definition (de Boor):
// beta_k(x) = ((x + (k + 1) / 2) beta_{k-1}(x + 1/2) + ((k + 1) / 2 - x) beta_{k-1}(x - 1/2)) / k.
double bspline(int k, double x) {
  if (k == 0) return (x > -0.5 && x < 0.5) || x == -0.5 ? 1.0 : 0.0;
  const double h = (k + 1) / 2.0;
  return ((x + h) * bspline(k - 1, x + 0.5) + (h - x) * bspline(k - 1, x - 0.5)) / k;
}

// The untruncated prefilter tap j of `order`, from its poles alone: the convolution of
// (1 - z) / (1 + z) z^|j| over the poles (two poles: summed over a wide window).
double exact_tap(int order, int j) {
  const std::span<const double> poles = prefilter_poles(order);
  auto single = [](double z, int i) { return (1 - z) / (1 + z) * std::pow(z, std::abs(i)); };
  if (poles.size() == 1) return single(poles[0], j);
  long double sum = 0;
  for (int i = -400; i <= 400; ++i)
    sum += (long double)single(poles[0], i) * single(poles[1], j - i);
  return double(sum);
}

Volume line_volume(const std::vector<double>& values) {
  Volume v = Volume::allocate(DType::kFloat64, Shape{Index(values.size())}).value();
  std::memcpy(v.bytes().data(), values.data(), v.size_bytes());
  return v;
}

std::vector<double> as_doubles(const Volume& v) {
  std::vector<double> out(std::size_t(v.num_elements()));
  std::memcpy(out.data(), v.bytes().data(), v.size_bytes());
  return out;
}

Volume random_volume(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Volume v = Volume::allocate(dtype, shape).value();
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* data = reinterpret_cast<T*>(v.bytes().data());
    for (Index i = 0; i < v.num_elements(); ++i) {
      if (dtype == DType::kBool)
        data[i] = T(rng() % 2);
      else if constexpr (std::is_floating_point_v<T>)
        data[i] = T(std::uniform_real_distribution<double>(-100, 100)(rng));
      else
        data[i] = T(rng() % 200);
    }
  });
  return v;
}

// The output of `spec` box by box, each box from just its required input (a strided view into
// the whole input), one Workspace for all of them.
Volume box_by_box(const ResampleSpec& spec, const Volume& input, DType out_dtype,
                  std::mt19937_64& rng) {
  Volume out = Volume::zeros(out_dtype, spec.output_shape).value();
  Workspace workspace;
  for (const Box& box : testing::random_cut(spec.output_shape, rng, 11)) {
    const Box needed = required_input_box(spec, box);
    const Status status = resample_box(spec, input.view().subview(needed), needed.origin,
                                       out.view().subview(box), box, workspace);
    REQUIRE_MESSAGE(status.ok(), status.error().message);
  }
  return out;
}

bool same_bytes(const Volume& a, const Volume& b) {
  return a.size_bytes() == b.size_bytes() &&
         std::memcmp(a.bytes().data(), b.bytes().data(), a.size_bytes()) == 0;
}

}  // namespace

TEST_CASE("spline weights are the B-spline at the taps' distances and sum to 1") {
  std::mt19937_64 rng(3);
  for (int order = 1; order <= kMaxSplineOrder; ++order) {
    for (int trial = 0; trial < 200; ++trial) {
      const double c = std::uniform_real_distribution<double>(-3, 40)(rng);
      double w[kMaxSplineOrder + 1];
      spline_weights(c, order, w);
      const std::int64_t first = spline_first_tap(c, order);
      double sum = 0;
      for (int t = 0; t <= order; ++t) {
        CHECK(std::fabs(w[t] - bspline(order, c - double(first + t))) < 1e-14);
        sum += w[t];
      }
      CHECK(std::fabs(sum - 1.0) < 1e-15);
    }
  }
}

TEST_CASE("the prefilter inverts sampling the B-spline, and its halo is the smallest below 1e-17") {
  for (int order = 2; order <= kMaxSplineOrder; ++order) {
    CAPTURE(order);
    // The poles are roots of the B-spline's symbol sum_j beta(j) z^j.
    for (double z : prefilter_poles(order)) {
      double symbol = 0;
      for (int j = -3; j <= 3; ++j) symbol += bspline(order, j) * std::pow(z, j);
      CHECK(std::fabs(symbol) < 1e-14);
    }
    const std::span<const double> h = prefilter_taps(order);
    const int halo = prefilter_halo(order);
    REQUIRE(int(h.size()) == halo + 1);
    for (int j = 0; j <= halo; ++j)
      CHECK(std::fabs(h[std::size_t(j)] - exact_tap(order, j)) < 1e-15);
    // sum_j h_j beta(i - j) = [i == 0]
    for (int i = -4; i <= 4; ++i) {
      double sum = 0;
      for (int j = -halo; j <= halo; ++j)
        sum += h[std::size_t(std::abs(j))] * bspline(order, i - j);
      CHECK(std::fabs(sum - (i == 0 ? 1.0 : 0.0)) < 1e-15);
    }
    auto tail = [&](int from) {
      double t = 0;
      for (int j = from + 1; j < 400; ++j) t += 2 * std::fabs(exact_tap(order, j));
      return t;
    };
    CHECK(tail(halo) < 1e-17);
    CHECK(tail(halo - 1) >= 1e-17);
  }
}

TEST_CASE("orders 2-5 in every mode equal scipy.ndimage.zoom") {
  // scipy.ndimage.zoom(np.array([0., 1, 4, 9, 16, 25]), 1.5, order, mode, cval=-2.0, grid_mode)
  // printed by scipy 1.17.1.
  struct Case {
    BoundaryMode mode;
    int order;
    bool centers;
    std::vector<double> want;
  };
  const std::vector<Case> cases = {
      {BoundaryMode::kConstant,
       3,
       false,
       {3.2377078158326937e-16, 0.3976338217703348, 1.5468002392344504, 3.496654455741628,
        6.363636363636364, 9.660305771531101, 13.65206339712919, 20.41202526913876,
        25.000000000000004}},
      {BoundaryMode::kConstant,
       5,
       true,
       {-2.0, 0.2803149008386581, 1.3207139899442144, 3.2829885129076906, 6.533227848101262,
        9.77456605290988, 14.243195735533718, 21.972849656123365, -2.0}},
      {BoundaryMode::kGridConstant,
       2,
       false,
       {-4.163336342344337e-17, 0.5440217094979081, 1.5140033922975407, 3.498018532608843,
        6.347837446892344, 9.673164339637271, 13.47505320290223, 21.225259888164445, 25.0}},
      {BoundaryMode::kGridConstant,
       5,
       true,
       {-0.33705879180302956, 0.6590594263960743, 1.1726025328283227, 3.1190547620300078,
        7.0011761217755755, 9.3915836347375, 13.584440454343076, 24.395903437838655,
        21.977294145808177}},
      {BoundaryMode::kNearest,
       3,
       false,
       {3.152943033789207e-16, 0.4319629162106958, 1.5420481801203663, 3.502474101048059,
        6.313466520526789, 9.70935939212577, 13.844952367904185, 19.813285439715674,
        25.000000000000007}},
      {BoundaryMode::kNearest,
       4,
       true,
       {-0.03650841666851558, 0.3053709015891616, 1.337190019984774, 3.328004389691361,
        6.366518580728325, 9.918134846205756, 14.4765369387002, 21.133357067605406,
        25.60048345376554}},
      {BoundaryMode::kReflect,
       3,
       false,
       {-1.1890293474494149e-08, 0.44088040470679013, 1.5408653856872265, 3.504056490659722,
        6.2999999997027425, 9.722506009665404, 13.896634615427494, 19.65286959132204, 25.0}},
      {BoundaryMode::kGridMirror,
       5,
       true,
       {-0.052067690716523875, 0.32223114771637607, 1.3324566996000153, 3.3276834337502854,
        6.348901850064787, 9.945294233100443, 14.549189468430123, 20.828876512604328,
        25.897462876606635}},
      {BoundaryMode::kMirror,
       4,
       true,
       {0.030495534253142966, 0.2677653902006585, 1.3366357349151803, 3.3084196445427696,
        6.461742181437874, 9.821065665469517, 14.279601950539698, 21.933678555685113,
        24.628032172406094}},
      {BoundaryMode::kWrap,
       5,
       true,
       {24.628804172366248, 0.2803149008386581, 1.3207139899442144, 3.2829885129076906,
        6.533227848101262, 9.77456605290988, 14.243195735533718, 21.972849656123365,
        0.03280962145569932}},
      {BoundaryMode::kGridWrap,
       3,
       false,
       {2.225997164373439e-15, -1.7304687500000007, 2.21875, 3.6523437500000004, 6.3,
        9.574218750000002, 13.218750000000004, 21.824218750000004, 25.000000000000014}},
      {BoundaryMode::kGridWrap,
       2,
       false,
       {-3.3306690738754696e-16, -1.091964285714286, 1.975, 3.570535714285714, 6.271428571428571,
        9.686607142857143, 13.510714285714286, 21.11339285714286, 25.000000000000004}},
  };
  const Volume x = line_volume({0, 1, 4, 9, 16, 25});
  const double factor[] = {1.5};
  for (const Case& c : cases) {
    CAPTURE(boundary_mode_name(c.mode));
    CAPTURE(c.order);
    auto got = zoom(x.view(), factor, Interpolation(c.order),
                    c.centers ? Grid::kCenters : Grid::kCorners, c.mode, -2.0);
    REQUIRE(got.ok());
    const std::vector<double> values = as_doubles(*got);
    REQUIRE(values.size() == c.want.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      CHECK(std::fabs(values[i] - c.want[i]) < 25e-12);
  }
  // 2-d, mirror: zoom([[1, 2, 0], [3, -1, 5]], (1.5, 2), order=3, mode='mirror'); and the prefilter
  // off: zoom(x, 1.5, order=3, mode='nearest', prefilter=False).
  Volume plane = Volume::allocate(DType::kFloat64, Shape{2, 3}).value();
  const double plane_values[] = {1, 2, 0, 3, -1, 5};
  std::memcpy(plane.bytes().data(), plane_values, sizeof(plane_values));
  const double plane_factors[] = {1.5, 2};
  auto got = zoom(plane.view(), plane_factors, Interpolation::kCubic, Grid::kCorners,
                  BoundaryMode::kMirror);
  REQUIRE(got.ok());
  CHECK(got->shape() == Shape{3, 6});
  const std::vector<double> want2 = {
      1.0000000000000004, 1.4240000000000022,     1.9920000000000018,  1.6960000000000017,
      0.6319999999999997, -8.708311849403575e-16, 2.0000000000000013,  1.4360000000000008,
      0.6080000000000012, 0.7560000000000028,     1.8320000000000014,  2.5000000000000018,
      3.0000000000000027, 1.4480000000000006,     -0.7759999999999992, -0.18399999999999714,
      3.0320000000000027, 5.000000000000002};
  const std::vector<double> got2 = as_doubles(*got);
  for (std::size_t i = 0; i < want2.size(); ++i) CHECK(std::fabs(got2[i] - want2[i]) < 6e-12);
  auto raw = zoom(x.view(), factor, Interpolation::kCubic, Grid::kCorners, BoundaryMode::kNearest,
                  0.0, /*prefilter=*/false);
  REQUIRE(raw.ok());
  const std::vector<double> want_raw = {0.166666666666667,  0.7151692708333331, 1.8958333333333337,
                                        3.8489583333333335, 6.583333333333332,  10.098958333333334,
                                        14.395833333333336, 19.377278645833336, 23.500000000000004};
  const std::vector<double> got_raw = as_doubles(*raw);
  for (std::size_t i = 0; i < want_raw.size(); ++i)
    CHECK(std::fabs(got_raw[i] - want_raw[i]) < 25e-12);
}

TEST_CASE("any cut, any thread count: the bytes of one piece, for orders 2-5 and every mode") {
  std::mt19937_64 rng(2024);
  int checked = 0;
  for (int order = 1; order <= kMaxSplineOrder; ++order) {
    for (BoundaryMode mode : kAllBoundaryModes) {
      const DType dtype = std::array{DType::kFloat32, DType::kUInt16, DType::kFloat64,
                                     DType::kInt8}[std::size_t(rng() % 4)];
      // Lengths from 1 (a line shorter than the halo is filtered whole) to beyond the halo.
      // Every other case has a long first axis: zoom_into streams it in steps.
      const Shape in_shape =
          checked % 2 ? Shape{Index(1 + rng() % 4), Index(3 + rng() % 20), Index(40 + rng() % 40)}
                      : Shape{Index(60 + rng() % 90), Index(1 + rng() % 9), Index(2 + rng() % 30)};
      Shape out_shape = in_shape;
      for (int a = 0; a < 3; ++a)
        out_shape[a] =
            std::max<Index>(1, Index(double(in_shape[a]) * (0.4 + 0.3 * double(rng() % 7))));
      ResampleSpec spec{
          in_shape, out_shape, Interpolation(order), rng() % 2 ? Grid::kCenters : Grid::kCorners,
          mode,     7.5,       rng() % 5 != 0};
      const Volume input = random_volume(dtype, in_shape, rng);
      Volume whole = Volume::zeros(dtype, out_shape).value();
      {
        const Box all = Box::from_shape(out_shape);
        const Box needed = required_input_box(spec, all);
        REQUIRE(resample_box(spec, input.view().subview(needed), needed.origin, whole.view(), all)
                    .ok());
      }
      CAPTURE(order);
      CAPTURE(boundary_mode_name(mode));
      CAPTURE(dtype_name(dtype));
      CHECK(same_bytes(box_by_box(spec, input, dtype, rng), whole));
      for (int threads : {1, 2, 3}) {
        Volume in_memory = Volume::zeros(dtype, out_shape).value();
        Status status;
        tbb::task_arena(threads).execute(
            [&] { status = zoom_into(input.view(), in_memory.view(), spec); });
        REQUIRE(status.ok());
        CHECK(same_bytes(in_memory, whole));
      }
      ++checked;
    }
  }
  CHECK(checked == 5 * 8);
}

TEST_CASE("resample_scratch_bytes is what resample_box takes from its Workspace") {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 60; ++trial) {
    const Shape in_shape{Index(2 + rng() % 30), Index(2 + rng() % 60)};
    const Shape out_shape{Index(1 + rng() % 50), Index(1 + rng() % 90)};
    const ResampleSpec spec{in_shape,
                            out_shape,
                            Interpolation(rng() % 6),
                            Grid::kCenters,
                            kAllBoundaryModes[rng() % 8],
                            0.0,
                            rng() % 3 != 0};
    const Volume input = random_volume(DType::kFloat32, in_shape, rng);
    const Box box{{Index(rng() % std::uint64_t(out_shape[0])), 0},
                  {1, Index(1 + rng() % std::uint64_t(out_shape[1]))}};
    Box clipped = box;
    clipped.extent[0] = std::min<Index>(1 + Index(rng() % 9), out_shape[0] - box.origin[0]);
    clipped.extent[1] = std::min<Index>(clipped.extent[1], out_shape[1]);
    Volume out = Volume::zeros(DType::kFloat32, clipped.extent).value();
    const Box needed = required_input_box(spec, clipped);
    Workspace workspace;
    REQUIRE(resample_box(spec, input.view().subview(needed), needed.origin, out.view(), clipped,
                         workspace)
                .ok());
    CHECK(workspace.bytes_held() == resample_scratch_bytes(spec, clipped));
  }
}

TEST_CASE(
    "a constant input box gives that constant exactly where resample_keeps_constant says so") {
  std::mt19937_64 rng(9);
  int kept = 0, refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Index n = 1 + Index(rng() % 90);
    const Index m = 1 + Index(rng() % 120);
    ResampleSpec spec{{6, n},
                      {5, m},
                      Interpolation(rng() % 6),
                      rng() % 2 ? Grid::kCenters : Grid::kCorners,
                      kAllBoundaryModes[rng() % 8],
                      -3.0,
                      rng() % 4 != 0};
    const Index lo = Index(rng() % std::uint64_t(m));
    const Box box{{0, lo}, {5, 1 + Index(rng() % std::uint64_t(m - lo))}};
    const double value = std::array{12.25, -0.5, 1e300, 0.0}[std::size_t(rng() % 4)];
    const Box needed = required_input_box(spec, box);
    Volume input = Volume::allocate(DType::kFloat64, needed.extent).value();
    auto* in = reinterpret_cast<double*>(input.bytes().data());
    std::fill(in, in + input.num_elements(), value);
    Volume out = Volume::zeros(DType::kFloat64, box.extent).value();
    REQUIRE(resample_box(spec, input.view(), needed.origin, out.view(), box).ok());
    const std::vector<double> values = as_doubles(out);
    bool all_value = true;
    for (double v : values) all_value = all_value && std::memcmp(&v, &value, sizeof v) == 0;
    if (resample_keeps_constant(spec, box, value)) {
      ++kept;
      CHECK_MESSAGE(all_value, "order ", spec.order(), " mode ", boundary_mode_name(spec.mode));
    } else {
      ++refused;
    }
  }
  CHECK(kept > 100);
  CHECK(refused > 50);
  // Where cval shows, or the value is not finite, the shortcut is refused.
  const ResampleSpec constant{
      {100}, {200}, Interpolation::kCubic, Grid::kCenters, BoundaryMode::kConstant};
  CHECK_FALSE(resample_keeps_constant(constant, Box{{0}, {20}}, 1.0));  // s(0) = -0.25: cval
  CHECK(resample_keeps_constant(constant, Box{{10}, {20}}, 1.0));
  CHECK_FALSE(
      resample_keeps_constant(constant, Box{{10}, {20}}, std::numeric_limits<double>::infinity()));
  // A line no longer than the halo is prefiltered whole by scipy's recursion: refused.
  const ResampleSpec short_line{
      {10}, {20}, Interpolation::kCubic, Grid::kCenters, BoundaryMode::kMirror};
  CHECK_FALSE(resample_keeps_constant(short_line, Box{{5}, {10}}, 1.0));
}

TEST_CASE("order 1 with an infinity gives scipy's infinities, and NaN only at zero weights") {
  // scipy.ndimage.zoom(np.array([0, inf, 2, 3], np.float32), 2, order=1, mode='nearest',
  // grid_mode=False): s = 3i/7; outputs reading voxel 1 with a positive weight are inf. With
  // grid_mode=True (s = i/2 - 0.25) every output reading it is inf too.
  std::vector<float> values = {0, std::numeric_limits<float>::infinity(), 2, 3};
  const ConstArrayView view(reinterpret_cast<const std::byte*>(values.data()), DType::kFloat32,
                            Shape{4});
  const double two[] = {2.0};
  auto corners = zoom(view, two, Interpolation::kLinear, Grid::kCorners);
  REQUIRE(corners.ok());
  const auto* c = reinterpret_cast<const float*>(corners->bytes().data());
  // i = 0: s = 0 (weight 0 on the infinity: 0 * inf = NaN, as scipy); 1, 2, 3, 4: between
  // voxels 0-1 and 1-2: inf; 5..7: voxels 2-3: finite.
  CHECK(std::isnan(c[0]));
  for (int i = 1; i <= 4; ++i) CHECK((std::isinf(c[i]) && c[i] > 0));
  for (int i = 5; i < 8; ++i) CHECK(std::isfinite(c[i]));
  auto centers = zoom(view, two, Interpolation::kLinear, Grid::kCenters);
  REQUIRE(centers.ok());
  const auto* s = reinterpret_cast<const float*>(centers->bytes().data());
  CHECK(s[0] == 0.0f);  // s = -0.25: voxel 0 twice
  for (int i = 1; i <= 4; ++i) CHECK((std::isinf(s[i]) && s[i] > 0));
  CHECK(s[5] == 2.25f);
}

TEST_CASE("output dtypes: float64 is the unrounded double, others convert it as scipy does") {
  std::mt19937_64 rng(17);
  const Shape shape{7, 23};
  const Volume input = random_volume(DType::kUInt16, shape, rng);
  Volume as_double = Volume::allocate(DType::kFloat64, shape).value();
  const auto* in = reinterpret_cast<const std::uint16_t*>(input.bytes().data());
  auto* d = reinterpret_cast<double*>(as_double.bytes().data());
  for (Index i = 0; i < input.num_elements(); ++i) d[i] = in[i];
  for (int order = 0; order <= kMaxSplineOrder; ++order) {
    const ResampleSpec spec{
        shape, {11, 17}, Interpolation(order), Grid::kCorners, BoundaryMode::kMirror};
    Volume from_u16 = Volume::zeros(DType::kFloat64, spec.output_shape).value();
    Volume from_f64 = Volume::zeros(DType::kFloat64, spec.output_shape).value();
    Volume to_u8 = Volume::zeros(DType::kUInt8, spec.output_shape).value();
    Volume to_bool = Volume::zeros(DType::kBool, spec.output_shape).value();
    REQUIRE(zoom_into(input.view(), from_u16.view(), spec).ok());
    REQUIRE(zoom_into(as_double.view(), from_f64.view(), spec).ok());
    REQUIRE(zoom_into(input.view(), to_u8.view(), spec).ok());
    REQUIRE(zoom_into(input.view(), to_bool.view(), spec).ok());
    CHECK(same_bytes(from_u16, from_f64));
    const std::vector<double> v = as_doubles(from_u16);
    const auto* u8 = reinterpret_cast<const std::uint8_t*>(to_u8.bytes().data());
    const auto* b = reinterpret_cast<const std::uint8_t*>(to_bool.bytes().data());
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double rounded = v[i] >= 0 ? std::floor(v[i] + 0.5) : std::ceil(v[i] - 0.5);
      CHECK(double(u8[i]) == std::clamp(rounded, 0.0, 255.0));
      CHECK(b[i] == (v[i] != 0.0 ? 1 : 0));
    }
  }
}

TEST_CASE("equal shapes with the prefilter on return the input, bit for bit (scipy's zoom 1)") {
  std::vector<std::int64_t> values = {(std::int64_t(1) << 62) + 1, -7, 3};
  const ConstArrayView view(reinterpret_cast<const std::byte*>(values.data()), DType::kInt64,
                            Shape{3});
  const double one[] = {1.0};
  for (int order = 0; order <= kMaxSplineOrder; ++order) {
    auto got = zoom(view, one, Interpolation(order), Grid::kCorners, BoundaryMode::kReflect);
    REQUIRE(got.ok());
    CHECK(std::memcmp(got->bytes().data(), values.data(), sizeof(std::int64_t) * 3) == 0);
  }
}

TEST_CASE("refusals: bool beyond order 0, orders beyond 5, and the CUDA backend beyond order 1") {
  ResampleSpec spec{{4, 4}, {8, 8}, Interpolation::kCubic};
  const Status bool_cubic = spec.validate_for(DType::kBool);
  REQUIRE_FALSE(bool_cubic.ok());
  CHECK(bool_cubic.error().message.find("bool") != std::string::npos);
  CHECK(spec.validate_for(DType::kInt64).ok());
  spec.interpolation = Interpolation(6);
  CHECK_FALSE(spec.validate().ok());
  spec.interpolation = Interpolation::kCubic;
  const Status gpu = check_table_spec(spec);
  REQUIRE_FALSE(gpu.ok());
  CHECK(gpu.error().message.find("order 3") != std::string::npos);
  spec.interpolation = Interpolation::kLinear;
  spec.mode = BoundaryMode::kMirror;
  CHECK_FALSE(check_table_spec(spec).ok());
  spec.mode = BoundaryMode::kNearest;
  CHECK(check_table_spec(spec).ok());
  CHECK(parse_boundary_mode("grid-wrap") == BoundaryMode::kGridWrap);
  CHECK_FALSE(parse_boundary_mode("edge").has_value());
}
