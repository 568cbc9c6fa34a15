#include "zoomflow/kernels/downsample.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

#include "downsample_rows.hpp"
#include "downsample_run.hpp"
#include "downsample_simd.hpp"

namespace zoomflow {
namespace detail {
namespace {

// Integer means sum in the narrowest accumulator whose range holds a block's sum with headroom:
// 32 bits, 64 bits, else 128.
template <class T>
struct MeanAccumulators {
  using Narrow = std::conditional_t<std::is_signed_v<T>, std::int32_t, std::uint32_t>;
  using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
  using Widest = std::conditional_t<std::is_signed_v<T>, Int128, UInt128>;
  // 0, 1 or 2: Narrow, Wide, Widest.
  static int tier(Index block_elements) {
    const double largest_sum =
        (double(std::numeric_limits<T>::max()) + 2.0) * (double(block_elements) + 1.0);
    if (sizeof(T) < 4 && largest_sum < 0x1p31) return 0;
    if (sizeof(T) < 8 && largest_sum < 0x1p63) return 1;
    return 2;
  }
  static std::size_t bytes(Index block_elements) {
    const int t = tier(block_elements);
    return t == 0 ? sizeof(Narrow) : t == 1 ? sizeof(Wide) : sizeof(Widest);
  }
};

template <ReduceMethod M, class T, class A>
[[gnu::always_inline]] inline void row_body(const RowArgs<T>& a) {
  if constexpr (M == ReduceMethod::kStride) {
    stride_row(a);
  } else if constexpr (M == ReduceMethod::kMin) {
    min_row(a);
  } else if constexpr (M == ReduceMethod::kMax) {
    max_row(a);
  } else if constexpr (std::is_floating_point_v<T>) {
    float_mean_row(a);
  } else {
    integer_mean_row<A>(a);
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

template <ReduceMethod M, class T, class A = void>
RowFunction<T> pick_clone() {
  return cpu_has_avx2() ? &row_avx2<M, T, A> : &row_baseline<M, T, A>;
}

// bool's mean, median and mode are all the majority (false on ties): the mean of 0/1 bytes.
bool is_majority(ReduceMethod method, DType dtype) {
  return dtype == DType::kBool && method != ReduceMethod::kStride && method != ReduceMethod::kMin &&
         method != ReduceMethod::kMax;
}

// Nothing downsampled (every factor 1, or its axis 1 long): TensorStore copies the input, so a
// lone NaN stays NaN under min and a lone -0.0 stays -0.0 under mean.
ReduceMethod effective_method(const DownsampleSpec& spec, DType dtype) {
  if (spec.block_elements() == 1) return ReduceMethod::kStride;
  if (is_majority(spec.method, dtype)) return ReduceMethod::kMean;
  return spec.method;
}

std::size_t method_scratch_bytes(const DownsampleSpec& spec, DType dtype, Index out_length) {
  const ReduceMethod method = effective_method(spec, dtype);
  return visit_dtype(dtype, [&](auto tag) -> std::size_t {
    using T = typename decltype(tag)::type;
    if (method == ReduceMethod::kMean) {
      if constexpr (std::is_floating_point_v<T>)
        return 0;
      else
        return std::size_t(out_length) * MeanAccumulators<T>::bytes(spec.block_elements());
    }
    if (method == ReduceMethod::kMode || method == ReduceMethod::kMedian)
      return order_statistic_row_scratch<T>(spec.block_elements());
    return 0;
  });
}

template <class T>
RowFunction<T> row_function(const DownsampleSpec& spec, DType dtype) {
  const ReduceMethod method = effective_method(spec, dtype);
  if (method == ReduceMethod::kMode || method == ReduceMethod::kMedian)
    return order_statistic_row_function<T>(method == ReduceMethod::kMedian);
  return accumulate_row_function<T>(method, dtype, spec.block_elements());
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

}  // namespace

template <class T>
RowFunction<T> accumulate_row_function(ReduceMethod method, DType, Index block_elements) {
  switch (method) {
    case ReduceMethod::kStride:
      return pick_clone<ReduceMethod::kStride, T>();
    case ReduceMethod::kMin:
      return pick_clone<ReduceMethod::kMin, T>();
    case ReduceMethod::kMax:
      return pick_clone<ReduceMethod::kMax, T>();
    default:
      break;
  }
  using Acc = MeanAccumulators<T>;
  if constexpr (std::is_floating_point_v<T>) {
    return pick_clone<ReduceMethod::kMean, T>();
  } else {
    switch (Acc::tier(block_elements)) {
      case 0:
        if constexpr (sizeof(T) < 4)
          return pick_clone<ReduceMethod::kMean, T, typename Acc::Narrow>();
        [[fallthrough]];
      case 1:
        if constexpr (sizeof(T) < 8)
          return pick_clone<ReduceMethod::kMean, T, typename Acc::Wide>();
        [[fallthrough]];
      default:
        return pick_clone<ReduceMethod::kMean, T, typename Acc::Widest>();
    }
  }
}

#define ZF_INSTANTIATE(T) \
  template RowFunction<T> accumulate_row_function<T>(ReduceMethod, DType, Index);
ZF_INSTANTIATE(std::int8_t)
ZF_INSTANTIATE(std::int16_t)
ZF_INSTANTIATE(std::int32_t)
ZF_INSTANTIATE(std::int64_t)
ZF_INSTANTIATE(std::uint8_t)
ZF_INSTANTIATE(std::uint16_t)
ZF_INSTANTIATE(std::uint32_t)
ZF_INSTANTIATE(std::uint64_t)
ZF_INSTANTIATE(float)
ZF_INSTANTIATE(double)
#undef ZF_INSTANTIATE

}  // namespace detail

Status downsample_box(const DownsampleSpec& spec, ConstArrayView input,
                      const IndexVector& input_origin, ArrayView output, const Box& output_box,
                      Workspace& workspace) {
  ZF_RETURN_IF_ERROR(detail::check_arguments(spec, input, input_origin, output, output_box));
  if (output_box.empty()) return ok_status();
  const detail::BlockGrid grid{spec.input_shape, spec.factors};
  const int last = spec.rank() - 1;
  const std::size_t method_bytes =
      detail::method_scratch_bytes(spec, input.dtype(), output_box.extent[last]);
  visit_dtype(input.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::size_t bytes =
        detail::row_scratch<T, T>(grid, output_box, input.strides()[last] != 1,
                                  output.strides()[last] != 1, method_bytes)
            .total();
    detail::run_rows<T, T>(grid, input.as<T>(), input_origin, output.as<T>(), output_box,
                           workspace.buffer<std::byte>(0, bytes), method_bytes,
                           detail::row_function<T>(spec, input.dtype()));
  });
  return ok_status();
}

std::size_t downsample_scratch_bytes(const DownsampleSpec& spec, DType dtype,
                                     const Box& output_box) {
  if (output_box.empty()) return 0;
  const detail::BlockGrid grid{spec.input_shape, spec.factors};
  const std::size_t method_bytes =
      detail::method_scratch_bytes(spec, dtype, output_box.extent[spec.rank() - 1]);
  return visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return detail::row_scratch<T, T>(grid, output_box, true, true, method_bytes).total();
  });
}

}  // namespace zoomflow
