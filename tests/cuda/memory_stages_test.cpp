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
    const BlockPlan plan = plan_blocks(spec, chunks, chunks);
    const std::vector<BlockStage> stages = {
        read_memory_stage(input->view(), pool),
        {"resampling", false,
         [&](BlockWork& work) {
           work.output_buffer =
               pool.acquire(std::size_t(work.block.output_box.num_elements()) * dtype_size(dtype));
           work.output =
               ArrayView(work.output_buffer.bytes.get(), dtype, work.block.output_box.extent);
           return resample_box(spec, work.input, work.block.input_box.origin, work.output,
                               work.block.output_box);
         }},
        write_memory_stage(output->view()),
    };
    BlockGraphOptions options;
    options.max_blocks_in_flight = 5;
    options.pool = &pool;
    Status status;
    tbb::task_arena(2).execute([&] { status = run_block_graph(plan, stages, options); });
    REQUIRE(status.ok());
    CHECK(std::memcmp(output->bytes().data(), expected->bytes().data(), output->size_bytes()) == 0);
  }
}
