// The in-memory read and store stages (what the GPU test and the benchmark stream through): with
// the CPU kernel between them, the graph reproduces zoom() exactly.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include <tbb/task_arena.h>

#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/memory_stages.hpp"

using namespace zoomflow;

TEST_CASE("read from memory, resample on the CPU, store to memory: the bytes of zoom()") {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 12; ++trial) {
    const Shape in{5 + Index(rng() % 20), 5 + Index(rng() % 20), 5 + Index(rng() % 20)};
    const Shape out{1 + Index(rng() % 50), 1 + Index(rng() % 50), 1 + Index(rng() % 50)};
    const ResampleSpec spec{in, out, trial % 2 ? Interpolation::kLinear : Interpolation::kNearest,
                            trial % 3 ? Grid::kCenters : Grid::kCorners};
    const DType dtype = trial % 2 ? DType::kFloat32 : DType::kUInt16;
    auto input = Volume::allocate(dtype, in);
    REQUIRE(input.ok());
    REQUIRE(fill_pattern(Pattern::kNoise, in, Box::from_shape(in), input->view(), trial).ok());
    auto expected = zoom(input->view(), spec);
    REQUIRE(expected.ok());
    auto output = Volume::zeros(dtype, out);
    REQUIRE(output.ok());

    BufferPool pool;
    const Shape chunks{1 + Index(rng() % 9), 1 + Index(rng() % 9), 1 + Index(rng() % 9)};
    const BlockGrid blocks(out, chunks);
    const ChainPlan plan =
        plan_chain({in, dtype}, {resample_step({{}, out, spec.interpolation, spec.grid})}).value();
    const std::vector<BlockStage> stages = {
        read_memory_stage(plan, input->view(), pool),
        {"resampling", StageMode::kParallel,
         [&](BlockWork& work) {
           work.output_buffer =
               pool.acquire(std::size_t(work.box.num_elements()) * dtype_size(dtype));
           work.output = ArrayView(work.output_buffer.bytes.get(), dtype, work.box.extent);
           return resample_box(spec, work.input, work.input_box.origin, work.output, work.box);
         }},
        write_memory_stage(output->view()),
    };
    const std::function<void(BlockWork&)> recycle = [&pool](BlockWork& work) {
      pool.release(std::move(work.input_buffer));
      pool.release(std::move(work.output_buffer));
    };
    Status status;
    tbb::task_arena(2).execute([&] {
      status = run_block_graph<BlockWork>(blocks, stages,
                                          {.max_in_flight = 5, .cancel = CancelToken()}, recycle);
    });
    REQUIRE(status.ok());
    CHECK(std::memcmp(output->bytes().data(), expected->bytes().data(), output->size_bytes()) == 0);
  }
}
