// The coordinate tables the GPU kernels read: every entry is what AxisMap gives the CPU kernels,
// relative to the input box, and the box checks refuse what the CPU refuses.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "zoomflow/kernels/resample_tables.hpp"

using namespace zoomflow;

namespace {

template <class T>
T read_entry(const std::vector<std::byte>& bytes, std::size_t offset, Index k) {
  T value;
  std::memcpy(&value, bytes.data() + offset + std::size_t(k) * sizeof(T), sizeof(T));
  return value;
}

}  // namespace

TEST_CASE("tables hold AxisMap's indices and weights, relative to the input box") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const int rank = 1 + int(rng() % 4);
    Shape in, out;
    for (int a = 0; a < rank; ++a) {
      in.push_back(1 + Index(rng() % 40));
      out.push_back(1 + Index(rng() % 60));
    }
    const ResampleSpec spec{in, out, rng() % 2 ? Interpolation::kLinear : Interpolation::kNearest,
                            rng() % 2 ? Grid::kCorners : Grid::kCenters};
    Box output_box = Box::from_shape(out);
    for (int a = 0; a < rank; ++a) {
      output_box.origin[a] = Index(rng() % std::uint64_t(out[a]));
      output_box.extent[a] = 1 + Index(rng() % std::uint64_t(out[a] - output_box.origin[a]));
    }
    // The needed box, grown by a random margin inside the input.
    Box input_box = required_input_box(spec, output_box);
    for (int a = 0; a < rank; ++a) {
      const Index lo = Index(rng() % std::uint64_t(input_box.origin[a] + 1));
      const Index hi =
          input_box.end(a) + Index(rng() % std::uint64_t(in[a] - input_box.end(a) + 1));
      input_box.origin[a] = lo;
      input_box.extent[a] = hi - lo;
    }
    const ResampleTableLayout expected_layout =
        resample_table_layout(spec.interpolation, output_box.extent);
    std::vector<std::byte> bytes(expected_layout.total_bytes);
    auto layout = write_resample_tables(spec, DType::kUInt16, input_box, output_box, bytes);
    REQUIRE(layout.ok());
    CHECK(layout->total_bytes == expected_layout.total_bytes);
    for (int a = 0; a < rank; ++a) {
      const auto axis = std::size_t(a);
      const AxisMap map = spec.axis(a);
      if (spec.interpolation == Interpolation::kLinear)
        CHECK(layout->weight_offset[axis] % sizeof(double) == 0);
      for (Index k = 0; k < output_box.extent[a]; ++k) {
        const Index i = output_box.origin[a] + k;
        const Index origin = input_box.origin[a];
        if (spec.interpolation == Interpolation::kNearest) {
          const auto j = read_entry<std::int32_t>(bytes, layout->index0_offset[axis], k);
          CHECK(j == map.nearest(i) - origin);
          CHECK(j >= 0);
          CHECK(j < input_box.extent[a]);
        } else {
          const LinearTap tap = map.linear(i);
          const auto j0 = read_entry<std::int32_t>(bytes, layout->index0_offset[axis], k);
          const auto j1 = read_entry<std::int32_t>(bytes, layout->index1_offset[axis], k);
          const auto w = read_entry<double>(bytes, layout->weight_offset[axis], k);
          CHECK(j0 == tap.j0 - origin);
          CHECK(j1 == tap.j1 - origin);
          CHECK(j1 < input_box.extent[a]);
          // Bit for bit: the kernels must start from the CPU's own weights.
          CHECK(std::memcmp(&w, &tap.weight, sizeof w) == 0);
        }
      }
    }
  }
}

TEST_CASE("the layout packs weights first, then first and second indices, axis by axis") {
  const ResampleTableLayout linear = resample_table_layout(Interpolation::kLinear, Shape{3, 5});
  CHECK(linear.weight_offset[0] == 0);
  CHECK(linear.weight_offset[1] == 3 * 8);
  CHECK(linear.index0_offset[0] == 8 * 8);
  CHECK(linear.index0_offset[1] == 8 * 8 + 3 * 4);
  CHECK(linear.index1_offset[0] == 8 * 8 + 8 * 4);
  CHECK(linear.total_bytes == 8 * 16);
  const ResampleTableLayout nearest = resample_table_layout(Interpolation::kNearest, Shape{3, 5});
  CHECK(nearest.index0_offset[1] == 3 * 4);
  CHECK(nearest.total_bytes == 8 * 4);
}

TEST_CASE("write_resample_tables refuses what resample_box refuses") {
  const ResampleSpec spec{{10, 10}, {20, 20}, Interpolation::kLinear, Grid::kCenters};
  std::vector<std::byte> bytes(4096);
  const Box whole_input = Box::from_shape(spec.input_shape);
  SUBCASE("an output box outside the output") {
    const auto r =
        write_resample_tables(spec, DType::kFloat32, whole_input, Box{{10, 10}, {11, 4}}, bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("outside the output shape") != std::string::npos);
  }
  SUBCASE("an input box that misses the linear halo") {
    const Box output_box{{0, 0}, {4, 4}};
    Box input_box = required_input_box(spec, output_box);
    input_box.extent[1] -= 1;
    const auto r = write_resample_tables(spec, DType::kFloat32, input_box, output_box, bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("does not cover the needed box") != std::string::npos);
  }
  SUBCASE("too little room") {
    const auto r = write_resample_tables(spec, DType::kFloat32, whole_input,
                                         Box::from_shape(spec.output_shape),
                                         std::span<std::byte>(bytes.data(), 16));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("need") != std::string::npos);
  }
  SUBCASE("bool with order 1") {
    const auto r = write_resample_tables(spec, DType::kBool, whole_input,
                                         Box::from_shape(spec.output_shape), bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("order 0") != std::string::npos);
  }
}
