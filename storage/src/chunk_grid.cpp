#include "zoomflow/storage/chunk_grid.hpp"

#include <algorithm>

namespace zoomflow::storage {

ChunkGrid::ChunkGrid(const Shape& shape, const Shape& chunk_shape)
    : shape_(shape), chunk_shape_(chunk_shape), grid_shape_(shape) {
  for (int a = 0; a < shape.rank(); ++a)
    grid_shape_[a] = (shape[a] + chunk_shape[a] - 1) / chunk_shape[a];
}

IndexVector ChunkGrid::chunk_origin(const IndexVector& grid_index) const {
  IndexVector origin = grid_index;
  for (int a = 0; a < origin.rank(); ++a) origin[a] *= chunk_shape_[a];
  return origin;
}

Box ChunkGrid::chunk_box(const IndexVector& grid_index) const {
  Box box{chunk_origin(grid_index), chunk_shape_};
  for (int a = 0; a < box.rank(); ++a)
    box.extent[a] = std::min(chunk_shape_[a], shape_[a] - box.origin[a]);
  return box;
}

Box ChunkGrid::chunks_touching(const Box& box) const {
  Box grid{box.origin, box.extent};
  for (int a = 0; a < box.rank(); ++a) {
    const Index first = box.origin[a] / chunk_shape_[a];
    const Index last = (box.end(a) - 1) / chunk_shape_[a];
    grid.origin[a] = first;
    grid.extent[a] = box.extent[a] > 0 ? last - first + 1 : 0;
  }
  return grid;
}

Index ChunkGrid::linear_index(const IndexVector& grid_index) const {
  Index linear = 0;
  for (int a = 0; a < grid_index.rank(); ++a) linear = linear * grid_shape_[a] + grid_index[a];
  return linear;
}

}  // namespace zoomflow::storage
