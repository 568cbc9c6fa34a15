#include "zoomflow/pipeline/block_plan.hpp"

#include <algorithm>

namespace zoomflow {

Shape default_chunk_shape(const Shape& shape) {
  Shape chunks = shape;
  for (Index& e : chunks) e = std::min<Index>(e, 64);
  return chunks;
}

Shape choose_block_shape(const Shape& output_shape, const Shape& chunk_shape,
                         std::size_t element_bytes, std::size_t target_bytes, BlockLayout layout) {
  const int rank = output_shape.rank();
  Shape block = chunk_shape;
  auto bytes = [&](const Shape& s) { return std::size_t(num_elements(s)) * element_bytes; };
  if (layout == BlockLayout::kSlabs) {
    for (int a = 1; a < rank; ++a) block[a] = output_shape[a];
    return block;  // one chunk deep: the slab is the unit, whatever its size
  }
  // Double the innermost axis that can still grow, until the target is reached.
  bool grew = true;
  while (grew) {
    grew = false;
    for (int a = rank - 1; a >= 0; --a) {
      if (block[a] >= output_shape[a]) continue;
      Shape bigger = block;
      bigger[a] = std::min(
          block[a] * 2, (output_shape[a] + chunk_shape[a] - 1) / chunk_shape[a] * chunk_shape[a]);
      if (bytes(bigger) > target_bytes) continue;
      block = bigger;
      grew = true;
      break;
    }
  }
  return block;
}

BlockPlan plan_blocks(const ResampleSpec& spec, const Shape& chunk_shape,
                      const Shape& block_shape) {
  BlockPlan plan{chunk_shape, block_shape, {}};
  const int rank = spec.rank();
  IndexVector grid = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a)
    grid[a] = (spec.output_shape[a] + block_shape[a] - 1) / block_shape[a];
  const Index count = num_elements(grid);
  plan.blocks.reserve(std::size_t(count));
  IndexVector position = IndexVector::filled(rank, 0);
  for (Index n = 0; n < count; ++n) {
    Box box{IndexVector::filled(rank, 0), IndexVector::filled(rank, 0)};
    for (int a = 0; a < rank; ++a) {
      box.origin[a] = position[a] * block_shape[a];
      box.extent[a] = std::min(block_shape[a], spec.output_shape[a] - box.origin[a]);
    }
    plan.blocks.push_back({box, required_input_box(spec, box)});
    for (int a = rank - 1; a >= 0; --a) {
      if (++position[a] < grid[a]) break;
      position[a] = 0;
    }
  }
  return plan;
}

}  // namespace zoomflow
