#include "zoomflow/kernels/index_vector.hpp"

#include <algorithm>

namespace zoomflow {

std::string to_string(const IndexVector& v) {
  std::string text = "(";
  for (int a = 0; a < v.rank(); ++a) {
    if (a > 0) text += ", ";
    text += std::to_string(v[a]);
  }
  return text + ")";
}

bool Box::contains(const Box& inner) const {
  if (inner.rank() != rank()) return false;
  for (int a = 0; a < rank(); ++a)
    if (inner.origin[a] < origin[a] || inner.end(a) > end(a)) return false;
  return true;
}

Box intersect(const Box& a, const Box& b) {
  Box result{a.origin, a.extent};
  for (int axis = 0; axis < a.rank(); ++axis) {
    const Index lo = std::max(a.origin[axis], b.origin[axis]);
    const Index hi = std::min(a.end(axis), b.end(axis));
    result.origin[axis] = lo;
    result.extent[axis] = std::max<Index>(0, hi - lo);
  }
  return result;
}

std::string to_string(const Box& box) {
  std::string text = "[";
  for (int a = 0; a < box.rank(); ++a) {
    if (a > 0) text += ", ";
    text += std::to_string(box.origin[a]) + ":" + std::to_string(box.end(a));
  }
  return text + "]";
}

}  // namespace zoomflow
