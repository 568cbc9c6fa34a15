// Row kernels for the order statistics (mode, median): one output row from the input rows of
// its blocks.
//
// Whole blocks of at most kMaxNetworkElements voxels are reduced kLanes outputs at a time: the
// block's voxels are transposed into one vector per position in the block, sorted by a
// sorting network across the vectors (min/max per comparator, branch-free), and the median
// read off or the longest run of equal values found (the lowest wins ties, since the columns
// are sorted). A chunk whose blocks all hold one value skips the sort. Everything else -- cut
// blocks at the end of the input, larger blocks, and float blocks holding NaN or -0.0, where
// equal-comparing values differ in bits -- takes the scalar path below, which defines the
// result: the block in C order, sorted stably with NaN after every number; the median is the
// element at (n - 1) / 2, the mode the value of the longest run (the first, hence lowest, of
// the longest), represented by the last of its run (so by its last occurrence in C order).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "downsample_rows.hpp"
#include "downsample_simd.hpp"

namespace zoomflow::detail {

inline constexpr int kMaxNetworkElements = 64;

struct Comparator {
  std::uint8_t lo, hi;
};

// Batcher's odd-even merge sort for the next power of two >= n, keeping only the comparators
// inside [0, n) (the missing positions act as +infinity, which no comparator moves).
template <class Out>
constexpr int batcher_network(int n, Out&& emit) {
  int size = 1;
  while (size < n) size <<= 1;
  int count = 0;
  for (int p = 1; p < size; p <<= 1)
    for (int k = p; k >= 1; k >>= 1)
      for (int j = k % p; j + k < size; j += 2 * k)
        for (int i = 0; i < std::min(k, size - j - k); ++i)
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p) && i + j + k < n) {
            emit(i + j, i + j + k);
            ++count;
          }
  return count;
}

template <int N>
constexpr auto make_network() {
  constexpr int size = batcher_network(N, [](int, int) {});
  std::array<Comparator, std::size_t(size)> net{};
  int k = 0;
  batcher_network(N, [&](int lo, int hi) {
    net[std::size_t(k++)] = {std::uint8_t(lo), std::uint8_t(hi)};
  });
  return net;
}

// The network for n (2 <= n <= kMaxNetworkElements), built once (downsample_order.cpp).
const std::vector<Comparator>& sorting_network(int n);

// Sort keys: integers are their own; a float's bits, the magnitude bits flipped when negative,
// compare as signed integers in the float's order (for every value but NaN; -0.0 sorts before
// +0.0 here, which is why blocks with NaN or -0.0 take the scalar path).
template <class T>
struct KeyOf {
  using type = T;
};
template <>
struct KeyOf<float> {
  using type = std::int32_t;
};
template <>
struct KeyOf<double> {
  using type = std::int64_t;
};

template <class T>
[[gnu::always_inline]] inline typename KeyOf<T>::type key_of(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    using K = typename KeyOf<T>::type;
    K bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits ^ K((bits >> (8 * sizeof(K) - 1)) & std::numeric_limits<K>::max());
  } else {
    return v;
  }
}

template <class T>
[[gnu::always_inline]] inline T value_of(typename KeyOf<T>::type key) {
  if constexpr (std::is_floating_point_v<T>) {
    using K = typename KeyOf<T>::type;
    const K bits = key ^ K((key >> (8 * sizeof(K) - 1)) & std::numeric_limits<K>::max());
    T v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  } else {
    return key;
  }
}

// ---- The scalar path: one output, any block. ----

template <class T>
struct Ranked {
  T value;
  Index position;  // in C order within the block
};

// NaN after every number; equal values (and NaNs) in C order.
template <class T>
inline bool ranked_before(const Ranked<T>& a, const Ranked<T>& b) {
  const bool a_nan = std::isnan(a.value), b_nan = std::isnan(b.value);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan) {
    if (a.value < b.value) return true;
    if (b.value < a.value) return false;
  }
  return a.position < b.position;
}

template <class T>
inline bool same_value(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return a == b || (std::isnan(a) && std::isnan(b));
  else
    return a == b;
}

// Gathers block x of the row into buffer in C order; returns its size.
template <class T, class U>
inline Index gather_block(const RowArgs<T>& a, Index x, U* buffer) {
  const Index begin = x * a.factor;
  const Index end = std::min(begin + a.factor, a.length);
  Index n = 0;
  for (Index r = 0; r < a.row_count; ++r)
    for (Index i = begin; i < end; ++i) buffer[n++] = U{a.rows[r][i]};
  return n;
}

template <bool Median, class T>
inline T order_statistic_of_sorted(const T* sorted, Index n) {
  if constexpr (Median) {
    return sorted[(n - 1) / 2];
  } else {
    Index best = 0, best_count = 0;
    for (Index i = 0; i < n;) {
      Index j = i + 1;
      while (j < n && same_value(sorted[j], sorted[i])) ++j;
      if (j - i > best_count) {
        best_count = j - i;
        best = j - 1;  // the last of its run
      }
      i = j;
    }
    return sorted[best];
  }
}

// scratch: at least n * sizeof(Ranked<T>) bytes.
template <bool Median, class T>
inline T order_statistic_scalar(const RowArgs<T>& a, Index x, std::byte* scratch) {
  T* values = reinterpret_cast<T*>(scratch);
  const Index n = gather_block(a, x, values);
  bool exact_order_matters = false;
  if constexpr (std::is_floating_point_v<T>) {
    for (Index i = 0; i < n; ++i)
      exact_order_matters |= std::isnan(values[i]) || (values[i] == 0 && std::signbit(values[i]));
  }
  if (!exact_order_matters) {
    // Equal values are equal bits: any sort will do.
    if constexpr (Median) {
      std::nth_element(values, values + (n - 1) / 2, values + n);
      return values[(n - 1) / 2];
    } else {
      std::sort(values, values + n);
      return order_statistic_of_sorted<false>(values, n);
    }
  }
  Ranked<T>* ranked = reinterpret_cast<Ranked<T>*>(scratch);
  for (Index i = n - 1; i >= 0; --i) ranked[i] = {values[i], i};  // back to front: no overlap
  std::sort(ranked, ranked + n, ranked_before<T>);
  for (Index i = 0; i < n; ++i) values[i] = ranked[i].value;  // front to back: no overlap
  return order_statistic_of_sorted<Median>(values, n);
}

template <class T>
inline std::size_t order_statistic_scratch_bytes(Index n) {
  return std::size_t(n) * sizeof(Ranked<T>);
}

// ---- The vector path: kLanes outputs of whole blocks of n <= kMaxNetworkElements. ----

template <class V>
[[gnu::always_inline]] inline bool all_lanes(V mask) {
  std::uint64_t words[sizeof(V) / 8];
  std::memcpy(words, &mask, sizeof words);
  std::uint64_t all = ~std::uint64_t(0);
  for (std::uint64_t w : words) all &= w;
  return all == ~std::uint64_t(0);
}

template <class V, std::size_t... I>
[[gnu::always_inline]] inline V even_lanes(V a, V b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, (2 * I)...);
}
template <class V, std::size_t... I>
[[gnu::always_inline]] inline V odd_lanes(V a, V b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, (2 * I + 1)...);
}

// Column c = r * factor + o of the chunk starting at output x0 holds key(rows[r][(x0+lane)*f+o]).
// For floats, `special` gets the lanes whose block holds NaN or -0.0.
template <int Factor, class T, class V>
[[gnu::always_inline]] inline void transpose_chunk(const RowArgs<T>& a, Index x0, V* cols,
                                                   V& special) {
  using K = typename KeyOf<T>::type;
  using Lanes = std::make_index_sequence<Vec<K>::kLanes>;
  constexpr Index W = Index(Vec<K>::kLanes);
  const Index f = Factor ? Index(Factor) : a.factor;
  for (Index r = 0; r < a.row_count; ++r) {
    const T* p = a.rows[r] + x0 * f;
    V* c = cols + r * f;
    if constexpr (Factor == 1) {
      c[0] = load_vec<V>(p);
    } else if constexpr (Factor == 2) {
      const V lo = load_vec<V>(p), hi = load_vec<V>(p + W);
      c[0] = even_lanes(lo, hi, Lanes{});
      c[1] = odd_lanes(lo, hi, Lanes{});
    } else {
      for (Index o = 0; o < f; ++o) {
        K lanes[W];
        for (Index lane = 0; lane < W; ++lane)
          std::memcpy(&lanes[lane], p + lane * f + o, sizeof(K));
        c[o] = load_vec<V>(lanes);
      }
    }
  }
  if constexpr (std::is_floating_point_v<T>) {
    const K sign = std::numeric_limits<K>::min();
    const K inf_bits = key_of(std::numeric_limits<T>::infinity());
    const Index n = a.row_count * f;
    for (Index c = 0; c < n; ++c) {
      const V bits = cols[c];
      special |= V((bits == sign) | ((bits & ~sign) > inf_bits));  // -0.0, NaN
      cols[c] = bits ^ ((bits >> (8 * sizeof(K) - 1)) & ~sign);    // key_of
    }
  }
}

template <class V>
[[gnu::always_inline]] inline void compare_exchange(V* cols, Comparator c) {
  const V x = cols[c.lo], y = cols[c.hi];
  cols[c.lo] = x < y ? x : y;
  cols[c.hi] = x < y ? y : x;
}

// The median or mode of the sorted columns, per lane.
template <bool Median, int N, class V>
[[gnu::always_inline]] inline V select_from_sorted(const V* cols, int n) {
  if constexpr (Median) {
    return cols[(n - 1) / 2];
  } else {
    V best = cols[0], best_count = V{} + 1, run = V{} + 1;
    const auto step = [&](int k) {
      run = cols[k] == cols[k - 1] ? run + 1 : V{} + 1;
      const auto longer = run > best_count;
      best = longer ? cols[k] : best;
      best_count = longer ? run : best_count;
    };
    if constexpr (N != 0) {
#pragma GCC unroll 64
      for (int k = 1; k < N; ++k) step(k);
    } else {
      for (int k = 1; k < n; ++k) step(k);
    }
    return best;
  }
}

// Sorts the columns with the network for N (compile time, unrolled into registers) or n.
template <bool Median, int N, class V>
[[gnu::always_inline]] inline V reduce_columns(V* cols, int n,
                                               const std::vector<Comparator>& runtime_net) {
  if constexpr (N != 0) {
    static constexpr auto kNet = make_network<N>();
#pragma GCC unroll 64
    for (std::size_t i = 0; i < kNet.size(); ++i) compare_exchange(cols, kNet[i]);
  } else {
    for (const Comparator& c : runtime_net) compare_exchange(cols, c);
  }
  return select_from_sorted<Median, N>(cols, n);
}

// Whole-block chunks of the row; returns the first output not done.
template <bool Median, int N, int Factor, class T>
[[gnu::always_inline]] inline Index order_statistic_chunks(
    const RowArgs<T>& a, Index full, const std::vector<Comparator>& runtime_net) {
  using K = typename KeyOf<T>::type;
  using V = typename Vec<K>::type;
  constexpr Index W = Index(Vec<K>::kLanes);
  const int n = N ? N : int(a.row_count * a.factor);
  Index x0 = 0;
  for (; x0 + W <= full; x0 += W) {
    V cols[N ? N : kMaxNetworkElements];
    V special{};
    transpose_chunk<Factor>(a, x0, cols, special);
    auto same = cols[0] == cols[0];
    for (int c = 1; c < n; ++c) same &= cols[c] == cols[0];
    V result;
    if (all_lanes(same))
      result = cols[0];
    else
      result = reduce_columns<Median, N>(cols, n, runtime_net);
    if constexpr (std::is_same_v<K, T>)
      store_vec(a.out + x0, result);
    else
      for (Index lane = 0; lane < W; ++lane) a.out[x0 + lane] = value_of<T>(K(result[lane]));
    if constexpr (std::is_floating_point_v<T>) {
      for (Index lane = 0; lane < W; ++lane)
        if (special[lane])
          a.out[x0 + lane] = order_statistic_scalar<Median>(a, x0 + lane, a.scratch);
    }
  }
  return x0;
}

template <bool Median, class T>
[[gnu::always_inline]] inline void order_statistic_row(const RowArgs<T>& a) {
  const Index full = whole_blocks(a);
  const Index n = a.row_count * a.factor;
  Index done = 0;
  if (n >= 2 && n <= kMaxNetworkElements) {
    if (n == 8 && a.factor == 2)
      done = order_statistic_chunks<Median, 8, 2>(a, full, {});
    else if (n == 4 && a.factor == 2)
      done = order_statistic_chunks<Median, 4, 2>(a, full, {});
    else if (a.factor == 1)
      done = order_statistic_chunks<Median, 0, 1>(a, full, sorting_network(int(n)));
    else if (a.factor == 2)
      done = order_statistic_chunks<Median, 0, 2>(a, full, sorting_network(int(n)));
    else
      done = order_statistic_chunks<Median, 0, 0>(a, full, sorting_network(int(n)));
  }
  for (Index x = done; x < a.out_length; ++x)
    a.out[x] = n == 1 && x < full ? a.rows[0][x] : order_statistic_scalar<Median>(a, x, a.scratch);
}

}  // namespace zoomflow::detail
