// The grid of chunks a chunked dataset is cut into: chunk boxes, and the chunks a box touches.
#pragma once

#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

class ChunkGrid {
 public:
  ChunkGrid() = default;
  // `chunk_shape` has the rank of `shape` and positive extents.
  ChunkGrid(const Shape& shape, const Shape& chunk_shape);

  const Shape& shape() const { return shape_; }
  const Shape& chunk_shape() const { return chunk_shape_; }
  // Chunks per axis.
  const Shape& grid_shape() const { return grid_shape_; }
  Index num_chunks() const { return num_elements(grid_shape_); }

  // The voxels of chunk `grid_index`, clipped to the dataset.
  Box chunk_box(const IndexVector& grid_index) const;
  // The chunk's first voxel (a multiple of the chunk shape).
  IndexVector chunk_origin(const IndexVector& grid_index) const;
  // The grid indices of the chunks that `box` (inside the dataset, not empty) touches.
  Box chunks_touching(const Box& box) const;
  // Row-major number of chunk `grid_index`, 0 .. num_chunks() - 1.
  Index linear_index(const IndexVector& grid_index) const;

 private:
  Shape shape_;
  Shape chunk_shape_;
  Shape grid_shape_;
};

// Calls f(index) for every index of `box`, in C order (last axis fastest).
template <class F>
void for_each_index(const Box& box, F&& f) {
  if (box.empty()) return;
  IndexVector index = box.origin;
  const int rank = box.rank();
  for (;;) {
    f(static_cast<const IndexVector&>(index));
    int axis = rank - 1;
    for (; axis >= 0; --axis) {
      if (++index[axis] < box.end(axis)) break;
      index[axis] = box.origin[axis];
    }
    if (axis < 0) return;
  }
}

}  // namespace zoomflow::storage
