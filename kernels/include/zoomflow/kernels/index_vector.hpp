// Fixed-capacity vectors of indices: shapes, origins, strides; and boxes built from them.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace zoomflow {

using Index = std::int64_t;
inline constexpr int kMaxRank = 8;

class IndexVector {
 public:
  constexpr IndexVector() = default;
  constexpr IndexVector(std::initializer_list<Index> values) {
    for (Index v : values) values_[rank_++] = v;
  }
  explicit constexpr IndexVector(std::span<const Index> values) {
    for (Index v : values) values_[rank_++] = v;
  }
  static constexpr IndexVector filled(int rank, Index value) {
    IndexVector result;
    result.rank_ = rank;
    for (int i = 0; i < rank; ++i) result.values_[i] = value;
    return result;
  }

  constexpr int rank() const { return rank_; }
  constexpr Index& operator[](int axis) { return values_[axis]; }
  constexpr Index operator[](int axis) const { return values_[axis]; }
  constexpr Index* begin() { return values_.data(); }
  constexpr Index* end() { return values_.data() + rank_; }
  constexpr const Index* begin() const { return values_.data(); }
  constexpr const Index* end() const { return values_.data() + rank_; }
  constexpr std::span<const Index> span() const { return {values_.data(), std::size_t(rank_)}; }
  constexpr void push_back(Index value) { values_[rank_++] = value; }

  friend constexpr bool operator==(const IndexVector& a, const IndexVector& b) {
    if (a.rank_ != b.rank_) return false;
    for (int i = 0; i < a.rank_; ++i)
      if (a.values_[i] != b.values_[i]) return false;
    return true;
  }

 private:
  std::array<Index, kMaxRank> values_{};
  int rank_ = 0;
};

using Shape = IndexVector;

// Product of the extents; 1 for rank 0.
constexpr Index num_elements(const Shape& shape) {
  Index n = 1;
  for (Index e : shape) n *= e;
  return n;
}

// Row-major (C order) strides in elements.
constexpr IndexVector contiguous_strides(const Shape& shape) {
  IndexVector strides = IndexVector::filled(shape.rank(), 1);
  for (int axis = shape.rank() - 2; axis >= 0; --axis)
    strides[axis] = strides[axis + 1] * shape[axis + 1];
  return strides;
}

// "(1024, 1024, 512)"
std::string to_string(const IndexVector& v);

// A half-open box: origin[a] <= i < origin[a] + extent[a] on every axis.
struct Box {
  IndexVector origin;
  IndexVector extent;

  static Box from_shape(const Shape& shape) {
    return {IndexVector::filled(shape.rank(), 0), shape};
  }
  int rank() const { return origin.rank(); }
  Index end(int axis) const { return origin[axis] + extent[axis]; }
  Index num_elements() const { return zoomflow::num_elements(extent); }
  bool empty() const { return num_elements() == 0; }
  bool contains(const Box& inner) const;

  friend bool operator==(const Box&, const Box&) = default;
};

// The overlap of two boxes of one rank (empty extents where they do not meet).
Box intersect(const Box& a, const Box& b);

std::string to_string(const Box& box);

}  // namespace zoomflow
