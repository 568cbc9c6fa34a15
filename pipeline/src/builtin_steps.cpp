#include "zoomflow/pipeline/builtin_steps.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"

namespace zoomflow {
namespace {

Error step_error(const std::string& step, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "step '" + step + "': " + what);
}

// A step that maps each value alone: the box is its own input.
class PointwiseStep final : public ChainStep {
 public:
  PointwiseStep(std::string name, std::function<double(double)> function,
                std::optional<DType> output_dtype)
      : name_(std::move(name)), function_(std::move(function)), output_dtype_(output_dtype) {}

  std::string describe() const override { return name_; }
  Result<StepGeometry> output(const StepGeometry& input) const override {
    return StepGeometry{input.shape, output_dtype_.value_or(input.dtype)};
  }
  Box input_box(const Box& output_box, const StepGeometry&) const override { return output_box; }
  Status apply(const StepGeometry&, const Box&, std::span<const double> in, const Box&,
               std::span<double> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = function_(in[i]);
    return ok_status();
  }

 private:
  std::string name_;
  std::function<double(double)> function_;
  std::optional<DType> output_dtype_;
};

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

  Status apply(const StepGeometry& input, const Box& input_box, std::span<const double> in,
               const Box& output_box, std::span<double> out) const override {
    ZF_ASSIGN_OR_RETURN(const ResampleSpec spec, resample_spec(input.shape));
    const ConstArrayView source(reinterpret_cast<const std::byte*>(in.data()), DType::kFloat64,
                                input_box.extent);
    const ArrayView target(reinterpret_cast<std::byte*>(out.data()), DType::kFloat64,
                           output_box.extent);
    return resample_box(spec, source, input_box.origin, target, output_box);
  }

 private:
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
    for (double s : sigma_)
      if (!(s >= 0) || !std::isfinite(s)) return step_error(describe(), "sigma must be >= 0");
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

  Status apply(const StepGeometry& input, const Box& input_box, std::span<const double> in,
               const Box& output_box, std::span<double> out) const override {
    // One axis at a time, in order: the region shrinks from the input box to the output box.
    thread_local std::vector<double> scratch[2];
    Box region = input_box;
    const double* source = in.data();
    int current = 0;
    for (int a = 0; a < input_box.rank(); ++a) {
      Box next = region;
      next.origin[a] = output_box.origin[a];
      next.extent[a] = output_box.extent[a];
      const bool last = a == input_box.rank() - 1;
      double* target = out.data();
      if (!last) {
        scratch[current].resize(std::size_t(next.num_elements()));
        target = scratch[current].data();
      }
      filter_axis(a, input.shape[a], region, source, next, target);
      source = target;
      region = next;
      current = 1 - current;
    }
    return ok_status();
  }

 private:
  double sigma(int axis) const {
    return sigma_.size() == 1 ? sigma_[0] : sigma_[std::size_t(axis)];
  }
  Index radius(int axis) const { return Index(4.0 * sigma(axis) + 0.5); }

  std::vector<double> weights(int axis) const {
    const Index r = radius(axis);
    std::vector<double> w(std::size_t(2 * r + 1));
    if (r == 0) {
      w[0] = 1.0;
      return w;
    }
    const double s = sigma(axis);
    double sum = 0;
    for (Index x = -r; x <= r; ++x) {
      w[std::size_t(x + r)] = std::exp(-0.5 / (s * s) * double(x * x));
      sum += w[std::size_t(x + r)];
    }
    for (double& v : w) v /= sum;
    return w;
  }

  // target(next) = sum_t w[t] * source(region) at global index clamp(g + t - r, 0, n - 1).
  void filter_axis(int axis, Index length, const Box& region, const double* source, const Box& next,
                   double* target) const {
    const Index r = radius(axis);
    const std::vector<double> w = weights(axis);
    Index outer = 1, inner = 1;
    for (int a = 0; a < axis; ++a) outer *= region.extent[a];
    for (int a = axis + 1; a < region.rank(); ++a) inner *= region.extent[a];
    for (Index o = 0; o < outer; ++o) {
      for (Index p = 0; p < next.extent[axis]; ++p) {
        const Index g = next.origin[axis] + p;
        double* dst = target + (o * next.extent[axis] + p) * inner;
        std::fill(dst, dst + inner, 0.0);
        for (Index t = -r; t <= r; ++t) {
          const Index s = std::clamp<Index>(g + t, 0, length - 1) - region.origin[axis];
          const double* src = source + (o * region.extent[axis] + s) * inner;
          const double weight = w[std::size_t(t + r)];
          for (Index i = 0; i < inner; ++i) dst[i] += weight * src[i];
        }
      }
    }
  }

  std::vector<double> sigma_;
};

std::string number(double v) {
  return fmt::format("{}", v);
}

}  // namespace

ChainStepPtr pointwise_step(std::string name, std::function<double(double)> function,
                            std::optional<DType> output_dtype) {
  return std::make_shared<PointwiseStep>(std::move(name), std::move(function), output_dtype);
}

ChainStepPtr resample_step(ResampleStepSpec spec) {
  return std::make_shared<ResampleStep>(std::move(spec));
}

ChainStepPtr clip_step(double lo, double hi) {
  return pointwise_step("clip:lo=" + number(lo) + ",hi=" + number(hi),
                        [lo, hi](double v) { return v < lo ? lo : (v > hi ? hi : v); });
}

ChainStepPtr scale_step(double mul, double add) {
  return pointwise_step("scale:mul=" + number(mul) + ",add=" + number(add),
                        [mul, add](double v) { return v * mul + add; });
}

ChainStepPtr cast_step(DType dtype) {
  return pointwise_step(
      "cast:" + std::string(dtype_name(dtype)),
      [dtype](double v) {
        return visit_dtype(dtype, [&](auto tag) -> double {
          using T = typename decltype(tag)::type;
          if (dtype == DType::kBool) return v != 0 ? 1.0 : 0.0;
          return double(saturate_cast<T>(v));
        });
      },
      dtype);
}

ChainStepPtr threshold_step(Comparison op, double value) {
  static constexpr const char* kNames[] = {"gt", "ge", "lt", "le", "eq", "ne"};
  return pointwise_step(
      std::string("threshold:") + kNames[int(op)] + "=" + number(value),
      [op, value](double v) {
        bool hit = false;
        switch (op) {
          case Comparison::kGreater:
            hit = v > value;
            break;
          case Comparison::kGreaterEqual:
            hit = v >= value;
            break;
          case Comparison::kLess:
            hit = v < value;
            break;
          case Comparison::kLessEqual:
            hit = v <= value;
            break;
          case Comparison::kEqual:
            hit = v == value;
            break;
          case Comparison::kNotEqual:
            hit = v != value;
            break;
        }
        return hit ? 1.0 : 0.0;
      },
      DType::kBool);
}

ChainStepPtr gaussian_step(std::vector<double> sigma) {
  return std::make_shared<GaussianStep>(std::move(sigma));
}

}  // namespace zoomflow
