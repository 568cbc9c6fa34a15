#include "zoomflow/pipeline/block_selection.hpp"

#include <algorithm>

namespace zoomflow {

Index BlockSelection::size(Index count) const {
  const Index g = std::max<Index>(group, 1);
  const Index n = std::max(parts, 1);
  const Index groups = (count + g - 1) / g;
  if (groups <= part) return 0;
  const Index mine = (groups - part - 1) / n + 1;
  Index blocks = mine * g;
  // The grid's last group may be short; it is this part's when it falls to it.
  if ((groups - 1) % n == part) blocks -= groups * g - count;
  return blocks;
}

Index BlockSelection::at(Index k) const {
  const Index g = std::max<Index>(group, 1);
  const Index n = std::max(parts, 1);
  return ((k / g) * n + part) * g + k % g;
}

Index choose_block_group(Index count, int parts) {
  constexpr Index kGroupsPerPart = 16;
  constexpr Index kMostBlocks = 64;
  return std::clamp<Index>(count / (std::max(parts, 1) * kGroupsPerPart), 1, kMostBlocks);
}

}  // namespace zoomflow
