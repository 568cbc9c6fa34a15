// The GPU kernels' per-thread code (kernel_rows.hpp), run on the host over every run of every
// row exactly as the launch grid covers a box, against the CPU kernel: the value-deciding part
// of the CUDA backend, checked byte for byte on machines without a GPU. (What it cannot check
// here: the device's own arithmetic, which --fmad=false and IEEE double make the same, and the
// launch geometry and wide stores, which the GPU tests cover.)
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "random_volume.hpp"
#include "zoomflow/kernels/cuda/kernel_rows.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"

using namespace zoomflow;
using namespace zoomflow::cuda::detail;

namespace {

// The unsigned type of an element's size: what the order-0 kernel copies.
template <int kSize>
struct BitsOf;
template <>
struct BitsOf<1> {
  using type = std::uint8_t;
};
template <>
struct BitsOf<2> {
  using type = std::uint16_t;
};
template <>
struct BitsOf<4> {
  using type = std::uint32_t;
};
template <>
struct BitsOf<8> {
  using type = std::uint64_t;
};

// Every thread of the grid, one after another: (z, y) rows, runs of kPerThread from x0.
template <class T, int kRank>
void emulate_grid(const KernelArgs& args) {
  const std::int64_t x_extent = args.output_extent[kRank - 1];
  const std::int64_t y_extent = kRank >= 2 ? args.output_extent[kRank - 2] : 1;
  T* output = static_cast<T*>(args.output);
  const bool linear = args.interpolation == Interpolation::kLinear;
  constexpr int kPerThread = kLinearPerThread < T,
                kRank >> kNearestPerThread<T> ? kLinearPerThread<T, kRank> : kNearestPerThread<T>;
  for (std::int64_t x0 = 0; x0 < x_extent;) {
    const int per_thread = linear ? kLinearPerThread<T, kRank> : kNearestPerThread<T>;
    for (std::int64_t z = 0; z < args.outer_rows; ++z) {
      std::int64_t coordinate[kRank];
      outer_coordinates<kRank>(args, z, coordinate);
      for (std::int64_t y = 0; y < y_extent; ++y) {
        if constexpr (kRank >= 2) coordinate[kRank - 2] = y;
        T values[kPerThread] = {};
        if (linear) {
          T run[kLinearPerThread<T, kRank>];
          linear_row<T, kRank>(args, linear_taps<kRank, kLinearPerThread<T, kRank>>(args, x0),
                               coordinate, run);
          std::memcpy(values, run, sizeof run);
        } else {
          using Bits = typename BitsOf<int(sizeof(T))>::type;
          Bits run[kNearestPerThread<T>];
          nearest_row<Bits, kRank>(args, nearest_taps<kRank, kNearestPerThread<T>>(args, x0),
                                   coordinate, run);
          std::memcpy(values, run, sizeof run);
        }
        T* row = output + (z * y_extent + y) * x_extent;
        for (int e = 0; e < per_thread; ++e)
          if (x0 + e < x_extent) row[x0 + e] = values[e];
      }
    }
    x0 += per_thread;
  }
}

template <class T>
void emulate(const KernelArgs& args) {
  switch (args.rank) {
    case 1:
      return emulate_grid<T, 1>(args);
    case 2:
      return emulate_grid<T, 2>(args);
    case 3:
      return emulate_grid<T, 3>(args);
    case 4:
      return emulate_grid<T, 4>(args);
    case 5:
      return emulate_grid<T, 5>(args);
    case 6:
      return emulate_grid<T, 6>(args);
    case 7:
      return emulate_grid<T, 7>(args);
    default:
      return emulate_grid<T, 8>(args);
  }
}

Volume contiguous_box(const Volume& volume, const Box& box) {
  auto copy = Volume::allocate(volume.dtype(), box.extent);
  REQUIRE(copy.ok());
  visit_dtype(volume.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const StridedView<const T> source = volume.view().as<T>().subview(box);
    T* destination = reinterpret_cast<T*>(copy->bytes().data());
    IndexVector index = IndexVector::filled(box.rank(), 0);
    for (Index i = 0; i < box.num_elements(); ++i) {
      destination[i] = source[index];
      for (int a = box.rank() - 1; a >= 0; --a) {
        if (++index[a] < box.extent[a]) break;
        index[a] = 0;
      }
    }
  });
  return std::move(*copy);
}

}  // namespace

TEST_CASE("the GPU threads' code, run on the host, gives the CPU kernel's bytes") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 600; ++trial) {
    const int rank = 1 + int(rng() % 8);
    const Index max_length = rank >= 5 ? 4 : rank == 4 ? 8 : 30;
    ResampleSpec spec;
    for (int a = 0; a < rank; ++a) {
      const Index n = 1 + Index(rng() % std::uint64_t(max_length));
      const Index m = rng() % 3 == 0 ? n * Index(1 + rng() % 3)
                                     : 1 + Index(rng() % std::uint64_t(2 * max_length));
      spec.input_shape.push_back(n);
      spec.output_shape.push_back(m);
    }
    spec.interpolation = rng() % 3 ? Interpolation::kLinear : Interpolation::kNearest;
    spec.grid = rng() % 2 ? Grid::kCorners : Grid::kCenters;
    DType dtype = kAllDTypes[rng() % std::size(kAllDTypes)];
    if (dtype == DType::kBool) spec.interpolation = Interpolation::kNearest;
    Box output_box = Box::from_shape(spec.output_shape);
    for (int a = 0; a < rank; ++a) {
      if (rng() % 2) continue;
      output_box.origin[a] = Index(rng() % std::uint64_t(spec.output_shape[a]));
      output_box.extent[a] =
          1 + Index(rng() % std::uint64_t(spec.output_shape[a] - output_box.origin[a]));
    }
    Box input_box = required_input_box(spec, output_box);
    for (int a = 0; a < rank; ++a) {
      if (rng() % 2) continue;
      const Index lo = Index(rng() % std::uint64_t(input_box.origin[a] + 1));
      input_box.extent[a] = input_box.end(a) - lo;
      input_box.origin[a] = lo;
    }
    CAPTURE(std::string(dtype_name(dtype)) + " " + to_string(spec.input_shape) + " -> " +
            to_string(spec.output_shape) + " order " + std::to_string(int(spec.interpolation)) +
            " box " + to_string(output_box) + " from " + to_string(input_box));

    auto input = Volume::allocate(dtype, spec.input_shape);
    REQUIRE(input.ok());
    testing::fill_random(*input, spec.interpolation, rng);
    auto cpu = Volume::allocate(dtype, output_box.extent);
    auto rows = Volume::allocate(dtype, output_box.extent);
    REQUIRE(cpu.ok());
    REQUIRE(rows.ok());
    std::memset(rows->bytes().data(), 0xA5, rows->size_bytes());
    REQUIRE(resample_box(spec, input->view().subview(input_box), input_box.origin, cpu->view(),
                         output_box)
                .ok());

    const Volume box_input = contiguous_box(*input, input_box);
    const ResampleTableLayout expected =
        resample_table_layout(spec.interpolation, output_box.extent);
    std::vector<double> storage(expected.total_bytes / sizeof(double) + 1);  // 8-byte aligned
    const std::span<std::byte> tables(reinterpret_cast<std::byte*>(storage.data()),
                                      storage.size() * sizeof(double));
    auto layout = write_resample_tables(spec, dtype, input_box, output_box, tables);
    REQUIRE(layout.ok());
    const KernelArgs args =
        make_kernel_args(dtype, *layout, input_box.extent, output_box.extent, tables.data(),
                         box_input.bytes().data(), rows->bytes().data());
    visit_dtype(dtype, [&](auto tag) { emulate<typename decltype(tag)::type>(args); });
    CHECK(std::memcmp(cpu->bytes().data(), rows->bytes().data(), cpu->size_bytes()) == 0);
  }
}
