// Row kernels for the accumulating reductions (stride, min, max, mean): one output row from the
// input rows of its blocks. Each output voxel folds its block in C order -- rows in order, then
// along the row -- which is the order TensorStore accumulates in for C-order arrays, so float
// sums round exactly as TensorStore's do. Integer sums are exact in a wide accumulator.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "downsample_simd.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::detail {

// The input of one output row: `row_count` rows (the rows of its blocks, C order), each
// `length` voxels from a block boundary, `factor` voxels per block along the row; and where the
// `out_length` outputs go (contiguous). Method scratch, when the method needs some, in scratch.
template <class In, class Out = In>
struct RowArgs {
  const In* const* rows;
  Index row_count;
  Index length;
  Index factor;
  Out* out;
  Index out_length;
  std::byte* scratch;
};

// 128-bit accumulators for 64-bit integer means (GCC/Clang extension).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

template <class A>
inline constexpr bool kSignedAccumulator = std::is_same_v<A, Int128> || std::is_signed_v<A>;

// round_half_even(sum / count) for count > 0, exactly.
template <class A>
[[gnu::always_inline]] inline A round_half_even_div(A sum, A count) {
  A q = sum / count;
  A r = sum % count;
  if constexpr (kSignedAccumulator<A>) {
    if (r < 0) {  // truncation toward zero -> floor
      q -= 1;
      r += count;
    }
  }
  const A twice = r + r;
  if (twice > count || (twice == count && (q & 1) != 0)) q += 1;
  return q;
}

// The same for count = 2^shift, shift >= 1, branch-free: floor((sum + count/2 - 1 +
// (floor(sum/count) & 1)) / count). An arithmetic shift floors signed sums too. Accumulators keep
// headroom for the add.
template <class A>
[[gnu::always_inline]] inline A round_half_even_shift(A sum, int shift) {
  const A half_minus_one = (A(1) << (shift - 1)) - 1;
  return (sum + half_minus_one + ((sum >> shift) & 1)) >> shift;
}

// Folds `Rows` input rows into acc[0 .. full) (whole blocks of `Factor` voxels; Factor 0 means
// the runtime `factor`), each output in C order: rows first to last, then along the row.
template <int Rows, int Factor, class A, class T, class Fold>
[[gnu::always_inline]] inline void fold_rows(A* acc, const T* const* rows, Index full, Index factor,
                                             Fold fold) {
  const Index f = Factor ? Index(Factor) : factor;
  const T* p[Rows];
  for (int r = 0; r < Rows; ++r) p[r] = rows[r];
  for (Index x = 0; x < full; ++x) {
    A s = acc[x];
    for (int r = 0; r < Rows; ++r)
      for (Index o = 0; o < f; ++o) s = fold(s, p[r][x * f + o]);
    acc[x] = s;
  }
}

// All rows into acc[0 .. full) and the partial last block (if any) into acc[full].
template <int Factor, class A, class Args, class Fold>
[[gnu::always_inline]] inline void fold_all_rows(A* acc, const Args& a, Index full, Fold fold) {
  Index r = 0;
  for (; r + 4 <= a.row_count; r += 4) fold_rows<4, Factor>(acc, a.rows + r, full, a.factor, fold);
  for (; r + 2 <= a.row_count; r += 2) fold_rows<2, Factor>(acc, a.rows + r, full, a.factor, fold);
  for (; r < a.row_count; ++r) fold_rows<1, Factor>(acc, a.rows + r, full, a.factor, fold);
  if (full < a.out_length) {  // the last block is cut by the end of the input
    A s = acc[full];
    for (Index q = 0; q < a.row_count; ++q)
      for (Index i = full * a.factor; i < a.length; ++i) s = fold(s, a.rows[q][i]);
    acc[full] = s;
  }
}

template <class A, class Args, class Fold>
[[gnu::always_inline]] inline void fold_all(A* acc, const Args& a, Index full, Fold fold) {
  if (a.factor == 1)
    fold_all_rows<1>(acc, a, full, fold);
  else if (a.factor == 2)
    fold_all_rows<2>(acc, a, full, fold);
  else
    fold_all_rows<0>(acc, a, full, fold);
}

// Outputs whose block is whole along the row.
template <class Args>
inline Index whole_blocks(const Args& a) {
  return a.length / a.factor;
}

template <class T>
[[gnu::always_inline]] inline void stride_row(const RowArgs<T>& a) {
  const T* p = a.rows[0];
  if (a.factor == 1) {
    std::memcpy(a.out, p, std::size_t(a.out_length) * sizeof(T));
    return;
  }
  for (Index x = 0; x < a.out_length; ++x) a.out[x] = p[x * a.factor];
}

// TensorStore's min and max: start from +inf (-inf) or the type's max (min) and replace only on
// a strict comparison, so NaN never replaces anything (an all-NaN block gives +inf / -inf) and of
// equal values (-0.0 and +0.0) the first in C order stays.
template <class T>
[[gnu::always_inline]] inline void min_row(const RowArgs<T>& a) {
  const T start = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                       : std::numeric_limits<T>::max();
  std::fill_n(a.out, a.out_length, start);
  fold_all(a.out, a, whole_blocks(a), [](T s, T v) { return v < s ? v : s; });
}

template <class T>
[[gnu::always_inline]] inline void max_row(const RowArgs<T>& a) {
  const T start = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                       : std::numeric_limits<T>::lowest();
  std::fill_n(a.out, a.out_length, start);
  fold_all(a.out, a, whole_blocks(a), [](T s, T v) { return s < v ? v : s; });
}

// Float means: a sum in T from +0.0 in C order, divided by the count in T (TensorStore's).
template <class T>
[[gnu::always_inline]] inline void float_mean_row(const RowArgs<T>& a) {
  std::fill_n(a.out, a.out_length, T(0));
  const Index full = whole_blocks(a);
  fold_all(a.out, a, full, [](T s, T v) { return s + v; });
  const T whole = T(a.row_count * a.factor);
  for (Index x = 0; x < full; ++x) a.out[x] = a.out[x] / whole;
  if (full < a.out_length)
    a.out[full] = a.out[full] / T(a.row_count * (a.length - full * a.factor));
}

// Integer means: an exact sum in A (scratch: out_length A's), rounded half to even.
// A pair of 8- or 16-bit voxels read as one lane of twice the width.
template <class T>
struct PairLane;
template <>
struct PairLane<std::uint8_t> {
  using type = std::uint16_t;
};
template <>
struct PairLane<std::int8_t> {
  using type = std::int16_t;
};
template <>
struct PairLane<std::uint16_t> {
  using type = std::uint32_t;
};
template <>
struct PairLane<std::int16_t> {
  using type = std::int32_t;
};

// Means of 8- and 16-bit voxels over blocks of 2 along the row and 2^shift voxels in all, at
// most 32 rows: each pair summed inside its wide lane (low half + high half), the rows added
// in registers, rounded half to even by shifts and narrowed. Returns the outputs done.
template <class T>
[[gnu::always_inline]] inline Index pair_mean_chunks(const RowArgs<T>& a, Index full, int shift) {
  using W = typename PairLane<T>::type;
  using V = typename Vec<W>::type;
  using Narrow = typename HalfVec<T>::type;
  constexpr Index kLanes = Index(Vec<W>::kLanes);
  constexpr int kBits = 8 * sizeof(T);
  const W half_minus_one = W((W(1) << (shift - 1)) - 1);
  Index x = 0;
  for (; x + kLanes <= full; x += kLanes) {
    V sum{};
    for (Index r = 0; r < a.row_count; ++r) {
      const V pairs = load_vec<V>(a.rows[r] + 2 * x);
      if constexpr (std::is_signed_v<W>)
        sum += V((pairs << kBits) >> kBits) + (pairs >> kBits);  // sign-extended halves
      else
        sum += (pairs & W((W(1) << kBits) - 1)) + (pairs >> kBits);
    }
    sum = (sum + half_minus_one + ((sum >> shift) & 1)) >> shift;
    store_vec(a.out + x, __builtin_convertvector(sum, Narrow));
  }
  return x;
}

template <class A, class T>
[[gnu::always_inline]] inline void integer_mean_row(const RowArgs<T>& a) {
  const Index whole = a.row_count * a.factor;
  if constexpr (sizeof(T) <= 2) {
    if (a.factor == 2 && a.row_count <= 32 && (whole & (whole - 1)) == 0) {
      const Index full = whole_blocks(a);
      const int shift = std::countr_zero(std::uint64_t(whole));
      for (Index x = pair_mean_chunks(a, full, shift); x < a.out_length; ++x) {
        const Index end = std::min(2 * x + 2, a.length);
        A sum = 0;
        for (Index r = 0; r < a.row_count; ++r)
          for (Index i = 2 * x; i < end; ++i) sum += A(a.rows[r][i]);
        a.out[x] = T(round_half_even_div(sum, A(a.row_count * (end - 2 * x))));
      }
      return;
    }
  }
  A* acc = reinterpret_cast<A*>(a.scratch);
  std::fill_n(acc, a.out_length, A(0));
  const Index full = whole_blocks(a);
  fold_all(acc, a, full, [](A s, T v) { return A(s + A(v)); });
  if (whole == 1) {
    for (Index x = 0; x < full; ++x) a.out[x] = T(acc[x]);
  } else if ((whole & (whole - 1)) == 0) {
    const int shift = std::countr_zero(std::uint64_t(whole));
    for (Index x = 0; x < full; ++x) a.out[x] = T(round_half_even_shift(acc[x], shift));
  } else {
    for (Index x = 0; x < full; ++x) a.out[x] = T(round_half_even_div(acc[x], A(whole)));
  }
  if (full < a.out_length)
    a.out[full] = T(round_half_even_div(acc[full], A(a.row_count * (a.length - full * a.factor))));
}

// Exact block sums in S (the numerators of integer means), for pyramids: level k's sums are
// sums of level k-1's, and rounding happens once, from level 0's count.
template <class S, class In>
[[gnu::always_inline]] inline void sum_row(const RowArgs<In, S>& a) {
  std::fill_n(a.out, a.out_length, S(0));
  fold_all(a.out, a, whole_blocks(a), [](S s, In v) { return S(s + S(v)); });
}

}  // namespace zoomflow::detail
