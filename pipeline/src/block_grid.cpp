#include "zoomflow/pipeline/block_grid.hpp"

#include <algorithm>

namespace zoomflow {

BlockGrid::BlockGrid(const Shape& shape, const Shape& block_shape)
    : shape_(shape), block_shape_(block_shape), grid_shape_(shape) {
  for (int a = 0; a < shape.rank(); ++a) {
    block_shape_[a] = std::clamp<Index>(block_shape[a], 1, std::max<Index>(shape[a], 1));
    grid_shape_[a] = shape[a] == 0 ? 0 : (shape[a] + block_shape_[a] - 1) / block_shape_[a];
  }
}

Box BlockGrid::block_at(const IndexVector& position) const {
  Box box{position, block_shape_};
  for (int a = 0; a < shape_.rank(); ++a) {
    box.origin[a] = position[a] * block_shape_[a];
    box.extent[a] = std::min(block_shape_[a], shape_[a] - box.origin[a]);
  }
  return box;
}

Box BlockGrid::block(Index linear) const {
  const int rank = shape_.rank();
  IndexVector position = IndexVector::filled(rank, 0);
  for (int a = rank - 1; a >= 0; --a) {
    position[a] = linear % grid_shape_[a];
    linear /= grid_shape_[a];
  }
  return block_at(position);
}

Index BlockGrid::index_of(const IndexVector& origin) const {
  Index linear = 0;
  for (int a = 0; a < shape_.rank(); ++a)
    linear = linear * grid_shape_[a] + origin[a] / block_shape_[a];
  return linear;
}

Shape default_chunk_shape(const Shape& shape) {
  Shape chunks = shape;
  for (int a = 0; a < shape.rank(); ++a) chunks[a] = std::clamp<Index>(shape[a], 1, 64);
  return chunks;
}

Shape choose_block_shape(const Shape& shape, const Shape& unit, std::size_t element_bytes,
                         std::uint64_t target_bytes, BlockLayout layout) {
  const int rank = shape.rank();
  Shape block = unit.rank() == rank ? unit : Shape::filled(rank, 1);
  for (int a = 0; a < rank; ++a)
    block[a] = std::clamp<Index>(block[a], 1, std::max<Index>(shape[a], 1));
  if (layout == BlockLayout::kSlabs) {
    for (int a = 1; a < rank; ++a) block[a] = std::max<Index>(shape[a], 1);
    return block;
  }
  // Grow along the first axis first: each unit of the block is then one contiguous run of the
  // block's buffer, compressed in place without being gathered.
  for (int a = 0; a < rank; ++a) {
    const std::uint64_t bytes = std::uint64_t(num_elements(block)) * element_bytes;
    if (bytes >= target_bytes) break;
    const Index units =
        Index(std::max<std::uint64_t>(1, target_bytes / std::max<std::uint64_t>(bytes, 1)));
    const Index axis_units = (shape[a] + block[a] - 1) / block[a];
    block[a] = std::min(block[a] * std::min(units, axis_units), std::max<Index>(shape[a], 1));
    if (block[a] < shape[a]) break;
  }
  return block;
}

}  // namespace zoomflow
