// Which blocks of a grid one process runs. The grid's blocks (C order) are cut into groups of
// `group` consecutive blocks, dealt round-robin to `parts` processes (the ranks of an MPI job):
// part p runs groups p, p + parts, p + 2 parts, ... Consecutive blocks share input chunks, so a
// group reads them once; dealing groups out spreads dense and empty regions over every part. The
// selection is never listed: its k-th block is computed when asked for.
//
//   BlockSelection mine{.part = rank, .parts = ranks, .group = choose_block_group(count, ranks)};
//   for (Index k = 0; k < mine.size(count); ++k) run(grid.block(mine.at(k)));
#pragma once

#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

struct BlockSelection {
  int part = 0;
  int parts = 1;
  Index group = 1;
  // The blocks of a grid of `count` that this part runs.
  Index size(Index count) const;
  // The block number (in the grid) of the k-th of them, 0 <= k < size(count).
  Index at(Index k) const;
};

// Groups of consecutive blocks for `parts` processes: about 16 groups per part (load balance),
// at most 64 blocks (about 64 MiB of output) each, at least one block.
Index choose_block_group(Index count, int parts);

}  // namespace zoomflow
