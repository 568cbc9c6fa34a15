// A rank's share of the blocks: the parts of a grid are disjoint and cover it, each in the order
// a plain deal of groups gives (checked against that deal, written out here); the graph's source
// runs a selection, leaves out skipped blocks, and numbers what it emits without gaps, so an
// ordered stage still sees every block.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/block_selection.hpp"

using namespace zoomflow;

namespace {

// The plain deal: walk the grid's groups in order, giving group g to part g % parts.
std::vector<Index> dealt(Index count, int part, int parts, Index group) {
  std::vector<Index> blocks;
  for (Index g = 0; g * group < count; ++g)
    if (g % parts == part)
      for (Index b = g * group; b < std::min(count, (g + 1) * group); ++b) blocks.push_back(b);
  return blocks;
}

struct Work {
  std::size_t sequence = 0;
  Box box;
};

}  // namespace

TEST_CASE("each part's blocks are the plain deal of groups; the parts cover the grid once") {
  for (Index count : {0, 1, 2, 5, 17, 64, 100, 1001})
    for (int parts : {1, 2, 3, 7, 64})
      for (Index group : {1, 2, 3, 8, 64}) {
        std::vector<int> owners(std::size_t(count), 0);
        Index total = 0;
        for (int part = 0; part < parts; ++part) {
          const BlockSelection selection{part, parts, group};
          const std::vector<Index> expected = dealt(count, part, parts, group);
          REQUIRE(selection.size(count) == Index(expected.size()));
          for (Index k = 0; k < selection.size(count); ++k) {
            CHECK(selection.at(k) == expected[std::size_t(k)]);
            ++owners[std::size_t(selection.at(k))];
          }
          total += selection.size(count);
        }
        CHECK(total == count);
        for (int n : owners) CHECK(n == 1);
      }
}

TEST_CASE("groups: about 16 per part, 1 to 64 blocks") {
  CHECK(choose_block_group(0, 4) == 1);
  CHECK(choose_block_group(10, 4) == 1);
  CHECK(choose_block_group(131072, 1024) == 8);  // 4096^3 uint16 in 1 MiB blocks, 1024 ranks
  CHECK(choose_block_group(1 << 30, 2) == 64);
}

TEST_CASE("the graph runs a selection, skips what it is told, and numbers blocks without gaps") {
  const BlockGrid grid(Shape{40 * 4, 8}, Shape{4, 8});  // 40 blocks along the first axis
  const BlockSelection selection{1, 3, 2};  // groups 1, 4, 7, ...: blocks 2, 3, 8, 9, ...
  const auto skip = [](Index block) { return block % 4 == 3; };
  std::mutex mutex;
  std::vector<Index> ran;
  std::vector<std::size_t> ordered;
  const std::vector<Stage<Work>> stages = {{"run", StageMode::kParallel,
                                            [&](Work& work) {
                                              std::lock_guard lock(mutex);
                                              ran.push_back(work.box.origin[0] / 4);
                                              return ok_status();
                                            }},
                                           {"merge", StageMode::kOrdered, [&](Work& work) {
                                              ordered.push_back(work.sequence);
                                              return ok_status();
                                            }}};
  const Status status = run_block_graph<Work>(
      grid, stages,
      {.max_in_flight = 3, .cancel = CancelToken(), .selection = selection, .skip = skip});
  REQUIRE(status.ok());
  std::vector<Index> expected;
  for (Index b : dealt(grid.count(), 1, 3, 2))
    if (!skip(b)) expected.push_back(b);
  std::sort(ran.begin(), ran.end());
  CHECK(ran == expected);
  REQUIRE(ordered.size() == expected.size());
  for (std::size_t i = 0; i < ordered.size(); ++i) CHECK(ordered[i] == i);
  CHECK(grid.index_of(grid.block(37).origin) == 37);
}
