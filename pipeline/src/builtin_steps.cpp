#include "zoomflow/pipeline/builtin_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/task_arena.h>

#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"

namespace zoomflow {
namespace {

Error step_error(const std::string& step, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "step '" + step + "': " + what);
}

std::string number(double v) {
  return fmt::format("{}", v);
}

// ---------------------------------------------------------------------------------------------
// Steps that map each value alone (the box is its own input). `Op` gives the value type and the
// per-element function, templated on the element types; the result is converted to the output
// view's type as the final conversion does when the step writes the output dtype directly.

template <class Op>
class ElementwiseStep final : public ChainStep {
 public:
  explicit ElementwiseStep(Op op) : op_(std::move(op)) {}

  std::string describe() const override { return op_.describe(); }
  Result<StepGeometry> output(const StepGeometry& input) const override {
    return StepGeometry{input.shape, op_.output_dtype(input.dtype)};
  }
  Box input_box(const Box& output_box, const StepGeometry&) const override { return output_box; }
  bool is_pointwise() const override { return true; }
  DType value_type(DType values) const override { return op_.value_type(values); }
  bool writes_dtype(DType values, DType dtype) const override {
    // Any dtype but bool, which needs the final 0/1 check unless the values are bool already.
    return dtype != DType::kBool || value_type(values) == DType::kBool;
  }

  Status apply(const StepGeometry&, const Box&, ConstArrayView in, const Box&, ArrayView out,
               StepContext&) const override {
    const DType result = value_type(in.dtype());
    const bool to_bool = out.dtype() == DType::kBool && result != DType::kBool;
    visit_dtype(in.dtype(), [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      visit_dtype(result, [&](auto result_tag) {
        using R = typename decltype(result_tag)::type;
        visit_dtype(out.dtype(), [&](auto out_tag) {
          using Out = typename decltype(out_tag)::type;
          const In* src = reinterpret_cast<const In*>(in.data());
          Out* dst = reinterpret_cast<Out*>(out.data());
          const Index n = in.num_elements();
          // The op hands over its per-element function with its parameters bound, so the loop
          // below has no branch on them and vectorises.
          op_.template with_function<R, In>([&](auto f) {
            if (to_bool) {
              for (Index i = 0; i < n; ++i) dst[i] = convert_value<Out>(f(src[i]), true);
            } else if constexpr (std::is_same_v<Out, R>) {
              for (Index i = 0; i < n; ++i) dst[i] = f(src[i]);
            } else {
              for (Index i = 0; i < n; ++i) dst[i] = convert_value<Out>(f(src[i]), false);
            }
          });
        });
      });
    });
    return ok_status();
  }

  std::optional<Scalar> constant_output(const Scalar& value, const StepGeometry&,
                                        const Box&) const override {
    Scalar result;
    result.dtype = value_type(value.dtype);
    visit_dtype(value.dtype, [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      visit_dtype(result.dtype, [&](auto result_tag) {
        using R = typename decltype(result_tag)::type;
        op_.template with_function<R, In>(
            [&](auto f) { result = Scalar::of(result.dtype, f(value.as<In>())); });
      });
    });
    return result;
  }

 private:
  Op op_;
};

template <class Op>
ChainStepPtr elementwise(Op op) {
  return std::make_shared<ElementwiseStep<Op>>(std::move(op));
}

// True when clamping integers to `v` is exact in their own type: `v` is an integer (beyond the
// type's range it clamps to the type's own bound) or infinite.
bool integral_bound(double v) {
  return std::isinf(v) || v == std::floor(v);
}

struct ClipOp {
  double lo, hi;
  std::string describe() const { return "clip:lo=" + number(lo) + ",hi=" + number(hi); }
  DType output_dtype(DType d) const { return d; }
  // Clipping integers to integer bounds is exact in their own type; float32 keeps float32
  // when both bounds are float32 values; otherwise float64, as before.
  DType value_type(DType d) const {
    if (d == DType::kFloat64) return d;
    if (d == DType::kFloat32) return float(lo) == lo && float(hi) == hi ? d : DType::kFloat64;
    if (d == DType::kBool) return DType::kFloat64;
    return integral_bound(lo) && integral_bound(hi) ? d : DType::kFloat64;
  }
  template <class R, class In, class Visit>
  void with_function(Visit&& visit) const {
    if constexpr (std::is_floating_point_v<R>) {
      const R l = R(lo), h = R(hi);
      visit([l, h](In v) {
        const R x = R(v);
        return x < l ? l : (x > h ? h : x);
      });
    } else {
      // Bounds beyond R's range clamp nothing on that side: they become R's own bounds.
      const R l = saturate_cast<R>(lo), h = saturate_cast<R>(hi);
      visit([l, h](In v) {
        const R x = R(v);
        return x < l ? l : (x > h ? h : x);
      });
    }
  }
};

struct ScaleOp {
  double mul, add;
  std::string describe() const { return "scale:mul=" + number(mul) + ",add=" + number(add); }
  DType output_dtype(DType d) const { return d; }
  DType value_type(DType) const { return DType::kFloat64; }
  template <class R, class In, class Visit>
  void with_function(Visit&& visit) const {
    // Two roundings (built without fused multiply-add).
    visit([mul = mul, add = add](In v) { return R(double(v) * mul + add); });
  }
};

struct CastOp {
  DType dtype;
  std::string describe() const { return "cast:" + std::string(dtype_name(dtype)); }
  DType output_dtype(DType) const { return dtype; }
  DType value_type(DType) const { return dtype; }
  template <class R, class In, class Visit>
  void with_function(Visit&& visit) const {
    if (dtype == DType::kBool)
      visit([](In v) { return convert_value<R>(v, true); });
    else
      visit([](In v) { return convert_value<R>(v, false); });
  }
};

struct ThresholdOp {
  Comparison op;
  double value;
  std::string describe() const {
    static constexpr const char* kNames[] = {"gt", "ge", "lt", "le", "eq", "ne"};
    return std::string("threshold:") + kNames[int(op)] + "=" + number(value);
  }
  DType output_dtype(DType) const { return DType::kBool; }
  DType value_type(DType) const { return DType::kBool; }
  template <class R, class In, class Visit>
  void with_function(Visit&& visit) const {
    // Exact comparisons: double holds every value up to 32-bit integers; long double (slow x87)
    // holds every 64-bit integer and every double.
    using Compare =
        std::conditional_t<std::is_integral_v<In> && (sizeof(In) == 8), long double, double>;
    const Compare t = Compare(value);
    switch (op) {
      case Comparison::kGreater:
        return visit([t](In v) { return R(Compare(v) > t); });
      case Comparison::kGreaterEqual:
        return visit([t](In v) { return R(Compare(v) >= t); });
      case Comparison::kLess:
        return visit([t](In v) { return R(Compare(v) < t); });
      case Comparison::kLessEqual:
        return visit([t](In v) { return R(Compare(v) <= t); });
      case Comparison::kEqual:
        return visit([t](In v) { return R(Compare(v) == t); });
      case Comparison::kNotEqual:
        return visit([t](In v) { return R(Compare(v) != t); });
    }
  }
};

struct FunctionOp {
  std::string name;
  std::function<double(double)> function;
  std::optional<DType> dtype;
  std::string describe() const { return name; }
  DType output_dtype(DType d) const { return dtype.value_or(d); }
  DType value_type(DType) const { return DType::kFloat64; }
  template <class R, class In, class Visit>
  void with_function(Visit&& visit) const {
    visit([this](In v) { return R(function(double(v))); });
  }
};

// ---------------------------------------------------------------------------------------------

class ResampleStep final : public ChainStep {
 public:
  explicit ResampleStep(ResampleStepSpec spec) : spec_(std::move(spec)) {}

  std::string describe() const override {
    std::string text = "resample:";
    if (!spec_.zoom.empty())
      text += fmt::format("zoom={}", fmt::join(spec_.zoom, ","));
    else
      text += fmt::format("shape={}", fmt::join(spec_.shape, ","));
    text += fmt::format(",order={},grid={},mode={}", int(spec_.interpolation),
                        spec_.grid == Grid::kCenters ? "centers" : "corners",
                        boundary_mode_name(spec_.mode));
    if (spec_.mode == BoundaryMode::kConstant || spec_.mode == BoundaryMode::kGridConstant)
      text += fmt::format(",cval={}", spec_.cval);
    if (!spec_.prefilter) text += ",prefilter=0";
    return text;
  }

  Result<ResampleSpec> kernel_spec(const Shape& input_shape) const {
    return resample_spec(input_shape);
  }

  Result<StepGeometry> output(const StepGeometry& input) const override {
    auto spec = resample_spec(input.shape);
    if (!spec.ok()) return step_error(describe(), spec.error().message);
    const Status valid = spec->validate_for(input.dtype);
    if (!valid.ok()) return step_error(describe(), valid.error().message);
    return StepGeometry{spec->output_shape, input.dtype};
  }

  Box input_box(const Box& output_box, const StepGeometry& input) const override {
    return required_input_box(resample_spec(input.shape).value(), output_box);
  }

  bool copies_values() const override { return nearest(); }

  // Nearest copies values; interpolation computes in float64.
  DType value_type(DType values) const override { return nearest() ? values : DType::kFloat64; }
  // The kernel converts its float64 results into any dtype as the final conversion does;
  // nearest copies into its input's own type only.
  bool writes_dtype(DType values, DType dtype) const override {
    return dtype == values || !nearest();
  }

  std::size_t scratch_bytes(const Box& output_box, const StepGeometry& input) const override {
    return resample_scratch_bytes(resample_spec(input.shape).value(), output_box);
  }

  Status apply(const StepGeometry& input, const Box& input_box, ConstArrayView in,
               const Box& output_box, ArrayView out, StepContext& context) const override {
    ZF_ASSIGN_OR_RETURN(const ResampleSpec spec, resample_spec(input.shape));
    return resample_box(spec, in, input_box.origin, out, output_box, context.workspace);
  }

  std::optional<Scalar> constant_output(const Scalar& value, const StepGeometry& input,
                                        const Box& output_box) const override {
    const double v = visit_dtype(value.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return double(value.as<T>());
    });
    // The kernel says whether a constant input box gives that constant (cval, scipy's padding
    // and its short-line prefilter may not).
    if (!resample_keeps_constant(resample_spec(input.shape).value(), output_box, v))
      return std::nullopt;
    if (nearest()) return value;
    // The kernel's own arithmetic, which gives one value for every weight: v + w (v - v).
    return Scalar::of(DType::kFloat64, lerp(v, v, 0.5));
  }

 private:
  bool nearest() const { return spec_.interpolation == Interpolation::kNearest; }

  Result<ResampleSpec> resample_spec(const Shape& input_shape) const {
    Shape output_shape = spec_.shape;
    if (!spec_.zoom.empty()) {
      std::vector<double> zoom = spec_.zoom;
      if (zoom.size() == 1) zoom.assign(std::size_t(input_shape.rank()), zoom[0]);
      ZF_ASSIGN_OR_RETURN(output_shape, zoomed_shape(input_shape, zoom));
    } else if (output_shape.rank() != input_shape.rank()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "shape " + to_string(output_shape) + " has rank " +
                            std::to_string(output_shape.rank()) + " but its input has rank " +
                            std::to_string(input_shape.rank()));
    }
    const ResampleSpec spec{input_shape, output_shape, spec_.interpolation, spec_.grid,
                            spec_.mode,  spec_.cval,   spec_.prefilter};
    ZF_RETURN_IF_ERROR(spec.validate());
    return spec;
  }

  ResampleStepSpec spec_;
};

// ---------------------------------------------------------------------------------------------

class GaussianStep final : public ChainStep {
 public:
  explicit GaussianStep(std::vector<double> sigma) : sigma_(std::move(sigma)) {}

  std::string describe() const override {
    return fmt::format("gaussian:sigma={}", fmt::join(sigma_, ","));
  }

  Result<StepGeometry> output(const StepGeometry& input) const override {
    if (sigma_.size() != 1 && sigma_.size() != std::size_t(input.shape.rank()))
      return step_error(describe(), "give one sigma, or one per axis (" +
                                        std::to_string(input.shape.rank()) + ")");
    Index longest = 1;
    for (Index n : input.shape) longest = std::max(longest, n);
    for (int a = 0; a < input.shape.rank(); ++a) {
      const double s = sigma(a);
      if (!(s >= 0) || !std::isfinite(s)) return step_error(describe(), "sigma must be >= 0");
      // Beyond this every tap reads an edge voxel; refusing keeps the radius arithmetic in range.
      if (4.0 * s + 0.5 > double(16 * longest))
        return step_error(describe(), fmt::format("sigma {} gives a radius of {:.0f} voxels, far "
                                                  "beyond the volume (longest axis {})",
                                                  s, std::floor(4.0 * s + 0.5), longest));
    }
    if (input.dtype == DType::kBool)
      return step_error(describe(), "smoothing bool data; cast it first (cast:float32)");
    return input;
  }

  Box input_box(const Box& output_box, const StepGeometry& input) const override {
    Box box = output_box;
    for (int a = 0; a < box.rank(); ++a) {
      const Index r = radius(a);
      const Index lo = std::max<Index>(0, output_box.origin[a] - r);
      const Index hi = std::min<Index>(input.shape[a], output_box.end(a) + r);
      box.origin[a] = lo;
      box.extent[a] = hi - lo;
    }
    return box;
  }

  DType value_type(DType) const override { return DType::kFloat64; }

  std::size_t scratch_bytes(const Box& output_box, const StepGeometry& input) const override {
    // The regions between the axis passes alternate between two buffers, and shrink pass by
    // pass: the first two are the largest. Plus the weights of one axis at a time.
    const Box in = input_box(output_box, input);
    Box region = in;
    std::size_t buffers = 0, weights = 0;
    for (int a = 0; a < in.rank(); ++a) {
      region.extent[a] = output_box.extent[a];
      if (a < 2 && a + 1 < in.rank()) buffers += std::size_t(region.num_elements());
      // The weights, and one row with its halo.
      weights = std::max(weights, std::size_t(4 * radius(a) + 1 + output_box.extent[a]));
    }
    return (buffers + weights) * sizeof(double);
  }

  Status apply(const StepGeometry& input, const Box& input_box, ConstArrayView in,
               const Box& output_box, ArrayView out, StepContext& context) const override {
    // One axis at a time, in order: the region shrinks from the input box to the output box.
    // The first pass reads the input in its own type.
    Box region = input_box;
    const int rank = input_box.rank();
    ConstArrayView source = in;
    for (int a = 0; a < rank; ++a) {
      Box next = region;
      next.origin[a] = output_box.origin[a];
      next.extent[a] = output_box.extent[a];
      ArrayView target = out;
      if (a != rank - 1) {
        std::span<double> buffer =
            context.workspace.buffer<double>(a % 2, std::size_t(next.num_elements()));
        target =
            ArrayView(reinterpret_cast<std::byte*>(buffer.data()), DType::kFloat64, next.extent);
      }
      std::span<double> w = context.workspace.buffer<double>(2, std::size_t(2 * radius(a) + 1));
      weights(a, w);
      std::span<double> row =
          context.workspace.buffer<double>(3, std::size_t(next.extent[a] + 2 * radius(a)));
      ZF_RETURN_IF_ERROR(visit_dtype(source.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        return filter_axis<T>(a, input.shape[a], region, reinterpret_cast<const T*>(source.data()),
                              next, reinterpret_cast<double*>(target.data()), w, row,
                              context.cancel);
      }));
      source = target;
      region = next;
    }
    return ok_status();
  }

  std::optional<Scalar> constant_output(const Scalar& value, const StepGeometry& input,
                                        const Box&) const override {
    // Every output voxel sums the same weights times the same value, in the same order.
    double v = visit_dtype(value.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return double(value.as<T>());
    });
    std::vector<double> w;
    for (int a = 0; a < input.shape.rank(); ++a) {
      w.resize(std::size_t(2 * radius(a) + 1));
      weights(a, w);
      double sum = 0.0;
      for (double weight : w) sum += weight * v;
      v = sum;
    }
    return Scalar::of(DType::kFloat64, v);
  }

 private:
  double sigma(int axis) const {
    return sigma_.size() == 1 ? sigma_[0] : sigma_[std::size_t(axis)];
  }
  Index radius(int axis) const { return Index(4.0 * sigma(axis) + 0.5); }

  void weights(int axis, std::span<double> w) const {
    const Index r = radius(axis);
    if (r == 0) {
      w[0] = 1.0;
      return;
    }
    const double s = sigma(axis);
    double sum = 0;
    for (Index x = -r; x <= r; ++x) {
      w[std::size_t(x + r)] = std::exp(-0.5 / (s * s) * double(x * x));
      sum += w[std::size_t(x + r)];
    }
    for (double& v : w) v /= sum;
  }

  // target(next) = sum_t w[t] * source(region) at global index clamp(g + t - r, 0, n - 1).
  template <class T>
  static Status filter_axis(int axis, Index length, const Box& region, const T* source,
                            const Box& next, double* target, std::span<const double> w,
                            std::span<double> row, const CancelToken& cancel) {
    const Index r = Index(w.size() / 2);
    Index outer = 1, inner = 1;
    for (int a = 0; a < axis; ++a) outer *= region.extent[a];
    for (int a = axis + 1; a < region.rank(); ++a) inner *= region.extent[a];
    const Index count = next.extent[axis];
    // Every output sums w[t] * value for t = -r .. r in that order, from 0.0, whatever the path.
    if (inner == 1) {
      // Along rows: the row with its edge-replicated halo in `row`, then one pass per tap.
      for (Index o = 0; o < outer; ++o) {
        if (o % 64 == 0 && cancel.requested()) return cancel.error();
        const T* src = source + o * region.extent[axis];
        for (Index j = 0; j < count + 2 * r; ++j)
          row[std::size_t(j)] =
              double(src[std::clamp<Index>(next.origin[axis] - r + j, 0, length - 1) -
                         region.origin[axis]]);
        double* dst = target + o * count;
        std::fill(dst, dst + count, 0.0);
        for (Index t = 0; t <= 2 * r; ++t) {
          const double weight = w[std::size_t(t)];
          const double* in = row.data() + t;
          for (Index p = 0; p < count; ++p) dst[p] += weight * in[p];
        }
      }
      return ok_status();
    }
    // Across rows: lanes of `inner` in pieces that stay in L1 while every tap adds to them.
    constexpr Index kPiece = 512;
    for (Index o = 0; o < outer; ++o) {
      for (Index p = 0; p < count; ++p) {
        if (p % 16 == 0 && cancel.requested()) return cancel.error();
        const Index g = next.origin[axis] + p;
        double* dst = target + (o * count + p) * inner;
        for (Index begin = 0; begin < inner; begin += kPiece) {
          const Index end = std::min(inner, begin + kPiece);
          std::fill(dst + begin, dst + end, 0.0);
          for (Index t = -r; t <= r; ++t) {
            const Index s = std::clamp<Index>(g + t, 0, length - 1) - region.origin[axis];
            const T* src = source + (o * region.extent[axis] + s) * inner;
            const double weight = w[std::size_t(t + r)];
            for (Index i = begin; i < end; ++i) dst[i] += weight * double(src[i]);
          }
        }
      }
    }
    return ok_status();
  }

  std::vector<double> sigma_;
};

// ---------------------------------------------------------------------------------------------

class BlockStep final : public ChainStep {
 public:
  BlockStep(std::string name, std::vector<Index> halo, BlockFunction function,
            std::optional<DType> dtype)
      : name_(std::move(name)),
        halo_(std::move(halo)),
        function_(std::move(function)),
        dtype_(dtype) {}

  std::string describe() const override { return name_; }
  Result<StepGeometry> output(const StepGeometry& input) const override {
    if (halo_.size() != 1 && halo_.size() != std::size_t(input.shape.rank()))
      return step_error(
          name_, "give one halo, or one per axis (" + std::to_string(input.shape.rank()) + ")");
    for (Index h : halo_)
      if (h < 0) return step_error(name_, "a halo must be >= 0");
    return StepGeometry{input.shape, dtype_.value_or(input.dtype)};
  }
  Box input_box(const Box& output_box, const StepGeometry& input) const override {
    Box box = output_box;
    for (int a = 0; a < box.rank(); ++a) {
      const Index h = halo_.size() == 1 ? halo_[0] : halo_[std::size_t(a)];
      box.origin[a] = std::max<Index>(0, output_box.origin[a] - h);
      box.extent[a] = std::min<Index>(input.shape[a], output_box.end(a) + h) - box.origin[a];
    }
    return box;
  }
  DType value_type(DType) const override { return DType::kFloat64; }
  std::size_t scratch_bytes(const Box& output_box, const StepGeometry& input) const override {
    return std::size_t(input_box(output_box, input).num_elements()) * sizeof(double);
  }
  Status apply(const StepGeometry&, const Box& input_box, ConstArrayView in, const Box& output_box,
               ArrayView out, StepContext& context) const override {
    ConstArrayView values = in;
    if (in.dtype() != DType::kFloat64) {
      std::span<double> buffer =
          context.workspace.buffer<double>(0, std::size_t(input_box.num_elements()));
      const ArrayView converted(reinterpret_cast<std::byte*>(buffer.data()), DType::kFloat64,
                                input_box.extent);
      ZF_RETURN_IF_ERROR(convert_array(in, converted));
      values = converted;
    }
    // A user's function may run TBB algorithms: isolated, a thread waiting in it never picks up
    // another block's work (whose buffers this thread's scratch holds).
    Status status;
    tbb::this_task_arena::isolate([&] { status = function_(values, input_box, out, output_box); });
    if (!status.ok()) return step_error(name_, status.error().message);
    return ok_status();
  }

 private:
  std::string name_;
  std::vector<Index> halo_;
  BlockFunction function_;
  std::optional<DType> dtype_;
};

}  // namespace

ChainStepPtr pointwise_step(std::string name, std::function<double(double)> function,
                            std::optional<DType> output_dtype) {
  return elementwise(FunctionOp{std::move(name), std::move(function), output_dtype});
}

ChainStepPtr block_step(std::string name, std::vector<Index> halo, BlockFunction function,
                        std::optional<DType> output_dtype) {
  return std::make_shared<BlockStep>(std::move(name), std::move(halo), std::move(function),
                                     output_dtype);
}

ChainStepPtr resample_step(ResampleStepSpec spec) {
  return std::make_shared<ResampleStep>(std::move(spec));
}

std::optional<ResampleSpec> resample_step_spec(const ChainStep& step, const Shape& input_shape) {
  const auto* resample = dynamic_cast<const ResampleStep*>(&step);
  if (resample == nullptr) return std::nullopt;
  auto spec = resample->kernel_spec(input_shape);
  if (!spec.ok()) return std::nullopt;
  return *spec;
}

ChainStepPtr clip_step(double lo, double hi) {
  return elementwise(ClipOp{lo, hi});
}

ChainStepPtr scale_step(double mul, double add) {
  return elementwise(ScaleOp{mul, add});
}

ChainStepPtr cast_step(DType dtype) {
  return elementwise(CastOp{dtype});
}

ChainStepPtr threshold_step(Comparison op, double value) {
  return elementwise(ThresholdOp{op, value});
}

ChainStepPtr gaussian_step(std::vector<double> sigma) {
  return std::make_shared<GaussianStep>(std::move(sigma));
}

}  // namespace zoomflow
