#include "zoomflow/kernels/downsample.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "downsample_order.hpp"
#include "downsample_rows.hpp"
#include "downsample_simd.hpp"

namespace zoomflow {
namespace detail {

const std::vector<Comparator>& sorting_network(int n) {
  static const auto networks = [] {
    std::vector<std::vector<Comparator>> all(std::size_t(kMaxNetworkElements) + 1);
    for (int size = 2; size <= kMaxNetworkElements; ++size)
      batcher_network(size, [&](int lo, int hi) {
        all[std::size_t(size)].push_back({std::uint8_t(lo), std::uint8_t(hi)});
      });
    return all;
  }();
  return networks[std::size_t(n)];
}

}  // namespace detail

namespace {

using detail::RowArgs;

// The narrow accumulator for integer means when a block's sum and count fit with headroom, else
// the wide one (64-bit for up to 32-bit types, 128-bit for 64-bit types).
template <class T>
struct MeanAccumulators {
  using Narrow = std::conditional_t<std::is_signed_v<T>, std::int32_t, std::uint32_t>;
  using Wide =
      std::conditional_t<sizeof(T) == 8,
                         std::conditional_t<std::is_signed_v<T>, detail::Int128, detail::UInt128>,
                         std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>>;
  static bool narrow_fits(Index block_elements) {
    if (sizeof(T) >= 4) return false;
    const double largest = double(std::numeric_limits<T>::max()) + 1.0;
    return (largest + 1.0) * double(block_elements) < double(std::numeric_limits<Narrow>::max());
  }
};

template <ReduceMethod M, class T, class A>
[[gnu::always_inline]] inline void row_body(const RowArgs<T>& a) {
  if constexpr (M == ReduceMethod::kStride) {
    detail::stride_row(a);
  } else if constexpr (M == ReduceMethod::kMin) {
    detail::min_row(a);
  } else if constexpr (M == ReduceMethod::kMax) {
    detail::max_row(a);
  } else if constexpr (M == ReduceMethod::kMean) {
    if constexpr (std::is_floating_point_v<T>)
      detail::float_mean_row(a);
    else
      detail::integer_mean_row<A>(a);
  } else {
    detail::order_statistic_row<M == ReduceMethod::kMedian>(a);
  }
}

template <ReduceMethod M, class T, class A>
ZF_TARGET_AVX2 void row_avx2(const RowArgs<T>& a) {
  row_body<M, T, A>(a);
}
template <ReduceMethod M, class T, class A>
void row_baseline(const RowArgs<T>& a) {
  row_body<M, T, A>(a);
}

template <class T>
using RowFunction = void (*)(const RowArgs<T>&);

template <ReduceMethod M, class T, class A = void>
RowFunction<T> pick_clone() {
  return detail::cpu_has_avx2() ? &row_avx2<M, T, A> : &row_baseline<M, T, A>;
}

// The row function for this method and dtype. bool's mean, median and mode are all the majority
// (false on ties), which the uint8 mean of 0/1 values computes.
template <class T>
RowFunction<T> row_function(ReduceMethod method, DType dtype, Index block_elements) {
  using Acc = MeanAccumulators<T>;
  // Nothing downsampled (every factor 1, or its axis 1 long): TensorStore copies the input, so
  // a lone NaN stays NaN under min and a lone -0.0 stays -0.0 under mean.
  if (block_elements == 1) method = ReduceMethod::kStride;
  if (dtype == DType::kBool && method != ReduceMethod::kStride && method != ReduceMethod::kMin &&
      method != ReduceMethod::kMax)
    method = ReduceMethod::kMean;
  switch (method) {
    case ReduceMethod::kStride:
      return pick_clone<ReduceMethod::kStride, T>();
    case ReduceMethod::kMin:
      return pick_clone<ReduceMethod::kMin, T>();
    case ReduceMethod::kMax:
      return pick_clone<ReduceMethod::kMax, T>();
    case ReduceMethod::kMode:
      return pick_clone<ReduceMethod::kMode, T>();
    case ReduceMethod::kMedian:
      return pick_clone<ReduceMethod::kMedian, T>();
    case ReduceMethod::kMean:
      break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    return pick_clone<ReduceMethod::kMean, T>();
  } else {
    if (Acc::narrow_fits(block_elements))
      return pick_clone<ReduceMethod::kMean, T, typename Acc::Narrow>();
    return pick_clone<ReduceMethod::kMean, T, typename Acc::Wide>();
  }
}

// Scratch bytes the method needs per output row (slot 3).
std::size_t method_scratch_bytes(const DownsampleSpec& spec, DType dtype, Index out_length) {
  return visit_dtype(dtype, [&](auto tag) -> std::size_t {
    using T = typename decltype(tag)::type;
    if (spec.block_elements() == 1) return 0;
    const bool majority = dtype == DType::kBool && spec.method != ReduceMethod::kStride &&
                          spec.method != ReduceMethod::kMin && spec.method != ReduceMethod::kMax;
    if (spec.method == ReduceMethod::kMean || majority) {
      if constexpr (std::is_floating_point_v<T>) return 0;
      using Acc = MeanAccumulators<T>;
      return std::size_t(out_length) * (Acc::narrow_fits(spec.block_elements())
                                            ? sizeof(typename Acc::Narrow)
                                            : sizeof(typename Acc::Wide));
    }
    if (spec.method == ReduceMethod::kMode || spec.method == ReduceMethod::kMedian)
      return detail::order_statistic_scratch_bytes<T>(spec.block_elements());
    return 0;
  });
}

// Rows of one output row's blocks: the product over the outer axes of the factors (clipped).
Index rows_per_output_row(const DownsampleSpec& spec) {
  Index rows = 1;
  for (int a = 0; a + 1 < spec.rank(); ++a) rows *= std::min(spec.factors[a], spec.input_shape[a]);
  return rows;
}

Status check_arguments(const DownsampleSpec& spec, const ConstArrayView& input,
                       const IndexVector& input_origin, const ArrayView& output,
                       const Box& output_box) {
  ZF_RETURN_IF_ERROR(spec.validate_for(input.dtype()));
  if (output.dtype() != input.dtype())
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("output dtype ") + std::string(dtype_name(output.dtype())) +
                          " differs from input dtype " + std::string(dtype_name(input.dtype())));
  if (input.rank() != spec.rank() || output.rank() != spec.rank() ||
      input_origin.rank() != spec.rank() || output_box.rank() != spec.rank())
    return make_error(ErrorCode::kInvalidArgument, "views, box and spec differ in rank");
  if (!(output.shape() == output_box.extent))
    return make_error(ErrorCode::kInvalidArgument,
                      "output view shape " + to_string(output.shape()) +
                          " differs from the output box " + to_string(output_box));
  if (!Box::from_shape(spec.output_shape()).contains(output_box))
    return make_error(ErrorCode::kInvalidArgument, "output box " + to_string(output_box) +
                                                       " lies outside the output shape " +
                                                       to_string(spec.output_shape()));
  const Box have{input_origin, input.shape()};
  const Box needed = downsample_input_box(spec, output_box);
  if (!have.contains(needed))
    return make_error(ErrorCode::kInvalidArgument,
                      "input box " + to_string(have) + " does not cover the needed box " +
                          to_string(needed) + " of output box " + to_string(output_box));
  return ok_status();
}

// The input rows of output row `out_index` (box coordinates, last axis ignored): one per block
// offset over the outer axes, in C order, clipped to the input; returns how many.
template <class T>
Index input_rows(const DownsampleSpec& spec, StridedView<const T> input, const IndexVector& origin,
                 const Box& box, const IndexVector& out_index, const T** rows) {
  const int last = spec.rank() - 1;
  const T* base =
      input.data() + (box.origin[last] * spec.factors[last] - origin[last]) * input.strides()[last];
  IndexVector first = IndexVector::filled(spec.rank(), 0), count = first, offset = first;
  for (int a = 0; a < last; ++a) {
    first[a] = (box.origin[a] + out_index[a]) * spec.factors[a];
    count[a] = std::min(spec.factors[a], spec.input_shape[a] - first[a]);
    base += (first[a] - origin[a]) * input.strides()[a];
  }
  Index n = 0;
  for (;;) {
    const T* p = base;
    for (int a = 0; a < last; ++a) p += offset[a] * input.strides()[a];
    rows[n++] = p;
    int a = last - 1;
    for (; a >= 0; --a) {
      if (++offset[a] < count[a]) break;
      offset[a] = 0;
    }
    if (a < 0) return n;
  }
}

// Rows this short are prefetched one output row ahead: the hardware prefetcher loses them at
// every page boundary, and a small block's row is a few pages apart from its neighbour.
inline constexpr std::size_t kPrefetchBytes = 16 << 10;

// Walks the output rows of the box (every axis but the last), hands each row function the input
// rows of its blocks as contiguous rows (copying strided ones) and a contiguous output row.
template <class T>
void run_rows(const DownsampleSpec& spec, DType dtype, StridedView<const T> input,
              const IndexVector& origin, StridedView<T> output, const Box& box,
              Workspace& workspace, RowFunction<T> fn) {
  const int rank = spec.rank();
  const int last = rank - 1;
  const Index factor = spec.factors[last];
  const Index length =
      std::min(box.end(last) * factor, spec.input_shape[last]) - box.origin[last] * factor;
  const Index out_length = box.extent[last];
  const Index in_step = input.strides()[last];
  const Index out_step = output.strides()[last];

  const Index max_rows = rows_per_output_row(spec);
  std::span<const T*> rows = workspace.buffer<const T*>(0, std::size_t(2 * max_rows));
  std::span<T> gathered = workspace.buffer<T>(1, in_step == 1 ? 0 : std::size_t(max_rows * length));
  std::span<T> out_row = workspace.buffer<T>(2, out_step == 1 ? 0 : std::size_t(out_length));
  std::span<std::byte> scratch =
      workspace.buffer<std::byte>(3, method_scratch_bytes(spec, dtype, out_length));
  const bool prefetch =
      in_step == 1 && std::size_t(max_rows * length) * sizeof(T) <= kPrefetchBytes;

  const T** current = rows.data();
  const T** next = rows.data() + max_rows;
  IndexVector out_index = IndexVector::filled(rank, 0);  // within the box, last axis 0
  Index count = input_rows(spec, input, origin, box, out_index, current);
  const Index outer_rows = num_elements(box.extent) / std::max<Index>(out_length, 1);
  for (Index row = 0; row < outer_rows; ++row) {
    IndexVector following = out_index;
    for (int a = last - 1; a >= 0; --a) {
      if (++following[a] < box.extent[a]) break;
      following[a] = 0;
    }
    const Index next_count =
        row + 1 < outer_rows ? input_rows(spec, input, origin, box, following, next) : 0;
    if (prefetch) {
      for (Index r = 0; r < next_count; ++r) {
        const char* p = reinterpret_cast<const char*>(next[r]);
        for (std::size_t b = 0; b < std::size_t(length) * sizeof(T); b += 64)
          __builtin_prefetch(p + b);
      }
    }
    if (in_step != 1) {
      for (Index r = 0; r < count; ++r) {
        T* dst = gathered.data() + r * length;
        for (Index i = 0; i < length; ++i) dst[i] = current[r][i * in_step];
        current[r] = dst;
      }
    }
    T* out = &output[out_index];
    T* target = out_step == 1 ? out : out_row.data();
    fn(RowArgs<T>{current, count, length, factor, target, out_length, scratch.data()});
    if (out_step != 1)
      for (Index x = 0; x < out_length; ++x) out[x * out_step] = target[x];
    std::swap(current, next);
    count = next_count;
    out_index = following;
  }
}

}  // namespace

Status downsample_box(const DownsampleSpec& spec, ConstArrayView input,
                      const IndexVector& input_origin, ArrayView output, const Box& output_box,
                      Workspace& workspace) {
  ZF_RETURN_IF_ERROR(check_arguments(spec, input, input_origin, output, output_box));
  if (output_box.empty()) return ok_status();
  visit_dtype(input.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    run_rows<T>(spec, input.dtype(), input.as<T>(), input_origin, output.as<T>(), output_box,
                workspace, row_function<T>(spec.method, input.dtype(), spec.block_elements()));
  });
  return ok_status();
}

std::size_t downsample_scratch_bytes(const DownsampleSpec& spec, DType dtype,
                                     const Box& output_box) {
  if (output_box.empty()) return 0;
  const int last = spec.rank() - 1;
  const Index rows = rows_per_output_row(spec);
  const Index length = output_box.extent[last] * spec.factors[last];
  const std::size_t element = dtype_size(dtype);
  return std::size_t(2 * rows) * sizeof(void*) + std::size_t(rows * length) * element +
         std::size_t(output_box.extent[last]) * element +
         method_scratch_bytes(spec, dtype, output_box.extent[last]);
}

}  // namespace zoomflow
