// The record of finished blocks: what a log holds is read back; a line cut short by a kill is not
// a record; damaged logs are refused; a box counts as done only when every block of one recorded
// cut that it touches is done (checked against a voxel-by-voxel mask built here); rank 0 follows
// logs that grow in pieces.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../storage/temp_folder.hpp"
#include "block_log.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

using namespace zoomflow;
using namespace zoomflow::detail;

namespace {

void append_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("a log's blocks are read back; a last line without its newline is not a record") {
  testing::TempFolder folder;
  const Shape output{100, 30};
  const Shape block{10, 30};  // 10 blocks along the first axis
  {
    auto log = BlockLog::create(folder.file(""), "a1", 0, block);
    REQUIRE(log.ok());
    REQUIRE(log->append(2, 100).ok());
    REQUIRE(log->append(5, 0).ok());
  }
  append_text(folder.file(block_log_name("a1", 0)), "7 12");  // killed mid-line
  auto completed = CompletedBlocks::read(folder.file(""), output);
  REQUIRE(completed.ok());
  const BlockGrid grid(output, block);
  for (Index b = 0; b < grid.count(); ++b)
    CHECK(completed->covers(grid.block(b)) == (b == 2 || b == 5));
  CHECK(!completed->empty());
  // The log is created exclusively: an attempt never appends to another's.
  CHECK(!BlockLog::create(folder.file(""), "a1", 0, block).ok());
}

TEST_CASE("a damaged log is refused with its name") {
  testing::TempFolder folder;
  append_text(folder.file("blocks.x.0"), "zoomflow-blocks 1 shape=10,30 rank=0\nnot a line\n");
  auto read = CompletedBlocks::read(folder.file(""), Shape{100, 30});
  REQUIRE(!read.ok());
  CHECK(read.error().message.find("blocks.x.0") != std::string::npos);
  testing::TempFolder other;
  append_text(other.file("blocks.y.0"), "zoomflow-blocks 1 shape=10,30 rank=0\n99 1\n");
  CHECK(!CompletedBlocks::read(other.file(""), Shape{100, 30}).ok());  // block 99 of 10
  testing::TempFolder wrong_rank;
  append_text(wrong_rank.file("blocks.z.0"), "zoomflow-blocks 1 shape=10,30,4 rank=0\n");
  CHECK(!CompletedBlocks::read(wrong_rank.file(""), Shape{100, 30}).ok());
}

TEST_CASE("a box is done when every block of one recorded cut that it touches is done") {
  std::mt19937 random(7);
  const Shape output{37, 23, 11};
  for (int round = 0; round < 40; ++round) {
    testing::TempFolder folder;
    const Shape old_block{Index(1 + random() % 9), Index(1 + random() % 9),
                          Index(1 + random() % 11)};
    const BlockGrid old_grid(output, old_block);
    // The voxels done, as the recorded blocks cover them.
    std::vector<bool> voxel_done(std::size_t(num_elements(output)), false);
    {
      auto log = BlockLog::create(folder.file(""), "r", 0, old_block);
      REQUIRE(log.ok());
      for (Index b = 0; b < old_grid.count(); ++b) {
        if (random() % 3 == 0) continue;
        REQUIRE(log->append(b, 1).ok());
        storage::for_each_index(old_grid.block(b), [&](const IndexVector& v) {
          voxel_done[std::size_t((v[0] * output[1] + v[1]) * output[2] + v[2])] = true;
        });
      }
    }
    auto completed = CompletedBlocks::read(folder.file(""), output);
    REQUIRE(completed.ok());
    const Shape new_block{Index(1 + random() % 12), Index(1 + random() % 12),
                          Index(1 + random() % 11)};
    const BlockGrid new_grid(output, new_block);
    for (Index b = 0; b < new_grid.count(); ++b) {
      bool all = true;
      storage::for_each_index(new_grid.block(b), [&](const IndexVector& v) {
        all = all && voxel_done[std::size_t((v[0] * output[1] + v[1]) * output[2] + v[2])];
      });
      // One recorded cut: covered exactly when every voxel is.
      CHECK(completed->covers(new_grid.block(b)) == all);
    }
  }
}

TEST_CASE("rank 0 follows other ranks' logs as they grow, a line at a time") {
  testing::TempFolder folder;
  const Shape output{100, 30};
  const BlockGrid grid(output, Shape{10, 30});
  LogFollower follower(folder.file(""), "j", 3, grid, 2);
  CHECK(follower.poll().blocks == 0);  // nothing made yet
  const std::string one = folder.file(block_log_name("j", 1));
  const std::string two = folder.file(block_log_name("j", 2));
  append_text(one, "zoomflow-blocks 1 shape=10,30 rank=1\n3 40\n4 ");
  append_text(two, "zoomflow-blocks 1 sha");
  LogFollower::Totals totals = follower.poll();
  CHECK(totals.blocks == 1);
  CHECK(totals.bytes_written == 40);
  CHECK(totals.voxel_bytes == 10 * 30 * 2);
  append_text(one, "2\n9 1\n");
  append_text(two, "pe=10,30 rank=2\n0 5\n");
  totals = follower.poll();
  CHECK(totals.blocks == 4);
  CHECK(totals.bytes_written == 40 + 2 + 1 + 5);
  // Block 9 is the last, as long as the others (100 / 10).
  CHECK(totals.voxel_bytes == 4 * 10 * 30 * 2);
}
