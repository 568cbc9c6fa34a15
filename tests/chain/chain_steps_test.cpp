// Chain steps against plain loops, the step parser's refusals, and block-cut invariance of a
// chain with halos (gaussian) and resampling.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"

using namespace zoomflow;

namespace {

// One step over float64 input values; its output (in the step's own value type) as doubles.
std::vector<double> apply_step(const ChainStep& step, const StepGeometry& in, const Box& in_box,
                               const std::vector<double>& values, const Box& out_box) {
  Volume out = Volume::allocate(step.value_type(DType::kFloat64), out_box.extent).value();
  Workspace workspace;
  const CancelToken cancel;
  StepContext context{workspace, cancel};
  const ConstArrayView input(reinterpret_cast<const std::byte*>(values.data()), DType::kFloat64,
                             in_box.extent);
  REQUIRE(step.apply(in, in_box, input, out_box, out.view(), context).ok());
  std::vector<double> result(std::size_t(out_box.num_elements()));
  REQUIRE(convert_array(out.view(), ArrayView(reinterpret_cast<std::byte*>(result.data()),
                                              DType::kFloat64, out_box.extent))
              .ok());
  return result;
}

std::vector<double> apply_whole(const ChainStepPtr& step, const StepGeometry& in,
                                const std::vector<double>& values) {
  const StepGeometry out = step->output(in).value();
  const Box out_box = Box::from_shape(out.shape);
  return apply_step(*step, in, step->input_box(out_box, in), values, out_box);
}

// Runs a chain over `output_box` only, from the input values of the whole volume.
std::vector<double> run_box(const ChainPlan& plan, const std::vector<double>& volume,
                            const Box& output_box) {
  const std::vector<ChainStepPtr>& steps = plan.steps;
  const std::vector<StepGeometry>& geometry = plan.geometry;
  const std::vector<Box> boxes = plan.boxes(output_box);
  const Shape& shape = geometry.front().shape;
  std::vector<double> current;
  const Box& first = boxes.front();
  for (Index z = 0; z < first.extent[0]; ++z)
    for (Index y = 0; y < first.extent[1]; ++y)
      for (Index x = 0; x < first.extent[2]; ++x)
        current.push_back(
            volume[std::size_t(((first.origin[0] + z) * shape[1] + first.origin[1] + y) * shape[2] +
                               first.origin[2] + x)]);
  for (std::size_t k = 0; k < steps.size(); ++k)
    current = apply_step(*steps[k], geometry[k], boxes[k], current, boxes[k + 1]);
  return current;
}

}  // namespace

TEST_CASE("pointwise steps equal plain loops") {
  const std::vector<double> v{-300.5, -1.5, -0.5, 0.0, 0.49, 0.5, 2.5, 127.5, 300.0, 1e6};
  const StepGeometry g{{Index(v.size())}, DType::kFloat64};
  const auto clipped = apply_whole(clip_step(0, 255), g, v);
  const auto scaled = apply_whole(scale_step(0.5, 3), g, v);
  const auto cast = apply_whole(cast_step(DType::kUInt8), g, v);
  const auto signed_cast = apply_whole(cast_step(DType::kInt8), g, v);
  const auto mask = apply_whole(threshold_step(Comparison::kGreater, 0.5), g, v);
  for (std::size_t i = 0; i < v.size(); ++i) {
    CHECK(clipped[i] == std::min(255.0, std::max(0.0, v[i])));
    CHECK(scaled[i] == v[i] * 0.5 + 3);
    // Round half away from zero, then saturate.
    const double rounded = v[i] < 0 ? -std::floor(-v[i] + 0.5) : std::floor(v[i] + 0.5);
    CHECK(cast[i] == std::min(255.0, std::max(0.0, rounded)));
    CHECK(signed_cast[i] == std::min(127.0, std::max(-128.0, rounded)));
    CHECK(mask[i] == (v[i] > 0.5 ? 1.0 : 0.0));
  }
  CHECK(cast_step(DType::kUInt8)->output(g).value().dtype == DType::kUInt8);
  CHECK(threshold_step(Comparison::kLess, 1)->output(g).value().dtype == DType::kBool);
}

TEST_CASE("gaussian weights and edges follow scipy's definition") {
  // A single 1 in the middle of a long line: the result is the normalised kernel itself.
  const int n = 41;
  std::vector<double> line(n, 0.0);
  line[20] = 1.0;
  const double sigma = 2.0;
  const auto blurred = apply_whole(gaussian_step({sigma}), {{n}, DType::kFloat64}, line);
  const int radius = int(4 * sigma + 0.5);
  double sum = 0;
  for (int x = -radius; x <= radius; ++x) sum += std::exp(-0.5 * x * x / (sigma * sigma));
  for (int i = 0; i < n; ++i) {
    const int x = i - 20;
    const double want = std::abs(x) <= radius ? std::exp(-0.5 * x * x / (sigma * sigma)) / sum : 0;
    CHECK(blurred[std::size_t(i)] == doctest::Approx(want).epsilon(1e-14));
  }
  // mode 'nearest': a constant line stays constant up to rounding, edges included.
  const std::vector<double> flat(7, 3.0);
  for (double v : apply_whole(gaussian_step({1.5}), {{7}, DType::kFloat64}, flat))
    CHECK(v == doctest::Approx(3.0).epsilon(1e-14));
}

TEST_CASE("a chain cut into any boxes gives the values of the whole, halos at every border") {
  std::mt19937_64 rng(8);
  const Shape shape{13, 17, 11};
  std::vector<double> volume(std::size_t(num_elements(shape)));
  for (double& v : volume) v = std::uniform_real_distribution<double>(0, 1000)(rng);
  const std::vector<ChainStepPtr> steps = {
      gaussian_step({1.0, 0.7, 1.6}), resample_step({{1.5, 0.8, 2.0}, {}, Interpolation::kLinear}),
      clip_step(100, 900), gaussian_step({0.8})};
  const ChainPlan plan = plan_chain({shape, DType::kUInt16}, steps).value();
  const Shape& out = plan.output().shape;
  const std::vector<double> whole = run_box(plan, volume, Box::from_shape(out));
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    Box box = Box::from_shape(out);
    for (int a = 0; a < 3; ++a) {
      box.origin[a] = Index(rng() % std::uint64_t(out[a]));
      box.extent[a] = 1 + Index(rng() % std::uint64_t(out[a] - box.origin[a]));
    }
    const std::vector<double> part = run_box(plan, volume, box);
    for (Index z = 0; z < box.extent[0]; ++z)
      for (Index y = 0; y < box.extent[1]; ++y)
        for (Index x = 0; x < box.extent[2]; ++x, ++checked) {
          const double w = whole[std::size_t(
              ((box.origin[0] + z) * out[1] + box.origin[1] + y) * out[2] + box.origin[2] + x)];
          REQUIRE(part[std::size_t((z * box.extent[1] + y) * box.extent[2] + x)] == w);
        }
  }
  CHECK(checked > 1000);
}

TEST_CASE("bad steps are refused with the step named") {
  for (const char* text :
       {"blur:sigma=1", "gaussian", "gaussian:sigma=-1", "cast:uint3", "clip:lo=5,hi=1",
        "clip:lo=1", "threshold:over=3", "scale:mul=x", "resample:order=1", "resample:zoom=0",
        "resample:zoom=2,order=6", "resample:zoom=2,mode=edge", "resample:zoom=2,prefilter=maybe",
        "resample:zoom=2,grid=middle", "clip:lo=0,hi=1,lo=2"}) {
    auto step = parse_step(text);
    CAPTURE(text);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().code == ErrorCode::kInvalidArgument);
    CHECK(step.error().message.find(text) != std::string::npos);
  }
  CHECK(parse_step("resample:zoom=2,0.5,1,order=1,grid=corners").ok());
  CHECK(parse_step("threshold:ge=0.5").ok());
  // Order 1 on bool is refused when the chain meets the input, naming the step.
  const std::vector<ChainStepPtr> chain = {threshold_step(Comparison::kGreater, 3),
                                           parse_step("resample:zoom=2,order=1").value()};
  auto geometry = plan_chain({{4, 4}, DType::kUInt8}, chain);
  REQUIRE_FALSE(geometry.ok());
  CHECK(geometry.error().message.find("resample:zoom=2,order=1") != std::string::npos);
  auto json = parse_steps_json(
      R"([{"step": "gaussian", "sigma": [1, 1, 2]}, {"step": "cast", "dtype": "uint8"}])");
  REQUIRE(json.ok());
  CHECK(json->size() == 2);
  CHECK(json->at(0)->describe() == "gaussian:sigma=1,1,2");
  CHECK_FALSE(parse_steps_json(R"({"step": "cast"})").ok());
  CHECK_FALSE(parse_steps_json(R"([{"sigma": 1}])").ok());
}
