// The CUDA stage in the flow graph with many blocks: page-locked buffers from the pool, several
// streams, suspended tasks; the result is zoom()'s, whatever the block grid. Also the GPU memory
// bound: a limit below one block's needs is a clear kOutOfMemory, and the stream count follows
// the limit.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include <tbb/task_arena.h>

#include "random_volume.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/cuda_resample_stage.hpp"
#include "zoomflow/pipeline/memory_stages.hpp"

using namespace zoomflow;

namespace {

struct StageCase {
  Shape input_shape;
  Shape output_shape;
  Interpolation order;
  Grid grid;
  DType dtype;
  Shape chunks;
  int threads;
};

void run_case(const StageCase& c) {
  CAPTURE(std::string(dtype_name(c.dtype)) + " " + to_string(c.input_shape) + " -> " +
          to_string(c.output_shape) + " chunks " + to_string(c.chunks));
  const ResampleSpec spec{c.input_shape, c.output_shape, c.order, c.grid};
  auto input = Volume::allocate(c.dtype, c.input_shape);
  REQUIRE(input.ok());
  std::mt19937_64 rng(c.threads * 1000 + int(c.dtype));
  testing::fill_random(*input, c.order, rng);
  auto expected = zoom(input->view(), spec);
  REQUIRE(expected.ok());
  auto output = Volume::allocate(c.dtype, c.output_shape);
  REQUIRE(output.ok());
  std::memset(output->bytes().data(), 0x5A, output->size_bytes());

  const BlockGrid blocks(c.output_shape, c.chunks);
  REQUIRE(blocks.count() >= 50);
  const ChainPlan plan =
      plan_chain({c.input_shape, c.dtype}, {resample_step({{}, c.output_shape, c.order, c.grid})})
          .value();
  auto stage = CudaResampleStage::create(spec, c.dtype, blocks, {0, 8, 3});
  REQUIRE_MESSAGE(stage.ok(), stage.error().message);
  CHECK((*stage)->streams() == 3);
  BufferPool pool(pinned_buffer_allocator());
  const std::vector<BlockStage> stages = {read_memory_stage(plan, input->view(), pool),
                                          (*stage)->block_stage(pool, {}),
                                          write_memory_stage(output->view())};
  const std::function<void(BlockWork&)> recycle = [&pool](BlockWork& work) {
    pool.release(std::move(work.input_buffer));
    pool.release(std::move(work.output_buffer));
  };
  Status status;
  tbb::task_arena(c.threads).execute([&] {
    status = run_block_graph<BlockWork>(blocks, stages,
                                        {.max_in_flight = 8, .cancel = CancelToken()}, recycle);
  });
  REQUIRE_MESSAGE(status.ok(), status.error().message);
  CHECK(std::memcmp(output->bytes().data(), expected->bytes().data(), output->size_bytes()) == 0);
  MESSAGE(blocks.count() << " blocks, " << (*stage)->peak_streams_busy() << " of "
                         << (*stage)->streams() << " streams busy at once, " << c.threads
                         << " threads");
  // Overlap depends on timing, so it is reported, not required.
  WARN((*stage)->peak_streams_busy() >= 2);
}

}  // namespace

TEST_CASE("many blocks through the multi-stream stage equal zoom(), with one thread and two") {
  run_case({{40, 64, 72},
            {80, 128, 144},
            Interpolation::kNearest,
            Grid::kCenters,
            DType::kUInt16,
            {16, 32, 32},
            1});
  run_case({{40, 64, 72},
            {80, 128, 144},
            Interpolation::kNearest,
            Grid::kCenters,
            DType::kBool,
            {16, 32, 32},
            2});
  run_case({{50, 61, 77},
            {33, 150, 99},
            Interpolation::kLinear,
            Grid::kCorners,
            DType::kFloat32,
            {8, 32, 24},
            2});
  run_case({{30, 40, 50},
            {75, 100, 125},
            Interpolation::kLinear,
            Grid::kCenters,
            DType::kInt16,
            {16, 16, 64},
            1});
  run_case({{200, 300},
            {700, 450},
            Interpolation::kLinear,
            Grid::kCenters,
            DType::kFloat64,
            {64, 48},
            2});
}

TEST_CASE("the GPU memory limit bounds the streams, and below one block it is a clear error") {
  const ResampleSpec spec{{64, 64, 64}, {128, 128, 128}, Interpolation::kNearest, Grid::kCenters};
  const BlockGrid plan(Shape{128, 128, 128}, Shape{32, 32, 32});
  const std::uint64_t one_block = cuda::CudaResampler::slot_device_bytes(
      spec, DType::kUInt8, {16 * 16 * 16 + 4096, 32 * 32 * 32, Shape{32, 32, 32}});
  const auto tiny = CudaResampleStage::create(spec, DType::kUInt8, plan, {1024, 8, 3});
  REQUIRE_FALSE(tiny.ok());
  CHECK(tiny.error().code == ErrorCode::kOutOfMemory);
  CHECK(tiny.error().message.find("--gpu-memory-limit") != std::string::npos);
  // Room for two blocks' buffers: two streams, not three.
  const auto two = CudaResampleStage::create(spec, DType::kUInt8, plan, {2 * one_block, 8, 3});
  REQUIRE_MESSAGE(two.ok(), two.error().message);
  CHECK((*two)->streams() == 2);
  CHECK((*two)->device_bytes() <= 2 * one_block);
}
