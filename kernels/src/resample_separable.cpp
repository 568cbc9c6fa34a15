#include "resample_separable.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "zoomflow/kernels/bspline.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"

namespace zoomflow::detail {
namespace {

// Lanes of one panel of an outer-axis prefilter pass: the panel (samples x lanes doubles, about
// 100 KiB) stays in L2 while every coefficient of it is computed.
constexpr Index kPanelWidth = 128;
// Lanes of one chunk of an outer-axis interpolation pass: the chunk's taps stay in L2 while every
// output row of it is computed.
constexpr Index kChunkWidth = 512;
// Outputs computed together by the filter loops (their sums stay in registers).
constexpr int kBlock = 8;

// ---- Conversions between element types and doubles ------------------------------------------

using GatherFn = void (*)(const std::byte* row, Index stride, const Index* source, Index count,
                          double cval, double* out);
using StoreFn = void (*)(const double* values, Index count, std::byte* out, Index stride);

// out[k] = row[source[k] * stride] as double, or cval where source[k] is kCvalSource.
template <class T>
void gather_row(const std::byte* row, Index stride, const Index* source, Index count, double cval,
                double* out) {
  const T* r = reinterpret_cast<const T*>(row);
  for (Index k = 0; k < count; ++k) {
    const Index s = source[k];
    out[k] = s == kCvalSource ? cval : double(r[s * stride]);
  }
}

GatherFn gather_for(DType dtype) {
  return visit_dtype(
      dtype, [](auto tag) -> GatherFn { return &gather_row<typename decltype(tag)::type>; });
}

// The common case of gather_row, where the taps read the consecutive coefficients first,
// first + 1, ...: a plain conversion loop, which vectorises.
using GatherRunFn = void (*)(const std::byte* row, Index stride, Index first, Index count,
                             double* out);

template <class T>
void gather_run(const std::byte* row, Index stride, Index first, Index count, double* out) {
  const T* r = reinterpret_cast<const T*>(row) + first * stride;
  if (stride == 1) {
    for (Index k = 0; k < count; ++k) out[k] = double(r[k]);
  } else {
    for (Index k = 0; k < count; ++k) out[k] = double(r[k * stride]);
  }
}

GatherRunFn gather_run_for(DType dtype) {
  return visit_dtype(
      dtype, [](auto tag) -> GatherRunFn { return &gather_run<typename decltype(tag)::type>; });
}

// The first source when `source` is first, first + 1, ... (no cval); else kCvalSource.
Index consecutive_run(const std::vector<Index>& source) {
  if (source.empty() || source[0] == kCvalSource) return kCvalSource;
  for (std::size_t j = 1; j < source.size(); ++j)
    if (source[j] != source[0] + Index(j)) return kCvalSource;
  return source[0];
}

// Integers round half away from zero and saturate, floats round to the type, bool is v != 0.
// saturate_cast's result, written without branches so that the loop vectorises, for integers
// that fit an int32 (rounded half away from zero, clamped, NaN to the lowest, then truncated).
template <class T>
T saturate_narrow(double v) {
  constexpr double lowest = double(std::numeric_limits<T>::lowest());
  constexpr double highest = double(std::numeric_limits<T>::max());
  double r = v + std::copysign(0.5, v);  // -0.0 gives -0.5, which truncates to 0 as 0.5 does
  r = r > lowest ? r : lowest;           // NaN too
  r = r < highest ? r : highest;
  return T(std::int32_t(r));
}

template <class T>
void store_row(const double* values, Index count, std::byte* out, Index stride) {
  T* o = reinterpret_cast<T*>(out);
  if constexpr (std::is_integral_v<T> && sizeof(T) <= 2) {
    if (stride == 1) {
      T* __restrict dst = o;
      for (Index k = 0; k < count; ++k) dst[k] = saturate_narrow<T>(values[k]);
      return;
    }
  }
  if (stride == 1) {
    for (Index k = 0; k < count; ++k) o[k] = saturate_cast<T>(values[k]);
  } else {
    for (Index k = 0; k < count; ++k) o[k * stride] = saturate_cast<T>(values[k]);
  }
}

void store_bool_row(const double* values, Index count, std::byte* out, Index stride) {
  auto* o = reinterpret_cast<std::uint8_t*>(out);
  for (Index k = 0; k < count; ++k) o[k * stride] = values[k] != 0.0 ? 1 : 0;
}

StoreFn store_for(DType dtype) {
  if (dtype == DType::kBool) return &store_bool_row;
  return visit_dtype(dtype,
                     [](auto tag) -> StoreFn { return &store_row<typename decltype(tag)::type>; });
}

// Stores values[0 .. count) as the elements flat_begin .. flat_begin + count of the C-order block
// `shape` that starts at `base` with element `strides` (the output below one index of axis 0).
void store_flat(const double* values, Index flat_begin, Index count, std::byte* base,
                const Shape& shape, const IndexVector& strides, std::size_t element,
                StoreFn store) {
  const int rank = shape.rank();
  IndexVector index = IndexVector::filled(rank, 0);
  for (int a = rank - 1; a >= 0; --a) {
    index[a] = flat_begin % shape[a];
    flat_begin /= shape[a];
  }
  const Index row = shape[rank - 1];
  while (count > 0) {
    const Index run = std::min(count, row - index[rank - 1]);
    Index offset = 0;
    for (int a = 0; a < rank; ++a) offset += index[a] * strides[a];
    store(values, run, base + offset * Index(element), strides[rank - 1]);
    values += run;
    count -= run;
    index[rank - 1] += run;
    for (int a = rank - 1; a > 0 && index[a] == shape[a]; --a) {
      index[a] = 0;
      ++index[a - 1];
    }
  }
}

Index product(const Shape& extent, int from, int to) {
  Index p = 1;
  for (int a = from; a < to; ++a) p *= extent[a];
  return p;
}

// On the bits, so that the loop vectorises: a double is not finite when its exponent is all
// ones, and adding 1 to that exponent carries into the sign bit.
bool all_finite(const double* v, Index count) {
  constexpr std::uint64_t kExponent = std::uint64_t(0x7ff) << 52;
  constexpr std::uint64_t kOne = std::uint64_t(1) << 52;
  std::uint64_t carry = 0;
  for (Index i = 0; i < count; ++i) {
    std::uint64_t bits;
    std::memcpy(&bits, &v[i], sizeof bits);
    carry |= (bits & kExponent) + kOne;
  }
  return (carry >> 63) == 0;
}

// ---- The prefilter's arithmetic --------------------------------------------------------------

// out[i] = x_c[i] + sum_{k = H .. 1} h_k ((x_{c-k}[i] + x_{c+k}[i]) - (x_c[i] + x_c[i])) for
// lanes i < width, with x_j = row(j). The sum runs in this fixed order whatever the row source,
// so a coefficient has the same bits in every box; a constant stays that constant exactly.
template <class Row>
void truncated_filter(Row row, Index centre, std::span<const double> h, Index width, double* out) {
  const Index halo = Index(h.size()) - 1;
  Index i = 0;
  for (; i + kBlock <= width; i += kBlock) {
    const double* c = row(centre) + i;
    double twice[kBlock], sum[kBlock];
    for (int b = 0; b < kBlock; ++b) {
      twice[b] = c[b] + c[b];
      sum[b] = 0.0;
    }
    for (Index k = halo; k >= 1; --k) {
      const double* lo = row(centre - k) + i;
      const double* hi = row(centre + k) + i;
      const double hk = h[std::size_t(k)];
      for (int b = 0; b < kBlock; ++b) sum[b] += hk * ((lo[b] + hi[b]) - twice[b]);
    }
    for (int b = 0; b < kBlock; ++b) out[i + b] = c[b] + sum[b];
  }
  for (; i < width; ++i) {
    const double c = row(centre)[i];
    const double twice = c + c;
    double sum = 0.0;
    for (Index k = halo; k >= 1; --k)
      sum += h[std::size_t(k)] * ((row(centre - k)[i] + row(centre + k)[i]) - twice);
    out[i] = c + sum;
  }
}

// scipy's recursive prefilter (ni_splines.c apply_filter) over a whole line of `length`
// positions, each `stride` doubles apart, for `lanes` lines side by side; operation for
// operation, including its half-sample symmetric initialisation, which reads the partly summed
// first coefficient back at its last step. Lines of one position are left as they are.
void recursive_filter(double* c, Index length, Index stride, Index lanes, int order,
                      PrefilterInit init) {
  if (length <= 1) return;
  const std::span<const double> poles = prefilter_poles(order);
  auto at = [&](Index position) { return c + position * stride; };
  double gain = 1.0;
  for (double z : poles) gain *= (1.0 - z) * (1.0 - 1.0 / z);
  for (Index p = 0; p < length; ++p)
    for (Index l = 0; l < lanes; ++l) at(p)[l] *= gain;
  const Index n = length;
  for (double z : poles) {
    // The first coefficient of the causal pass.
    if (init == PrefilterInit::kMirror) {
      const double z_n_1 = std::pow(z, double(n - 1));
      for (Index l = 0; l < lanes; ++l) {
        double first = at(0)[l] + z_n_1 * at(n - 1)[l];
        double z_i = z;
        for (Index i = 1; i < n - 1; ++i) {
          first += z_i * (at(i)[l] + z_n_1 * at(n - 1 - i)[l]);
          z_i *= z;
        }
        at(0)[l] = first / (1 - z_n_1 * z_n_1);
      }
    } else if (init == PrefilterInit::kPeriodic) {
      for (Index l = 0; l < lanes; ++l) {
        double first = at(0)[l];
        double z_i = z;
        for (Index i = 1; i < n; ++i) {
          first += z_i * at(n - i)[l];
          z_i *= z;
        }
        at(0)[l] = first / (1 - z_i);  // z_i = z^n
      }
    } else {
      const double z_n = std::pow(z, double(n));
      for (Index l = 0; l < lanes; ++l) {
        const double c0 = at(0)[l];
        double first = at(0)[l] + z_n * at(n - 1)[l];
        double z_i = z;
        for (Index i = 1; i < n; ++i) {
          // At i = n - 1 scipy reads the first coefficient as summed so far.
          const double mirrored = n - 1 - i == 0 ? first : at(n - 1 - i)[l];
          first += z_i * (at(i)[l] + z_n * mirrored);
          z_i *= z;
        }
        first *= z / (1 - z_n * z_n);
        at(0)[l] = first + c0;
      }
    }
    for (Index i = 1; i < n; ++i)
      for (Index l = 0; l < lanes; ++l) at(i)[l] += z * at(i - 1)[l];
    // The last coefficient of the anticausal pass.
    if (init == PrefilterInit::kMirror) {
      for (Index l = 0; l < lanes; ++l)
        at(n - 1)[l] = (z * at(n - 2)[l] + at(n - 1)[l]) * z / (z * z - 1);
    } else if (init == PrefilterInit::kPeriodic) {
      for (Index l = 0; l < lanes; ++l) {
        double last = at(n - 1)[l];
        double z_i = z;
        for (Index i = 0; i < n - 1; ++i) {
          last += z_i * at(i)[l];
          z_i *= z;
        }
        at(n - 1)[l] = last * (z / (z_i - 1));
      }
    } else {
      for (Index l = 0; l < lanes; ++l) at(n - 1)[l] *= z / (z - 1);
    }
    for (Index i = n - 2; i >= 0; --i)
      for (Index l = 0; l < lanes; ++l) at(i)[l] = z * (at(i + 1)[l] - at(i)[l]);
  }
}

// The coefficients of one line from its gathered samples: `samples` holds positions sample_lo ..
// sample_hi - 1; `out` receives coef_lo .. coef_hi - 1. The recursive form works in place.
void prefilter_line(const AxisPlan& axis, double* samples, double* out) {
  if (axis.prefilter == PrefilterMethod::kRecursive) {
    recursive_filter(samples, axis.sample_count(), 1, 1, axis.order, axis.init);
    std::memcpy(out, samples, std::size_t(axis.coef_count()) * sizeof(double));
    return;
  }
  const std::span<const double> h = prefilter_taps(axis.order);
  truncated_filter([samples](Index j) { return samples + j; }, Index(h.size()) - 1, h,
                   axis.coef_count(), out);
}

// ---- The interpolation's arithmetic ----------------------------------------------------------

// out[i] = c0 + sum_{t = 1 .. K} w_t (c_t - c0) with c_t = tap(t)[i] (order 1: c0 + x (c1 - c0);
// order 0: c0). Where that is not finite, scipy's plain sum 0 + c_0 w_0 + c_1 w_1 + ... instead:
// it gives scipy's infinities (and NaN where an infinity meets a zero weight).
template <int K, class Tap>
void interpolate_lanes(Tap tap, const double* w, double x, Index width, double* out) {
  if constexpr (K == 0) {
    const double* c0 = tap(0);
    for (Index i = 0; i < width; ++i) out[i] = c0[i];
    return;
  } else {
    const double* c[K + 1];
    for (int t = 0; t <= K; ++t) c[t] = tap(t);
    // Whether any result is not finite, on the bits as all_finite does, in the same loop.
    constexpr std::uint64_t kExponent = std::uint64_t(0x7ff) << 52;
    constexpr std::uint64_t kOne = std::uint64_t(1) << 52;
    std::uint64_t carry = 0;
    if constexpr (K == 1) {
      const double* c0 = c[0];
      const double* c1 = c[1];
      for (Index i = 0; i < width; ++i) {
        const double value = c0[i] + x * (c1[i] - c0[i]);
        out[i] = value;
        std::uint64_t bits;
        std::memcpy(&bits, &value, sizeof bits);
        carry |= (bits & kExponent) + kOne;
      }
    } else {
      double wt[K + 1];
      for (int t = 0; t <= K; ++t) wt[t] = w[t];
      for (Index i = 0; i < width; ++i) {
        const double base = c[0][i];
        double sum = base;
        for (int t = 1; t <= K; ++t) sum += wt[t] * (c[t][i] - base);
        out[i] = sum;
        std::uint64_t bits;
        std::memcpy(&bits, &sum, sizeof bits);
        carry |= (bits & kExponent) + kOne;
      }
    }
    if ((carry >> 63) == 0) return;
    for (Index i = 0; i < width; ++i) {
      if (out[i] - out[i] == 0.0) continue;
      double sum = 0.0;
      for (int t = 0; t <= K; ++t) sum += c[t][i] * w[t];
      out[i] = sum;
    }
  }
}

// Along a gathered line: out[k] from taps line[first_tap[k] ...], the same arithmetic as
// interpolate_lanes, one output at a time.
template <int K>
void interpolate_line(const AxisPlan& axis, const double* line, double* out) {
  const Index count = axis.inner_count();
  const Index* first = axis.first_tap.data();
  const double* weights = axis.weights.data();
  for (Index k = 0; k < count; ++k) {
    const double* c = line + first[k];
    if constexpr (K == 0) {
      out[k] = c[0];
    } else if constexpr (K == 1) {
      out[k] = c[0] + axis.lerp_weight[std::size_t(k)] * (c[1] - c[0]);
    } else {
      const double* w = weights + k * (K + 1);
      const double base = c[0];
      double sum = base;
      for (int t = 1; t <= K; ++t) sum += w[t] * (c[t] - base);
      out[k] = sum;
    }
  }
  if (K == 0 || all_finite(out, count)) return;
  for (Index k = 0; k < count; ++k) {
    if (out[k] - out[k] == 0.0) continue;
    const double* c = line + first[k];
    const double* w = weights + k * (K + 1);
    double sum = 0.0;
    for (int t = 0; t <= K; ++t) sum += c[t] * w[t];
    out[k] = sum;
  }
}

template <int K>
void interpolate_row(const AxisPlan& axis, Index k, const double* const* taps, Index width,
                     double* out) {
  const double* const* first = taps + axis.first_tap[std::size_t(k)];
  const double* w = &axis.weights[std::size_t(k * (K + 1))];
  const double x = K == 1 ? axis.lerp_weight[std::size_t(k)] : 0.0;
  interpolate_lanes<K>([first](int t) { return first[t]; }, w, x, width, out);
}

template <class F>
void with_order(int order, F&& f) {
  switch (order) {
    case 0:
      return f(std::integral_constant<int, 0>{});
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    default:
      return f(std::integral_constant<int, 5>{});
  }
}

// ---- Order 1 at zoom 1/2 ----------------------------------------------------------------------

// Order 1 halving an axis on centers, inside the input: output k reads taps first + 2k and
// first + 2k + 1 with the weight exactly 1/2. The input position of output 0's first tap, or
// kCvalSource where the axis is not of that form.
Index halving_start(const AxisPlan& axis) {
  if (axis.order != 1 || axis.inner_lo != axis.output_lo || axis.inner_hi != axis.output_hi)
    return kCvalSource;
  const Index run = consecutive_run(axis.tap_source);
  const std::size_t count = std::size_t(axis.inner_count());
  if (run == kCvalSource || axis.first_tap.size() != count || axis.lerp_weight.size() != count)
    return kCvalSource;
  for (std::size_t k = 0; k < count; ++k)
    if (axis.first_tap[k] != axis.first_tap[0] + 2 * Index(k) || axis.lerp_weight[k] != 0.5)
      return kCvalSource;
  return run + axis.first_tap[0];
}

// Every output the mean of its 2^rank input neighbours, from an integer sum: for integers of up
// to 16 bits the passes of interpolate() compute exactly sum / 2^rank in doubles (each a
// multiple of 2^-rank well inside 53 bits) and then round it half away from zero, which is what
// this does without the passes of doubles.
template <class T>
void halve_box(const BoxPlan& plan, const IndexVector& start, ConstArrayView input,
               ArrayView output, Workspace& workspace) {
  const int rank = plan.rank;
  const int last = rank - 1;
  const Index count = plan.axes[last].inner_count();
  const Index in_step = input.strides()[last];
  const Index out_step = output.strides()[last];
  std::int32_t* sum = workspace.buffer<std::int32_t>(2, std::size_t(count)).data();
  const T* in = reinterpret_cast<const T*>(input.data());
  T* out = reinterpret_cast<T*>(output.data());
  const std::int32_t half = std::int32_t(1) << (rank - 1);
  Index rows = 1;
  for (int a = 0; a < last; ++a) rows *= plan.axes[a].inner_count();
  IndexVector index = IndexVector::filled(rank, 0);
  for (Index r = 0; r < rows; ++r) {
    std::fill(sum, sum + count, 0);
    for (int corner = 0; corner < (1 << last); ++corner) {
      Index offset = start[last] * in_step;
      for (int a = 0; a < last; ++a)
        offset += (start[a] + 2 * index[a] + ((corner >> a) & 1)) * input.strides()[a];
      const T* row = in + offset;
      if (in_step == 1) {
        for (Index k = 0; k < count; ++k) sum[k] += std::int32_t(row[2 * k]) + row[2 * k + 1];
      } else {
        for (Index k = 0; k < count; ++k)
          sum[k] += std::int32_t(row[2 * k * in_step]) + row[(2 * k + 1) * in_step];
      }
    }
    Index out_offset = 0;
    for (int a = 0; a < last; ++a) out_offset += index[a] * output.strides()[a];
    T* dst = out + out_offset;
    for (Index k = 0; k < count; ++k) {
      const std::int32_t s = sum[k];
      const std::int32_t magnitude = ((s < 0 ? -s : s) + half) >> rank;
      dst[k * out_step] = T(s < 0 ? -magnitude : magnitude);
    }
    for (int a = last - 1; a >= 0; --a) {
      if (++index[a] < plan.axes[a].inner_count()) break;
      index[a] = 0;
    }
  }
}

// halve_box where the box is of that form (every axis halved, integers of up to 16 bits kept in
// their dtype); false, doing nothing, elsewhere.
bool try_halve_box(const BoxPlan& plan, ConstArrayView input, ArrayView output,
                   Workspace& workspace) {
  const DType dtype = input.dtype();
  if (plan.prefiltered || plan.reads_cval || output.dtype() != dtype ||
      !(dtype == DType::kUInt8 || dtype == DType::kInt8 || dtype == DType::kUInt16 ||
        dtype == DType::kInt16))
    return false;
  IndexVector start = IndexVector::filled(plan.rank, 0);
  for (int a = 0; a < plan.rank; ++a) {
    start[a] = halving_start(plan.axes[a]);
    if (start[a] == kCvalSource) return false;
  }
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 2)
      halve_box<T>(plan, start, input, output, workspace);
  });
  return true;
}

// ---- Scratch ---------------------------------------------------------------------------------

// Passes alternate between Workspace slots 0 and 1: prefilter pass p (along axis rank - 1 - p)
// writes slot p % 2, its last one the coefficients (in the workspace, or elsewhere); then
// interpolation stage s (s = 1 .. rank - 1, the pass along axis rank - s) writes slot
// (first + s - 1) % 2; the last interpolation pass writes the output. Slot 2 holds a gathered
// line or a panel, a cval row and an output chunk.
struct ScratchSizes {
  std::size_t slot[2] = {0, 0};
  std::size_t line_a = 0;  // the gathered line or panel
  std::size_t line = 0;    // all of slot 2
};

// The interpolation's first stage slot after prefilter_box left its coefficients in the
// workspace: the other one.
int first_interpolation_slot(const BoxPlan& plan) {
  return plan.prefiltered ? plan.rank % 2 : 1;
}

void grow(ScratchSizes& sizes, int slot, const Shape& extent) {
  sizes.slot[slot] = std::max(sizes.slot[slot], std::size_t(num_elements(extent)));
}

// The prefilter's stages (the last, the coefficients, only if `with_last`).
void add_prefilter_stages(ScratchSizes& sizes, const BoxPlan& plan, bool with_last) {
  if (!plan.prefiltered) return;
  const int rank = plan.rank;
  Shape extent = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) extent[a] = plan.axes[a].input_count();
  for (int pass = 0; pass < rank; ++pass) {
    const int axis = rank - 1 - pass;
    extent[axis] = plan.axes[axis].coef_count();
    if (pass + 1 < rank || with_last) grow(sizes, pass % 2, extent);
  }
}

// The interpolation's stages, the first in slot `first`.
void add_interpolation_stages(ScratchSizes& sizes, const BoxPlan& plan, int first) {
  const int rank = plan.rank;
  Shape extent = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) extent[a] = plan.axes[a].coef_count();
  for (int stage = 1; stage < rank; ++stage) {
    extent[rank - stage] = plan.axes[rank - stage].inner_count();
    grow(sizes, (first + stage - 1) % 2, extent);
  }
}

void set_line(ScratchSizes& sizes, const BoxPlan& plan) {
  const int rank = plan.rank;
  if (plan.prefiltered) {
    sizes.line_a = std::size_t(plan.axes[rank - 1].sample_count());
    for (int a = 0; a + 1 < rank; ++a)
      sizes.line_a = std::max(sizes.line_a, std::size_t(plan.axes[a].sample_count() * kPanelWidth));
  }
  sizes.line_a = std::max(sizes.line_a, std::size_t(plan.axes[rank - 1].tap_count()));
  const std::size_t out_line =
      rank == 1 ? std::size_t(plan.axes[0].inner_count()) : std::size_t(kChunkWidth);
  sizes.line = sizes.line_a + std::size_t(kChunkWidth) + out_line;
}

// Everything run_separable takes.
ScratchSizes box_scratch(const BoxPlan& plan) {
  ScratchSizes sizes;
  add_prefilter_stages(sizes, plan, true);
  add_interpolation_stages(sizes, plan, first_interpolation_slot(plan));
  set_line(sizes, plan);
  return sizes;
}

}  // namespace

double cval_as_sample(double cval, DType dtype) {
  if (dtype == DType::kFloat64) return cval;
  if (dtype == DType::kFloat32) return double(float(cval));
  if (dtype == DType::kBool) return cval != 0.0 ? 1.0 : 0.0;
  if (std::isnan(cval)) return 0.0;
  return visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const double t = std::trunc(cval);
    return std::clamp(t, double(std::numeric_limits<T>::lowest()),
                      double(std::numeric_limits<T>::max()));
  });
}

std::size_t separable_scratch_bytes(const BoxPlan& plan) {
  const ScratchSizes sizes = box_scratch(plan);
  return (sizes.slot[0] + sizes.slot[1] + sizes.line) * sizeof(double);
}

Index prefilter_panel_width() {
  return kPanelWidth;
}

// ---- Prefilter -------------------------------------------------------------------------------

void prefilter_panel(const AxisPlan& axis, double sample_cval, const double* const* rows,
                     Index lane0, Index width, double* const* out_rows, Workspace& workspace) {
  const Index samples = axis.sample_count();
  double* panel = workspace.buffer<double>(2, std::size_t(samples * kPanelWidth)).data();
  // Sample s of the line is input position input_lo + source, or cval.
  for (Index s = 0; s < samples; ++s) {
    double* dst = panel + s * kPanelWidth;
    const Index source = axis.sample_source[std::size_t(s)];
    if (source == kCvalSource) {
      std::fill(dst, dst + width, sample_cval);
    } else {
      const double* src = rows[source] + lane0;
      std::copy(src, src + width, dst);
    }
  }
  if (axis.prefilter == PrefilterMethod::kRecursive) {
    recursive_filter(panel, samples, kPanelWidth, width, axis.order, axis.init);
    for (Index k = 0; k < axis.coef_count(); ++k) {
      const double* src = panel + (axis.coef_lo + k - axis.sample_lo) * kPanelWidth;
      std::copy(src, src + width, out_rows[k] + lane0);
    }
    return;
  }
  const std::span<const double> h = prefilter_taps(axis.order);
  const Index halo = Index(h.size()) - 1;
  auto panel_row = [panel](Index s) { return panel + s * kPanelWidth; };
  for (Index k = 0; k < axis.coef_count(); ++k)
    truncated_filter(panel_row, k + halo, h, width, out_rows[k] + lane0);
}

void prefilter_box(const BoxPlan& plan, double cval, ConstArrayView input, double* coefficients,
                   Workspace& workspace) {
  const int rank = plan.rank;
  const int last = rank - 1;
  const double sample_cval = cval_as_sample(cval, input.dtype());
  ScratchSizes sizes;
  add_prefilter_stages(sizes, plan, false);
  set_line(sizes, plan);
  double* slots[2] = {nullptr, nullptr};
  auto target_of = [&](int pass) {
    if (pass == last) return coefficients;
    double*& slot = slots[pass % 2];
    if (!slot) slot = workspace.buffer<double>(pass % 2, sizes.slot[pass % 2]).data();
    return slot;
  };
  // Pass 0, along the last axis: gather each input row, filter it.
  Shape extent = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) extent[a] = plan.axes[a].input_count();
  {
    const AxisPlan& axis = plan.axes[last];
    double* target = target_of(0);
    double* line = workspace.buffer<double>(2, sizes.line).data();
    const GatherFn gather = gather_for(input.dtype());
    const std::size_t element = dtype_size(input.dtype());
    const Index rows = product(extent, 0, last);
    IndexVector index = IndexVector::filled(rank, 0);
    for (Index r = 0; r < rows; ++r) {
      Index offset = 0;
      for (int a = 0; a < last; ++a) offset += index[a] * input.strides()[a];
      gather(input.data() + offset * Index(element), input.strides()[last],
             axis.sample_source.data(), axis.sample_count(), sample_cval, line);
      prefilter_line(axis, line, target + r * axis.coef_count());
      for (int a = last - 1; a >= 0; --a) {
        if (++index[a] < extent[a]) break;
        index[a] = 0;
      }
    }
    extent[last] = axis.coef_count();
  }
  // Passes along the outer axes, in panels of lanes.
  std::vector<const double*> rows;
  std::vector<double*> out_rows;
  for (int pass = 1; pass < rank; ++pass) {
    const int axis_index = last - pass;
    const AxisPlan& axis = plan.axes[axis_index];
    const double* source = target_of(pass - 1);
    double* target = target_of(pass);
    const Index outer = product(extent, 0, axis_index);
    const Index inner = product(extent, axis_index + 1, rank);
    const Index length_in = axis.input_count();
    const Index length_out = axis.coef_count();
    rows.resize(std::size_t(length_in));
    out_rows.resize(std::size_t(length_out));
    for (Index o = 0; o < outer; ++o) {
      for (Index j = 0; j < length_in; ++j)
        rows[std::size_t(j)] = source + (o * length_in + j) * inner;
      for (Index k = 0; k < length_out; ++k)
        out_rows[std::size_t(k)] = target + (o * length_out + k) * inner;
      for (Index lane0 = 0; lane0 < inner; lane0 += kPanelWidth)
        prefilter_panel(axis, sample_cval, rows.data(), lane0, std::min(kPanelWidth, inner - lane0),
                        out_rows.data(), workspace);
    }
    extent[axis_index] = length_out;
  }
}

// ---- Interpolation ---------------------------------------------------------------------------

void interpolate(const BoxPlan& plan, double cval, ConstArrayView coefficients, ArrayView output,
                 Workspace& workspace, int first_slot) {
  const int rank = plan.rank;
  const int last = rank - 1;
  const int order = plan.axes[0].order;
  ScratchSizes sizes;
  add_interpolation_stages(sizes, plan, first_slot);
  set_line(sizes, plan);
  const std::span<double> line_scratch = workspace.buffer<double>(2, sizes.line);
  double* line = line_scratch.data();
  double* cval_row = line + sizes.line_a;
  double* out_line = cval_row + kChunkWidth;
  std::fill(cval_row, cval_row + kChunkWidth, cval);
  const StoreFn store = store_for(output.dtype());
  const std::size_t out_element = dtype_size(output.dtype());

  // Pass along the last axis: gather each coefficient row, interpolate it.
  Shape extent = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) extent[a] = plan.axes[a].coef_count();
  const AxisPlan& last_axis = plan.axes[last];
  const GatherFn gather = gather_for(coefficients.dtype());
  const GatherRunFn gather_consecutive = gather_run_for(coefficients.dtype());
  const Index run_first = consecutive_run(last_axis.tap_source);
  const std::size_t in_element = dtype_size(coefficients.dtype());
  const Index rows = product(extent, 0, last);
  double* stage =
      rank > 1 ? workspace.buffer<double>(first_slot, sizes.slot[first_slot]).data() : nullptr;
  with_order(order, [&](auto k) {
    constexpr int K = decltype(k)::value;
    IndexVector index = IndexVector::filled(rank, 0);
    for (Index r = 0; r < rows; ++r) {
      Index offset = 0;
      for (int a = 0; a < last; ++a) offset += index[a] * coefficients.strides()[a];
      const std::byte* row = coefficients.data() + offset * Index(in_element);
      if (run_first != kCvalSource)
        gather_consecutive(row, coefficients.strides()[last], run_first, last_axis.tap_count(),
                           line);
      else
        gather(row, coefficients.strides()[last], last_axis.tap_source.data(),
               last_axis.tap_count(), cval, line);
      if (rank == 1) {
        interpolate_line<K>(last_axis, line, out_line);
        store(out_line, last_axis.inner_count(), output.data(), output.strides()[0]);
      } else {
        interpolate_line<K>(last_axis, line, stage + r * last_axis.inner_count());
      }
      for (int a = last - 1; a >= 0; --a) {
        if (++index[a] < extent[a]) break;
        index[a] = 0;
      }
    }
  });
  if (rank == 1) return;
  extent[last] = last_axis.inner_count();

  // Passes along the outer axes, last to first; the pass along axis 0 stores the output.
  std::vector<const double*> taps;
  for (int axis_index = last - 1, stage_number = 2; axis_index >= 0; --axis_index, ++stage_number) {
    const AxisPlan& axis = plan.axes[axis_index];
    const bool final = axis_index == 0;
    const double* source = stage;
    double* target = nullptr;
    if (!final) {
      const int slot = (first_slot + stage_number - 1) % 2;
      target = workspace.buffer<double>(slot, sizes.slot[slot]).data();
    }
    const Index outer = product(extent, 0, axis_index);
    const Index length = extent[axis_index];
    const Index inner = product(extent, axis_index + 1, rank);
    const Index outputs = axis.inner_count();
    Shape block_shape = IndexVector::filled(rank - 1, 0);
    IndexVector block_strides = IndexVector::filled(rank - 1, 0);
    for (int a = 1; a < rank; ++a) {
      block_shape[a - 1] = output.shape()[a];
      block_strides[a - 1] = output.strides()[a];
    }
    taps.resize(std::size_t(axis.tap_count()));
    with_order(order, [&](auto k) {
      constexpr int K = decltype(k)::value;
      for (Index o = 0; o < outer; ++o) {
        for (Index lane0 = 0; lane0 < inner; lane0 += kChunkWidth) {
          const Index width = std::min(kChunkWidth, inner - lane0);
          for (Index j = 0; j < axis.tap_count(); ++j) {
            const Index s = axis.tap_source[std::size_t(j)];
            taps[std::size_t(j)] =
                s == kCvalSource ? cval_row : source + (o * length + s) * inner + lane0;
          }
          for (Index i = 0; i < outputs; ++i) {
            if (final) {
              interpolate_row<K>(axis, i, taps.data(), width, out_line);
              store_flat(out_line, lane0, width,
                         output.data() + i * output.strides()[0] * Index(out_element), block_shape,
                         block_strides, out_element, store);
            } else {
              interpolate_row<K>(axis, i, taps.data(), width,
                                 target + (o * outputs + i) * inner + lane0);
            }
          }
        }
      }
    });
    extent[axis_index] = outputs;
    stage = target;
  }
}

void run_separable(const BoxPlan& plan, double cval, ConstArrayView input, ArrayView output,
                   Workspace& workspace) {
  if (!plan.prefiltered) {
    if (try_halve_box(plan, input, output, workspace)) return;
    // The coefficients are the input voxels: element 0 of the input box is at coef_lo.
    interpolate(plan, cval, input, output, workspace, first_interpolation_slot(plan));
    return;
  }
  // Both slots at their largest first: no later request reallocates one under the
  // coefficients, which the last prefilter pass leaves in slot (rank - 1) % 2.
  const ScratchSizes sizes = box_scratch(plan);
  const int coefficient_slot = (plan.rank - 1) % 2;
  workspace.buffer<double>(1 - coefficient_slot, sizes.slot[1 - coefficient_slot]);
  double* coefficients =
      workspace.buffer<double>(coefficient_slot, sizes.slot[coefficient_slot]).data();
  prefilter_box(plan, cval, input, coefficients, workspace);
  Shape coef_shape = IndexVector::filled(plan.rank, 0);
  for (int a = 0; a < plan.rank; ++a) coef_shape[a] = plan.axes[a].coef_count();
  const ConstArrayView view(reinterpret_cast<const std::byte*>(coefficients), DType::kFloat64,
                            coef_shape);
  interpolate(plan, cval, view, output, workspace, first_interpolation_slot(plan));
}

void fill_outside(ArrayView output, const Box& box, const Box& inner, double cval) {
  Box rest = box;  // the part not filled yet: `inner` on the axes done so far
  for (int a = 0; a < box.rank(); ++a) {
    Box below = rest, above = rest;
    below.extent[a] = inner.origin[a] - rest.origin[a];
    above.origin[a] = inner.end(a);
    above.extent[a] = rest.end(a) - inner.end(a);
    for (Box part : {below, above}) {
      if (part.empty()) continue;
      for (int b = 0; b < part.rank(); ++b) part.origin[b] -= box.origin[b];
      fill_converted(output.subview(part), cval);
    }
    rest.origin[a] = inner.origin[a];
    rest.extent[a] = inner.extent[a];
  }
}

void fill_converted(ArrayView output, double value) {
  if (output.num_elements() == 0) return;
  const int rank = output.rank();
  const Index row = output.shape()[rank - 1];
  const std::vector<double> values(std::size_t(row), value);
  const StoreFn store = store_for(output.dtype());
  const std::size_t element = dtype_size(output.dtype());
  const Index rows = output.num_elements() / row;
  IndexVector index = IndexVector::filled(rank, 0);
  for (Index r = 0; r < rows; ++r) {
    Index offset = 0;
    for (int a = 0; a < rank - 1; ++a) offset += index[a] * output.strides()[a];
    store(values.data(), row, output.data() + offset * Index(element), output.strides()[rank - 1]);
    for (int a = rank - 2; a >= 0; --a) {
      if (++index[a] < output.shape()[a]) break;
      index[a] = 0;
    }
  }
}

void copy_converted(ConstArrayView input, ArrayView output) {
  if (output.num_elements() == 0) return;
  const int rank = output.rank();
  const Index row = output.shape()[rank - 1];
  const Index rows = output.num_elements() / row;
  const std::size_t in_element = dtype_size(input.dtype());
  const std::size_t out_element = dtype_size(output.dtype());
  const bool same = input.dtype() == output.dtype();
  const GatherFn gather = gather_for(input.dtype());
  const StoreFn store = store_for(output.dtype());
  std::vector<double> values(same ? 0 : std::size_t(row));
  std::vector<Index> identity(same ? 0 : std::size_t(row));
  for (Index k = 0; k < Index(identity.size()); ++k) identity[std::size_t(k)] = k;
  IndexVector index = IndexVector::filled(rank, 0);
  for (Index r = 0; r < rows; ++r) {
    Index in_offset = 0, out_offset = 0;
    for (int a = 0; a < rank - 1; ++a) {
      in_offset += index[a] * input.strides()[a];
      out_offset += index[a] * output.strides()[a];
    }
    const std::byte* src = input.data() + in_offset * Index(in_element);
    std::byte* dst = output.data() + out_offset * Index(out_element);
    const Index in_stride = input.strides()[rank - 1];
    const Index out_stride = output.strides()[rank - 1];
    if (same) {
      // Exact: 64-bit integers keep every bit.
      if (in_stride == 1 && out_stride == 1) {
        std::memcpy(dst, src, std::size_t(row) * in_element);
      } else {
        for (Index k = 0; k < row; ++k)
          std::memcpy(dst + k * out_stride * Index(out_element),
                      src + k * in_stride * Index(in_element), in_element);
      }
    } else {
      gather(src, in_stride, identity.data(), row, 0.0, values.data());
      store(values.data(), row, dst, out_stride);
    }
    for (int a = rank - 2; a >= 0; --a) {
      if (++index[a] < output.shape()[a]) break;
      index[a] = 0;
    }
  }
}

}  // namespace zoomflow::detail
