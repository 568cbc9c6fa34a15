// The CUDA kernels against the CPU kernels, byte for byte: random dtypes, ranks, shapes, zooms
// (up and down, integer and not), orders, grids, output boxes and input boxes larger than
// needed; whole arrays against zoom(); several streams at once; clear errors.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "random_volume.hpp"
#include "zoomflow/kernels/cuda/kernel_timing.hpp"
#include "zoomflow/kernels/cuda/resampler.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/zoom.hpp"

using namespace zoomflow;

namespace {

// The voxels of `box` of `volume`, as a contiguous volume of their own.
Volume copy_box(const Volume& volume, const Box& box) {
  auto copy = Volume::allocate(volume.dtype(), box.extent);
  REQUIRE(copy.ok());
  // resample_box with equal shapes on a grid that maps i to i is a plain copy; simpler to copy
  // rows by hand.
  const ConstArrayView source = volume.view().subview(box);
  const int rank = box.rank();
  const auto element = Index(dtype_size(volume.dtype()));
  const Index row_bytes = box.extent[rank - 1] * element;
  IndexVector row = IndexVector::filled(rank, 0);
  const Index rows = box.num_elements() / box.extent[rank - 1];
  for (Index r = 0; r < rows; ++r) {
    Index offset = 0;
    for (int a = 0; a < rank; ++a) offset += row[a] * source.strides()[a];
    std::memcpy(copy->bytes().data() + r * row_bytes, source.data() + offset * element,
                std::size_t(row_bytes));
    for (int a = rank - 2; a >= 0; --a) {
      if (++row[a] < box.extent[a]) break;
      row[a] = 0;
    }
  }
  return std::move(*copy);
}

struct Case {
  ResampleSpec spec;
  DType dtype;
  Box output_box;
  Box input_box;
};

Case random_case(std::mt19937_64& rng) {
  Case c;
  const int rank = int(std::vector<int>{1, 2, 2, 3, 3, 3, 4, 5}[rng() % 8]);
  const Index max_length = rank >= 4 ? 7 : 40;
  for (int a = 0; a < rank; ++a) {
    const Index n = 1 + Index(rng() % std::uint64_t(max_length));
    Index m;
    switch (rng() % 4) {
      case 0:
        m = n * Index(1 + rng() % 4);  // integer upsampling
        break;
      case 1:
        m = std::max<Index>(1, n / Index(1 + rng() % 4));  // downsampling
        break;
      case 2:
        m = n;
        break;
      default:
        m = 1 + Index(rng() % std::uint64_t(max_length * 2));  // anything
    }
    c.spec.input_shape.push_back(n);
    c.spec.output_shape.push_back(m);
  }
  c.spec.interpolation = rng() % 2 ? Interpolation::kLinear : Interpolation::kNearest;
  c.spec.grid = rng() % 2 ? Grid::kCorners : Grid::kCenters;
  c.dtype = kAllDTypes[rng() % std::size(kAllDTypes)];
  if (c.dtype == DType::kBool) c.spec.interpolation = Interpolation::kNearest;
  c.output_box = Box::from_shape(c.spec.output_shape);
  if (rng() % 3 != 0) {
    for (int a = 0; a < rank; ++a) {
      const Index m = c.spec.output_shape[a];
      c.output_box.origin[a] = Index(rng() % std::uint64_t(m));
      c.output_box.extent[a] = 1 + Index(rng() % std::uint64_t(m - c.output_box.origin[a]));
    }
  }
  c.input_box = required_input_box(c.spec, c.output_box);
  for (int a = 0; a < rank; ++a) {
    if (rng() % 2) continue;
    const Index lo = Index(rng() % std::uint64_t(c.input_box.origin[a] + 1));
    const Index hi = c.input_box.end(a) +
                     Index(rng() % std::uint64_t(c.spec.input_shape[a] - c.input_box.end(a) + 1));
    c.input_box.origin[a] = lo;
    c.input_box.extent[a] = hi - lo;
  }
  return c;
}

std::string describe(const Case& c) {
  return std::string(dtype_name(c.dtype)) + " " + to_string(c.spec.input_shape) + " -> " +
         to_string(c.spec.output_shape) + " order " + std::to_string(int(c.spec.interpolation)) +
         (c.spec.grid == Grid::kCenters ? " centers" : " corners") + ", output box " +
         to_string(c.output_box) + " from input box " + to_string(c.input_box);
}

}  // namespace

TEST_CASE("random boxes: the GPU's bytes are the CPU's") {
  std::mt19937_64 rng(20261124);
  int compared = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const Case c = random_case(rng);
    CAPTURE(describe(c));
    auto input = Volume::allocate(c.dtype, c.spec.input_shape);
    REQUIRE(input.ok());
    testing::fill_random(*input, c.spec.interpolation, rng);

    auto cpu = Volume::allocate(c.dtype, c.output_box.extent);
    auto gpu = Volume::allocate(c.dtype, c.output_box.extent);
    REQUIRE(cpu.ok());
    REQUIRE(gpu.ok());
    std::memset(gpu->bytes().data(), 0xA5, gpu->size_bytes());  // no stale zeros pass by luck
    REQUIRE(resample_box(c.spec, input->view().subview(c.input_box), c.input_box.origin,
                         cpu->view(), c.output_box)
                .ok());

    const Volume input_box = copy_box(*input, c.input_box);
    const cuda::ResamplerCapacity capacity{input_box.size_bytes(), gpu->size_bytes(),
                                           c.output_box.extent};
    auto resampler = cuda::CudaResampler::create(c.spec, c.dtype, capacity, 1);
    REQUIRE(resampler.ok());
    const Status status =
        resampler->run(0, input_box.view(), c.input_box.origin, gpu->view(), c.output_box);
    REQUIRE_MESSAGE(status.ok(), status.error().message);
    CHECK(std::memcmp(cpu->bytes().data(), gpu->bytes().data(), cpu->size_bytes()) == 0);
    ++compared;
  }
  CHECK(compared == 400);
}

TEST_CASE("whole volumes, every dtype, ranks 2 and 3: the GPU's bytes are zoom()'s") {
  const std::vector<std::vector<double>> zooms = {
      {2, 2, 2}, {4, 4, 4}, {0.5, 0.5, 0.5}, {1.7, 0.3, 3.1}, {1, 2.5, 1}};
  int cases = 0;
  for (const DType dtype : kAllDTypes) {
    for (const auto& factors : zooms) {
      for (const Interpolation order : {Interpolation::kNearest, Interpolation::kLinear}) {
        if (dtype == DType::kBool && order == Interpolation::kLinear) continue;
        for (const int rank : {2, 3}) {
          const Shape shape = rank == 3 ? Shape{19, 33, 47} : Shape{61, 90};
          const Pattern pattern = dtype == DType::kBool ? Pattern::kBox : Pattern::kNoise;
          auto input = Volume::allocate(dtype, shape);
          REQUIRE(input.ok());
          REQUIRE(fill_pattern(pattern, shape, Box::from_shape(shape), input->view(), 5).ok());
          const std::vector<double> zoom_factors(factors.begin(), factors.begin() + rank);
          auto output_shape = zoomed_shape(shape, zoom_factors);
          REQUIRE(output_shape.ok());
          for (const Grid grid : {Grid::kCenters, Grid::kCorners}) {
            const ResampleSpec spec{shape, *output_shape, order, grid};
            CAPTURE(std::string(dtype_name(dtype)) + " " + to_string(spec.output_shape));
            auto expected = zoom(input->view(), spec);
            REQUIRE(expected.ok());
            auto actual = Volume::allocate(dtype, spec.output_shape);
            REQUIRE(actual.ok());
            ArrayView view = actual->view();
            auto timing = cuda::time_kernel(spec, input->view(), 1, &view);
            REQUIRE_MESSAGE(timing.ok(), timing.error().message);
            CHECK(std::memcmp(actual->bytes().data(), expected->bytes().data(),
                              actual->size_bytes()) == 0);
            ++cases;
          }
        }
      }
    }
  }
  MESSAGE(cases << " whole-volume cases compared");
}

TEST_CASE("several slots from several threads at once") {
  const ResampleSpec spec{{40, 50, 60}, {80, 100, 120}, Interpolation::kLinear, Grid::kCenters};
  const DType dtype = DType::kFloat32;
  auto input = Volume::allocate(dtype, spec.input_shape);
  REQUIRE(input.ok());
  REQUIRE(fill_pattern(Pattern::kNoise, spec.input_shape, Box::from_shape(spec.input_shape),
                       input->view(), 1)
              .ok());
  auto expected = zoom(input->view(), spec);
  REQUIRE(expected.ok());
  // Slabs of 10 output planes; each thread owns one slot and takes every fourth slab.
  const Index slab = 10;
  const Box first{{0, 0, 0}, {slab, 100, 120}};
  const Box needed_max = required_input_box(spec, Box{{30, 0, 0}, {slab, 100, 120}});
  const cuda::ResamplerCapacity capacity{std::size_t(needed_max.num_elements() + 4 * 50 * 60) * 4,
                                         std::size_t(first.num_elements()) * 4, first.extent};
  auto resampler = cuda::CudaResampler::create(spec, dtype, capacity, 4);
  REQUIRE(resampler.ok());
  CHECK(resampler->slots() == 4);
  auto output = Volume::allocate(dtype, spec.output_shape);
  REQUIRE(output.ok());
  std::vector<Status> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (Index z = t * slab; z < 80; z += 4 * slab) {
        const Box box{{z, 0, 0}, {slab, 100, 120}};
        const Box in = required_input_box(spec, box);
        const Volume in_box = copy_box(*input, in);
        Status s = resampler->run(t, in_box.view(), in.origin, output->view().subview(box), box);
        if (!s.ok()) results[std::size_t(t)] = s;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& s : results) CHECK_MESSAGE(s.ok(), s.error().message);
  CHECK(std::memcmp(output->bytes().data(), expected->bytes().data(), output->size_bytes()) == 0);
}

TEST_CASE("clear errors: over capacity, a strided view, a slot that does not exist") {
  const ResampleSpec spec{{16, 16}, {32, 32}, Interpolation::kNearest, Grid::kCenters};
  const cuda::ResamplerCapacity capacity{16 * 16, 16 * 16, Shape{16, 16}};
  auto resampler = cuda::CudaResampler::create(spec, DType::kUInt8, capacity, 2);
  REQUIRE(resampler.ok());
  auto input = Volume::zeros(DType::kUInt8, spec.input_shape);
  auto output = Volume::zeros(DType::kUInt8, spec.output_shape);
  REQUIRE(input.ok());
  REQUIRE(output.ok());
  const IndexVector origin{0, 0};
  const Status too_big =
      resampler->run(0, input->view(), origin, output->view(), Box::from_shape(spec.output_shape));
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().code == ErrorCode::kInvalidArgument);

  const Box quarter{{0, 0}, {16, 16}};
  const Box in = required_input_box(spec, quarter);
  CHECK(resampler
            ->run(1, input->view().subview(in), in.origin, output->view().subview(quarter), quarter)
            .ok() == false);  // a strided input view is refused: the backend takes contiguous
  CHECK(resampler->run(2, input->view(), origin, output->view(), quarter).ok() == false);
  CHECK(resampler->finish(0).ok() == false);  // nothing queued
}
