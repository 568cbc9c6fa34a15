// Planning: blocks tile the output exactly once, on the chunk grid, with the input they need.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "zoomflow/pipeline/block_plan.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"

using namespace zoomflow;

TEST_CASE("blocks cover every output voxel exactly once, aligned to the chunk grid") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int rank = 2 + int(rng() % 2);
    Shape in, out, chunks, block;
    for (int a = 0; a < rank; ++a) {
      in.push_back(1 + Index(rng() % 30));
      out.push_back(1 + Index(rng() % 40));
      chunks.push_back(1 + Index(rng() % 9));
      block.push_back(chunks[a] * (1 + Index(rng() % 3)));
    }
    const ResampleSpec spec{in, out, rng() % 2 ? Interpolation::kLinear : Interpolation::kNearest,
                            Grid::kCenters};
    const BlockPlan plan = plan_blocks(spec, chunks, block);
    std::vector<int> hits(std::size_t(num_elements(out)), 0);
    const IndexVector strides = contiguous_strides(out);
    for (const PlannedBlock& b : plan.blocks) {
      for (int a = 0; a < rank; ++a) {
        CHECK(b.output_box.origin[a] % chunks[a] == 0);
        CHECK(b.output_box.extent[a] >= 1);
      }
      CHECK(b.input_box == required_input_box(spec, b.output_box));
      IndexVector i = IndexVector::filled(rank, 0);
      for (Index n = 0; n < b.output_box.num_elements(); ++n) {
        Index offset = 0;
        for (int a = 0; a < rank; ++a) offset += (b.output_box.origin[a] + i[a]) * strides[a];
        ++hits[std::size_t(offset)];
        for (int a = rank - 1; a >= 0; --a) {
          if (++i[a] < b.output_box.extent[a]) break;
          i[a] = 0;
        }
      }
    }
    for (int h : hits) REQUIRE(h == 1);
  }
}

TEST_CASE("block shapes are whole chunks within the byte target") {
  const Shape out{1000, 900, 800};
  const Shape chunks{64, 64, 64};
  const Shape bricks =
      choose_block_shape(out, chunks, 2, std::size_t(8) << 20, BlockLayout::kBricks);
  for (int a = 0; a < 3; ++a) CHECK(bricks[a] % 64 == 0);
  CHECK(num_elements(bricks) * 2 <= Index(8) << 20);
  CHECK(num_elements(bricks) * 2 * 2 > Index(8) << 20);  // doubling once more would overshoot
  const Shape slabs = choose_block_shape(out, chunks, 2, std::size_t(8) << 20, BlockLayout::kSlabs);
  CHECK(slabs == Shape{64, 900, 800});
  CHECK(default_chunk_shape(Shape{10, 100, 64}) == Shape{10, 64, 64});
}

TEST_CASE("the memory budget keeps at least one block in flight and respects the limit") {
  const std::uint64_t limit = std::uint64_t(64) << 20;
  const MemoryBudget budget = split_memory_budget(limit, 2);
  CHECK(budget.chunk_cache_bytes <= limit / 4);
  CHECK(budget.block_target_bytes >= std::size_t(1) << 20);
  BlockFootprint small{std::size_t(1) << 20, std::size_t(2) << 20, 0};
  const std::size_t n = blocks_in_flight(limit, budget, small, 2);
  CHECK(n >= 1);
  CHECK(budget.chunk_cache_bytes + n * (small.input_bytes + 2 * small.output_bytes) <= limit);
  BlockFootprint huge{std::size_t(1) << 30, std::size_t(1) << 30, 0};
  CHECK(blocks_in_flight(limit, budget, huge, 2) == 1);
}
