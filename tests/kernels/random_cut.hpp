// A box cut of an array for the block-invariance tests: every axis cut at random into pieces of
// 1 to `piece_spread` elements, the boxes in C order; together they tile the shape exactly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::testing {

inline std::vector<Box> random_cut(const Shape& shape, std::mt19937_64& rng, Index piece_spread) {
  std::vector<std::vector<Index>> cuts(std::size_t(shape.rank()));
  for (int a = 0; a < shape.rank(); ++a) {
    cuts[a].push_back(0);
    while (cuts[a].back() < shape[a])
      cuts[a].push_back(
          std::min(shape[a], cuts[a].back() + 1 + Index(rng() % std::uint64_t(piece_spread))));
  }
  std::vector<Box> boxes;
  std::vector<std::size_t> k(std::size_t(shape.rank()), 0);
  for (;;) {
    Box box{IndexVector::filled(shape.rank(), 0), IndexVector::filled(shape.rank(), 0)};
    for (int a = 0; a < shape.rank(); ++a) {
      box.origin[a] = cuts[a][k[a]];
      box.extent[a] = cuts[a][k[a] + 1] - cuts[a][k[a]];
    }
    boxes.push_back(box);
    int a = shape.rank() - 1;
    for (; a >= 0; --a) {
      if (++k[a] + 1 < cuts[a].size()) break;
      k[a] = 0;
    }
    if (a < 0) return boxes;
  }
}

}  // namespace zoomflow::testing
