// Planning: the lazy block grid tiles the output exactly once, aligned to the units; block
// shapes are whole units within the byte target; the memory plan keeps what it holds under the
// limit and refuses a limit too small for one block, saying what would work.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"

using namespace zoomflow;

TEST_CASE("blocks cover every voxel exactly once, aligned to the unit grid") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    const int rank = 1 + int(rng() % 4);
    Shape shape, block;
    for (int a = 0; a < rank; ++a) {
      shape.push_back(1 + Index(rng() % 40));
      block.push_back(1 + Index(rng() % 12));
    }
    const BlockGrid grid(shape, block);
    std::vector<int> hits(std::size_t(num_elements(shape)), 0);
    const IndexVector strides = contiguous_strides(shape);
    Index expected = 1;
    for (int a = 0; a < rank; ++a) expected *= (shape[a] + block[a] - 1) / block[a];
    REQUIRE(grid.count() == expected);
    for (Index k = 0; k < grid.count(); ++k) {
      const Box b = grid.block(k);
      for (int a = 0; a < rank; ++a) {
        CHECK(b.origin[a] % block[a] == 0);
        CHECK(b.extent[a] >= 1);
        CHECK(b.end(a) <= shape[a]);
      }
      IndexVector i = IndexVector::filled(rank, 0);
      for (Index n = 0; n < b.num_elements(); ++n) {
        Index offset = 0;
        for (int a = 0; a < rank; ++a) offset += (b.origin[a] + i[a]) * strides[a];
        ++hits[std::size_t(offset)];
        for (int a = rank - 1; a >= 0; --a) {
          if (++i[a] < b.extent[a]) break;
          i[a] = 0;
        }
      }
    }
    for (int h : hits) REQUIRE(h == 1);
  }
  // An empty axis has no block at all.
  CHECK(BlockGrid(Shape{0, 10, 10}, Shape{4, 4, 4}).count() == 0);
}

TEST_CASE("a grid of 10^12 blocks costs nothing to hold, and block k is found directly") {
  const BlockGrid grid(Shape{1 << 20, 1 << 20, 1 << 20}, Shape{64, 1, 1});
  CHECK(grid.count() == Index(1) << 54);
  const Box last = grid.block(grid.count() - 1);
  CHECK(last.origin == IndexVector{(1 << 20) - 64, (1 << 20) - 1, (1 << 20) - 1});
}

TEST_CASE("block shapes are whole units within the byte target") {
  const Shape out{1000, 900, 800};
  const Shape chunks{64, 64, 64};
  const Shape bricks = choose_block_shape(out, chunks, 2, std::size_t(8) << 20);
  for (int a = 0; a < 3; ++a) CHECK((bricks[a] % 64 == 0 || bricks[a] == out[a]));
  CHECK(num_elements(bricks) * 2 <= Index(10) << 20);
  const Shape slabs = choose_block_shape(out, chunks, 2, std::size_t(8) << 20, BlockLayout::kSlabs);
  CHECK(slabs == Shape{64, 900, 800});
  CHECK(default_chunk_shape(Shape{10, 100, 64}) == Shape{10, 64, 64});
  // A unit larger than the target is one block.
  CHECK(choose_block_shape(out, Shape{512, 512, 512}, 2, 1 << 20) == Shape{512, 512, 512});
}

TEST_CASE("the memory plan stays under the limit, and a too small limit is refused with a figure") {
  const ChainPlan chain =
      plan_chain({{512, 512, 512}, DType::kUInt16},
                 {gaussian_step({2.0}), resample_step({{2.0}, {}, Interpolation::kLinear})})
          .value();
  for (std::uint64_t mib : {16, 64, 256, 1024}) {
    for (int threads : {1, 2, 8}) {
      MemoryRequest request;
      request.memory_limit = mib << 20;
      request.threads = threads;
      auto plan = plan_memory(chain, Shape{64, 64, 64}, request);
      CAPTURE(mib);
      CAPTURE(threads);
      REQUIRE(plan.ok());
      CHECK(plan->blocks_in_flight >= 1);
      CHECK(plan->planned_bytes(threads) <= request.memory_limit);
      for (int a = 0; a < 3; ++a) CHECK(plan->tile_shape[a] <= plan->block_shape[a]);
    }
  }
  // One 512^3 uint16 output chunk is 256 MiB, held twice by its block (values and compressed).
  MemoryRequest tight;
  tight.memory_limit = std::uint64_t(256) << 20;
  tight.threads = 2;
  auto refused = plan_memory(chain, Shape{512, 512, 512}, tight);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK(refused.error().message.find("--memory-limit") != std::string::npos);
  CHECK(refused.error().message.find("or more") != std::string::npos);
  // The limit it names works.
  const std::string& message = refused.error().message;
  const std::size_t at = message.find("give --memory-limit ") + 20;
  std::size_t used = 0;
  const double amount = std::stod(message.substr(at), &used);
  const std::string unit = message.substr(at + used + 1, 3);
  CHECK((unit == "KiB" || unit == "MiB" || unit == "GiB"));
  const double scale = unit == "KiB" ? 1024.0 : unit == "MiB" ? 1048576.0 : 1073741824.0;
  tight.memory_limit = std::uint64_t(amount * scale);
  CHECK(plan_memory(chain, Shape{512, 512, 512}, tight).ok());
}
