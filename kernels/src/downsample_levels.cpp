#include "zoomflow/kernels/downsample_levels.hpp"

#include <limits>
#include <string>
#include <type_traits>

#include "downsample_rows.hpp"
#include "downsample_run.hpp"
#include "downsample_simd.hpp"
#include "zoomflow/kernels/downsample.hpp"

namespace zoomflow {
namespace {

using detail::Int128;
using detail::UInt128;

// Integer means and bool's majority go through exact sums.
bool uses_sums(ReduceMethod method, DType dtype) {
  if (dtype == DType::kBool)
    return method == ReduceMethod::kMean || method == ReduceMethod::kMode ||
           method == ReduceMethod::kMedian;
  return method == ReduceMethod::kMean && !is_floating(dtype);
}

// 64-bit sums while the deepest block's sum fits with headroom, else 128-bit.
template <class T>
bool sums_fit_64(Index block_elements) {
  if (sizeof(T) == 8) return false;
  const double largest =
      (double(std::numeric_limits<T>::max()) + 2.0) * (double(block_elements) + 1.0);
  return largest < 0x1p63;
}

template <class S, class In>
ZF_TARGET_AVX2 void sum_row_avx2(const detail::RowArgs<In, S>& a) {
  detail::sum_row<S, In>(a);
}
template <class S, class In>
void sum_row_baseline(const detail::RowArgs<In, S>& a) {
  detail::sum_row<S, In>(a);
}
template <class S, class In>
detail::RowFunction<In, S> sum_row_function() {
  return detail::cpu_has_avx2() ? &sum_row_avx2<S, In> : &sum_row_baseline<S, In>;
}

// Level k's voxels from its exact sums: round_half_even(sum / count), count the input voxels of
// the block (direct.factors clipped to the input).
template <class S, class T>
void round_sums(const S* sums, const DownsampleSpec& direct, const Box& box, StridedView<T> out) {
  const int last = direct.rank() - 1;
  const Index factor = direct.factors[last];
  const Index length = direct.input_shape[last];
  IndexVector index = IndexVector::filled(direct.rank(), 0);
  const Index rows = box.num_elements() / box.extent[last];
  for (Index row = 0; row < rows; ++row) {
    Index outer = 1;
    for (int a = 0; a < last; ++a) {
      const Index first = (box.origin[a] + index[a]) * direct.factors[a];
      outer *= std::min(direct.factors[a], direct.input_shape[a] - first);
    }
    T* o = &out[index];
    const Index step = out.strides()[last];
    const S* s = sums + row * box.extent[last];
    const Index whole = outer * factor;
    const bool shift = whole > 1 && (whole & (whole - 1)) == 0;
    const int bits = std::countr_zero(std::uint64_t(whole));
    for (Index x = 0; x < box.extent[last]; ++x) {
      const Index first = (box.origin[last] + x) * factor;
      const Index count = outer * std::min(factor, length - first);
      S q;
      if (count == whole && shift)
        q = detail::round_half_even_shift(s[x], bits);
      else
        q = detail::round_half_even_div(s[x], S(count));
      o[x * step] = T(q);
    }
    for (int a = last - 1; a >= 0; --a) {
      if (++index[a] < box.extent[a]) break;
      index[a] = 0;
    }
  }
}

// Every level through exact sums in S, each from the previous level's sums where those cover
// its blocks, else from the input; slots 1 and 2 hold two consecutive levels' sums.
template <class T, class S>
void sum_levels(const DownsampleLevels& levels, StridedView<const T> input,
                const IndexVector& input_origin, std::span<const ArrayView> outputs,
                std::span<const Box> boxes, Workspace& workspace) {
  const S* previous = nullptr;
  for (int k = 1; k <= levels.levels(); ++k) {
    const Box& box = boxes[std::size_t(k - 1)];
    std::span<S> sums = workspace.buffer<S>(1 + k % 2, std::size_t(box.num_elements()));
    const int last = levels.input_shape.rank() - 1;
    const StridedView<S> sums_view(sums.data(), box.extent);
    const Box* previous_box = k > 1 ? &boxes[std::size_t(k - 2)] : nullptr;
    const DownsampleSpec step = levels.step(k);
    if (previous && previous_box->contains(downsample_input_box(step, box))) {
      const detail::BlockGrid grid{step.input_shape, step.factors};
      const StridedView<const S> from(previous, previous_box->extent);
      const std::size_t bytes = detail::row_scratch<S, S>(grid, box, false, false, 0).total();
      detail::run_rows<S, S>(grid, from, previous_box->origin, sums_view, box,
                             workspace.buffer<std::byte>(0, bytes), 0, sum_row_function<S, S>());
    } else {
      const DownsampleSpec direct = levels.direct(k);
      const detail::BlockGrid grid{direct.input_shape, direct.factors};
      const std::size_t bytes =
          detail::row_scratch<T, S>(grid, box, input.strides()[last] != 1, false, 0).total();
      detail::run_rows<T, S>(grid, input, input_origin, sums_view, box,
                             workspace.buffer<std::byte>(0, bytes), 0, sum_row_function<S, T>());
    }
    round_sums(sums.data(), levels.direct(k), box, outputs[std::size_t(k - 1)].as<T>());
    previous = sums.data();
  }
}

Status check_arguments(const DownsampleLevels& levels, const ConstArrayView& input,
                       const IndexVector& input_origin, std::span<const ArrayView> outputs,
                       std::span<const Box> boxes) {
  ZF_RETURN_IF_ERROR(levels.validate_for(input.dtype()));
  if (outputs.size() != std::size_t(levels.levels()) || boxes.size() != outputs.size())
    return make_error(ErrorCode::kInvalidArgument,
                      std::to_string(outputs.size()) + " outputs and " +
                          std::to_string(boxes.size()) + " boxes for " +
                          std::to_string(levels.levels()) + " levels");
  const Box have{input_origin, input.shape()};
  for (int k = 1; k <= levels.levels(); ++k) {
    const ArrayView& out = outputs[std::size_t(k - 1)];
    const Box& box = boxes[std::size_t(k - 1)];
    const DownsampleSpec direct = levels.direct(k);
    if (out.dtype() != input.dtype() || out.rank() != direct.rank() ||
        box.rank() != direct.rank() || !(out.shape() == box.extent))
      return make_error(ErrorCode::kInvalidArgument,
                        "level " + std::to_string(k) + ": the output view (" +
                            std::string(dtype_name(out.dtype())) + " " + to_string(out.shape()) +
                            ") does not match its box " + to_string(box) +
                            " and the input's dtype");
    if (!Box::from_shape(direct.output_shape()).contains(box))
      return make_error(ErrorCode::kInvalidArgument,
                        "level " + std::to_string(k) + " box " + to_string(box) +
                            " lies outside the level's shape " + to_string(direct.output_shape()));
    if (!have.contains(downsample_input_box(direct, box)))
      return make_error(ErrorCode::kInvalidArgument,
                        "input box " + to_string(have) + " does not cover the blocks of level " +
                            std::to_string(k) + " box " + to_string(box));
  }
  return ok_status();
}

}  // namespace

Shape DownsampleLevels::total_factors(int level) const {
  Shape total = IndexVector::filled(input_shape.rank(), 1);
  for (int k = 0; k < level; ++k)
    for (int a = 0; a < input_shape.rank(); ++a) total[a] *= factors[std::size_t(k)][a];
  return total;
}

DownsampleSpec DownsampleLevels::direct(int level) const {
  return {input_shape, total_factors(level), method};
}

DownsampleSpec DownsampleLevels::step(int level) const {
  return {direct(level - 1).output_shape(), factors[std::size_t(level - 1)], method};
}

Status DownsampleLevels::validate_for(DType dtype) const {
  if (factors.empty())
    return make_error(ErrorCode::kInvalidArgument, "a pyramid needs at least one level");
  for (int k = 1; k <= levels(); ++k) {
    if (factors[std::size_t(k - 1)].rank() != input_shape.rank())
      return make_error(ErrorCode::kInvalidArgument,
                        "level " + std::to_string(k) + " has " +
                            std::to_string(factors[std::size_t(k - 1)].rank()) +
                            " factors for an input of rank " + std::to_string(input_shape.rank()));
    for (int a = 0; a < input_shape.rank(); ++a)
      if (factors[std::size_t(k - 1)][a] < 1 || total_factors(k)[a] >= (Index(1) << 31))
        return make_error(ErrorCode::kInvalidArgument,
                          "level " + std::to_string(k) + " factors " +
                              to_string(factors[std::size_t(k - 1)]) +
                              " must be >= 1, and their product below 2^31");
    ZF_RETURN_IF_ERROR(direct(k).validate_for(dtype));
    ZF_RETURN_IF_ERROR(step(k).validate_for(dtype));
  }
  return ok_status();
}

bool reduction_cascades(ReduceMethod method, DType dtype) {
  if (method == ReduceMethod::kStride) return true;
  return (method == ReduceMethod::kMin || method == ReduceMethod::kMax) && !is_floating(dtype);
}

Status downsample_levels(const DownsampleLevels& levels, ConstArrayView input,
                         const IndexVector& input_origin, std::span<const ArrayView> outputs,
                         std::span<const Box> output_boxes, Workspace& workspace) {
  ZF_RETURN_IF_ERROR(check_arguments(levels, input, input_origin, outputs, output_boxes));
  for (const Box& box : output_boxes)
    if (box.empty()) return ok_status();  // nothing at some level: nothing below it either
  const DType dtype = input.dtype();
  if (uses_sums(levels.method, dtype)) {
    const Index deepest = levels.direct(levels.levels()).block_elements();
    visit_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_floating_point_v<T>) {
        using Sum64 = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
        using Sum128 = std::conditional_t<std::is_signed_v<T>, Int128, UInt128>;
        if (sums_fit_64<T>(deepest))
          sum_levels<T, Sum64>(levels, input.as<T>(), input_origin, outputs, output_boxes,
                               workspace);
        else
          sum_levels<T, Sum128>(levels, input.as<T>(), input_origin, outputs, output_boxes,
                                workspace);
      }
    });
    return ok_status();
  }
  const bool cascades = reduction_cascades(levels.method, dtype);
  for (int k = 1; k <= levels.levels(); ++k) {
    const Box& box = output_boxes[std::size_t(k - 1)];
    const ArrayView& out = outputs[std::size_t(k - 1)];
    if (cascades && k > 1) {
      const DownsampleSpec step = levels.step(k);
      const Box& previous = output_boxes[std::size_t(k - 2)];
      if (previous.contains(downsample_input_box(step, box))) {
        ZF_RETURN_IF_ERROR(downsample_box(step, ConstArrayView(outputs[std::size_t(k - 2)]),
                                          previous.origin, out, box, workspace));
        continue;
      }
    }
    ZF_RETURN_IF_ERROR(downsample_box(levels.direct(k), input, input_origin, out, box, workspace));
  }
  return ok_status();
}

std::size_t downsample_levels_scratch_bytes(const DownsampleLevels& levels, DType dtype,
                                            std::span<const Box> output_boxes) {
  std::size_t most = 0, sums = 0, previous_sums = 0;
  const bool summing = uses_sums(levels.method, dtype);
  for (int k = 1; k <= levels.levels() && std::size_t(k) <= output_boxes.size(); ++k) {
    const Box& box = output_boxes[std::size_t(k - 1)];
    // Run scratch: the larger of a direct and a step reduction (strided, the worst case).
    std::size_t run = std::max(downsample_scratch_bytes(levels.direct(k), dtype, box),
                               downsample_scratch_bytes(levels.step(k), dtype, box));
    if (summing) {
      run += std::size_t(2 * detail::BlockGrid{levels.input_shape, levels.total_factors(k)}
                                 .rows_per_output_row()) *
                 sizeof(void*) +
             std::size_t(box.extent[box.rank() - 1]) * 16 + 4 * detail::kScratchAlignment;
      const std::size_t here = std::size_t(box.num_elements()) * 16;
      (k % 2 ? sums : previous_sums) = std::max(k % 2 ? sums : previous_sums, here);
    }
    most = std::max(most, run);
  }
  return most + sums + previous_sums;
}

}  // namespace zoomflow
