#include "zoomflow/pipeline/pyramid_order.hpp"

#include <algorithm>

namespace zoomflow {

PyramidOrder::PyramidOrder(const Shape& shape, const Shape& unit,
                           const std::vector<Shape>& footprints)
    : shape_(shape) {
  const int rank = shape.rank();
  Shape cell = unit;
  for (int a = 0; a < rank; ++a) cell[a] = std::max<Index>(cell[a], 1);
  cells_.push_back(cell);
  for (const Shape& footprint : footprints) {
    // Rounded up to a multiple of the finer cell (and never finer): cells nest exactly.
    Shape next = cells_.back();
    bool coarser = false;
    for (int a = 0; a < rank; ++a) {
      const Index fine = cells_.back()[a];
      const Index wanted = (std::max<Index>(footprint[a], fine) + fine - 1) / fine * fine;
      next[a] = std::min(wanted, std::max((shape[a] + fine - 1) / fine * fine, fine));
      coarser = coarser || next[a] > fine;
    }
    if (coarser) cells_.push_back(next);
  }
  count_ = 1;
  for (int a = 0; a < rank; ++a) count_ *= (shape[a] + cells_[0][a] - 1) / cells_[0][a];
  if (rank == 0) count_ = 0;
}

PyramidOrder::PyramidOrder(const PyramidOrder& other)
    : shape_(other.shape_), cells_(other.cells_), count_(other.count_) {}

bool PyramidOrder::advance(IndexVector& origin) const {
  const int rank = shape_.rank();
  // The cell of level i containing `origin` steps to its next sibling inside its parent (level
  // i + 1, or the whole volume above the coarsest); when it has none, its parent steps.
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const Shape& cell = cells_[i];
    IndexVector lo = origin, hi = origin, at = origin;
    for (int a = 0; a < rank; ++a) {
      Index parent_origin = 0, parent_end = shape_[a];
      if (i + 1 < cells_.size()) {
        const Index p = cells_[i + 1][a];
        parent_origin = origin[a] / p * p;
        parent_end = std::min(parent_origin + p, shape_[a]);
      }
      lo[a] = parent_origin / cell[a];
      hi[a] = (parent_end + cell[a] - 1) / cell[a];
      at[a] = origin[a] / cell[a];
    }
    for (int a = rank - 1; a >= 0; --a) {
      if (at[a] + 1 < hi[a]) {
        ++at[a];
        for (int b = a + 1; b < rank; ++b) at[b] = lo[b];
        // The first unit of the new cell is at its origin (every cell starts on a unit).
        for (int b = 0; b < rank; ++b) origin[b] = at[b] * cell[b];
        return true;
      }
    }
  }
  return false;
}

Box PyramidOrder::block(Index k) const {
  std::lock_guard lock(mutex_);
  const int rank = shape_.rank();
  if (k == 0 || last_ < 0 || k < last_) {
    last_ = 0;
    last_origin_ = IndexVector::filled(rank, 0);
  }
  while (last_ < k) {
    if (!advance(last_origin_)) break;
    ++last_;
  }
  Box box{last_origin_, cells_.front()};
  for (int a = 0; a < rank; ++a) box.extent[a] = std::min(box.extent[a], shape_[a] - box.origin[a]);
  return box;
}

}  // namespace zoomflow
