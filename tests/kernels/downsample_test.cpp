// downsample_box against a plain loop written here from the rules in README.md ("Downsampling"),
// for every dtype and method, ranks 1-4, factors 1-5, random box cuts, strided input and output
// views: identical bytes. TensorStore itself is the reference of downsample_tensorstore_check.py.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "random_cut.hpp"
#include "zoomflow/kernels/downsample.hpp"
#include "zoomflow/kernels/downsample_levels.hpp"
#include "zoomflow/kernels/volume.hpp"

using namespace zoomflow;

namespace {

__extension__ typedef __int128 Wide;

// ---- The reference: one output voxel from its block's values in C order. ----

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// The order the rules use: numbers by value, NaN after them all.
template <class T>
bool value_less(T a, T b) {
  if (is_nan(a)) return false;
  if (is_nan(b)) return true;
  return a < b;
}

template <class T>
bool value_equal(T a, T b) {
  return !value_less(a, b) && !value_less(b, a);
}

template <class T>
T reference_reduce(ReduceMethod method, DType dtype, const std::vector<T>& block) {
  const std::size_t n = block.size();
  if (dtype == DType::kBool && method != ReduceMethod::kStride && method != ReduceMethod::kMin &&
      method != ReduceMethod::kMax) {
    std::size_t ones = 0;
    for (T v : block) ones += v != 0;
    return T(2 * ones > n ? 1 : 0);  // majority, false on ties
  }
  switch (method) {
    case ReduceMethod::kStride:
      return block[0];
    case ReduceMethod::kMin: {
      T acc = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                   : std::numeric_limits<T>::max();
      for (T v : block)
        if (v < acc) acc = v;
      return acc;
    }
    case ReduceMethod::kMax: {
      T acc = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                   : std::numeric_limits<T>::lowest();
      for (T v : block)
        if (acc < v) acc = v;
      return acc;
    }
    case ReduceMethod::kMean: {
      if constexpr (std::is_floating_point_v<T>) {
        T sum = 0;
        for (T v : block) sum = sum + v;
        return sum / T(n);
      } else {
        Wide sum = 0;
        for (T v : block) sum += Wide(v);
        const Wide count = Wide(n);
        Wide q = sum / count, r = sum % count;
        if (r < 0) {
          q -= 1;
          r += count;
        }
        if (2 * r > count || (2 * r == count && q % 2 != 0)) q += 1;
        return T(q);
      }
    }
    case ReduceMethod::kMode: {
      // Count every value's class; the largest count wins, the lowest value on ties, and the
      // class is represented by its last member in C order.
      std::size_t best = 0, best_count = 0;
      for (std::size_t i = 0; i < n; ++i) {
        std::size_t count = 0, last = i;
        for (std::size_t j = 0; j < n; ++j)
          if (value_equal(block[i], block[j])) {
            ++count;
            last = j;
          }
        if (count > best_count || (count == best_count && value_less(block[i], block[best]))) {
          best_count = count;
          best = last;
        }
      }
      return block[best];
    }
    case ReduceMethod::kMedian: {
      std::vector<T> sorted = block;
      std::stable_sort(sorted.begin(), sorted.end(), value_less<T>);
      return sorted[(n - 1) / 2];
    }
  }
  return T{};
}

// Downsamples a C-order array the slow way.
template <class T>
std::vector<T> reference_downsample(const DownsampleSpec& spec, DType dtype, const T* in) {
  const Shape out_shape = spec.output_shape();
  const IndexVector in_strides = contiguous_strides(spec.input_shape);
  std::vector<T> out(std::size_t(num_elements(out_shape)));
  if (spec.block_elements() == 1) {  // nothing downsampled: a copy
    std::copy(in, in + out.size(), out.begin());
    return out;
  }
  IndexVector o = IndexVector::filled(spec.rank(), 0);
  for (std::size_t k = 0; k < out.size(); ++k) {
    std::vector<T> block;
    IndexVector d = IndexVector::filled(spec.rank(), 0);
    for (;;) {
      bool inside = true;
      Index offset = 0;
      for (int a = 0; a < spec.rank(); ++a) {
        const Index i = o[a] * spec.factors[a] + d[a];
        inside &= i < spec.input_shape[a];
        offset += i * in_strides[a];
      }
      if (inside) block.push_back(in[offset]);
      int a = spec.rank() - 1;
      for (; a >= 0; --a) {
        if (++d[a] < spec.factors[a]) break;
        d[a] = 0;
      }
      if (a < 0) break;
    }
    out[k] = reference_reduce(spec.method, dtype, block);
    for (int a = spec.rank() - 1; a >= 0; --a) {
      if (++o[a] < out_shape[a]) break;
      o[a] = 0;
    }
  }
  return out;
}

// ---- Test data and views. ----

// Values from a small alphabet (ties, runs and whole blocks of one value, as in labels) or
// spread over the type; floats get NaN, +-0 and +-inf among them.
template <class T>
void fill_random(T* data, Index count, DType dtype, bool small_alphabet, std::mt19937_64& rng) {
  for (Index i = 0; i < count; ++i) {
    const std::uint64_t bits = rng();
    T v;
    if (dtype == DType::kBool) {
      v = T(bits & 1);
    } else if constexpr (std::is_floating_point_v<T>) {
      static const T specials[] = {std::numeric_limits<T>::quiet_NaN(), T(0), -T(0),
                                   std::numeric_limits<T>::infinity(),
                                   -std::numeric_limits<T>::infinity()};
      if (bits % 16 == 0)
        v = specials[(bits >> 8) % 5];
      else if (small_alphabet)
        v = T(int((bits >> 8) % 4) - 1);
      else
        v = T(std::ldexp(double(std::int64_t(bits >> 11) - (Index(1) << 52)), int(bits % 40) - 70));
    } else if (small_alphabet) {
      v = T((bits >> 8) % 3 + std::is_signed_v<T> * -1);
    } else {
      std::memcpy(&v, &bits, sizeof v);
    }
    data[i] = v;
  }
}

// A view of `shape` inside a larger buffer with a step of `step[a]` elements along each axis
// (step 1: contiguous along that axis), so the kernel sees non-unit strides.
struct SpreadArray {
  std::vector<std::byte> storage;
  ArrayView view;
};

SpreadArray spread_array(DType dtype, const Shape& shape, const IndexVector& step) {
  Shape parent = shape;
  for (int a = 0; a < shape.rank(); ++a) parent[a] = shape[a] * step[a];
  SpreadArray s;
  s.storage.assign(std::size_t(num_elements(parent)) * dtype_size(dtype), std::byte{0x5a});
  IndexVector strides = contiguous_strides(parent);
  for (int a = 0; a < shape.rank(); ++a) strides[a] *= step[a];
  s.view = ArrayView(s.storage.data(), dtype, shape, strides);
  return s;
}

template <class T>
void copy_in(const T* from, const ArrayView& to) {
  StridedView<T> v = to.as<T>();
  IndexVector i = IndexVector::filled(v.rank(), 0);
  for (Index k = 0; k < v.num_elements(); ++k) {
    v[i] = from[k];
    for (int a = v.rank() - 1; a >= 0; --a) {
      if (++i[a] < v.shape()[a]) break;
      i[a] = 0;
    }
  }
}

template <class T>
std::vector<T> copy_out(const ArrayView& from) {
  StridedView<T> v = from.as<T>();
  std::vector<T> out(std::size_t(v.num_elements()));
  IndexVector i = IndexVector::filled(v.rank(), 0);
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k] = v[i];
    for (int a = v.rank() - 1; a >= 0; --a) {
      if (++i[a] < v.shape()[a]) break;
      i[a] = 0;
    }
  }
  return out;
}

// One random case: shape, factors, method, dtype; the whole output in random boxes from strided
// views, against the reference, byte for byte.
void check_case(DType dtype, ReduceMethod method, const Shape& shape, const Shape& factors,
                bool small_alphabet, std::mt19937_64& rng) {
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const DownsampleSpec spec{shape, factors, method};
    REQUIRE(spec.validate_for(dtype).ok());
    std::vector<T> data(std::size_t(num_elements(shape)));
    fill_random(data.data(), Index(data.size()), dtype, small_alphabet, rng);
    const std::vector<T> expected = reference_downsample(spec, dtype, data.data());

    IndexVector in_step = IndexVector::filled(shape.rank(), 1), out_step = in_step;
    for (int a = 0; a < shape.rank(); ++a) {
      in_step[a] = 1 + Index(rng() % 4 == 0);
      out_step[a] = 1 + Index(rng() % 4 == 0);
    }
    SpreadArray input = spread_array(dtype, shape, in_step);
    copy_in(data.data(), input.view);
    const Shape out_shape = spec.output_shape();
    SpreadArray output = spread_array(dtype, out_shape, out_step);

    Workspace shared;  // reused from box to box, as a run's thread does
    bool use_fresh = false;
    for (const Box& box : testing::random_cut(out_shape, rng, 40)) {
      const Box needed = downsample_input_box(spec, box);
      Workspace fresh;  // every other box: the scratch this box takes is what it declares
      use_fresh = !use_fresh;
      Workspace& workspace = use_fresh ? fresh : shared;
      const Status status = downsample_box(spec, ConstArrayView(input.view).subview(needed),
                                           needed.origin, output.view.subview(box), box, workspace);
      REQUIRE_MESSAGE(status.ok(), status.error().message);
      if (use_fresh) CHECK(fresh.bytes_held() <= downsample_scratch_bytes(spec, dtype, box));
    }
    const std::vector<T> got = copy_out<T>(output.view);
    CAPTURE(dtype_name(dtype));
    CAPTURE(reduce_method_name(method));
    CAPTURE(to_string(shape));
    CAPTURE(to_string(factors));
    CAPTURE(small_alphabet);
    std::size_t mismatches = 0, first = 0;
    for (std::size_t k = 0; k < got.size(); ++k)
      if (std::memcmp(&got[k], &expected[k], sizeof(T)) != 0 && mismatches++ == 0) first = k;
    CAPTURE(first);
    if (mismatches) {
      CAPTURE(double(got[first]));
      CAPTURE(double(expected[first]));
      CHECK(mismatches == 0);
    }
  });
}

}  // namespace

TEST_CASE(
    "downsample_box equals the plain loop: every dtype and method, ranks 1-4, box cuts, strides") {
  std::mt19937_64 rng(20261201);
  for (DType dtype : kAllDTypes) {
    for (ReduceMethod method : kAllReduceMethods) {
      for (int rank = 1; rank <= 4; ++rank) {
        for (bool small_alphabet : {true, false}) {
          Shape shape, factors;
          for (int a = 0; a < rank; ++a) {
            factors.push_back(1 + Index(rng() % 5));
            const Index longest = rank == 1 ? 300 : rank == 2 ? 80 : rank == 3 ? 20 : 9;
            shape.push_back(1 + Index(rng() % std::uint64_t(longest)));
          }
          check_case(dtype, method, shape, factors, small_alphabet, rng);
        }
      }
    }
  }
}

TEST_CASE("the vector paths: long rows of whole 2x2x2, 2x2 and other blocks, labels and noise") {
  std::mt19937_64 rng(7);
  const Shape factor_sets[] = {{2, 2, 2}, {1, 2, 2}, {2, 2, 1}, {3, 3, 3}, {2, 1, 2}, {1, 1, 2}};
  for (DType dtype : kAllDTypes)
    for (ReduceMethod method : kAllReduceMethods)
      for (const Shape& factors : factor_sets)
        for (bool small_alphabet : {true, false})
          check_case(dtype, method, {6, 5, 2 * 64 * 3 + 5}, factors, small_alphabet, rng);
}

TEST_CASE("downsampled shape, input box and refusals") {
  CHECK(downsampled_shape({10, 9, 1}, {3, 3, 5}) == Shape{4, 3, 1});
  const DownsampleSpec spec{{10, 9, 7}, {3, 2, 1}, ReduceMethod::kMean};
  CHECK(spec.output_shape() == Shape{4, 5, 7});
  const Box out{{3, 1, 2}, {1, 4, 5}};
  CHECK(downsample_input_box(spec, out) == Box{{9, 2, 2}, {1, 7, 5}});
  CHECK(spec.block_elements() == 6);
  CHECK(DownsampleSpec{{10, 9}, {0, 2}, ReduceMethod::kMode}.validate().error().message.find(
            "factor 0") != std::string::npos);
  CHECK_FALSE(DownsampleSpec{{10, 9}, {2}, ReduceMethod::kMode}.validate().ok());
  CHECK_FALSE(DownsampleSpec{{10, 0}, {2, 2}, ReduceMethod::kMode}.validate().ok());
  CHECK_FALSE(DownsampleSpec{{10, 9}, {2, 2}, ReduceMethod(17)}.validate().ok());
  for (ReduceMethod m : kAllReduceMethods) CHECK(parse_reduce_method(reduce_method_name(m)) == m);
  CHECK_FALSE(parse_reduce_method("average").has_value());

  // The kernel refuses inputs that do not cover the box, and mismatched outputs.
  std::vector<std::uint16_t> in(10 * 9 * 7), out_data(4 * 5 * 7);
  const ConstArrayView input(reinterpret_cast<const std::byte*>(in.data()), DType::kUInt16,
                             {10, 9, 7});
  ArrayView output(reinterpret_cast<std::byte*>(out_data.data()), DType::kUInt16, {4, 5, 7});
  Workspace ws;
  CHECK(downsample_box(spec, input, {0, 0, 0}, output, Box::from_shape({4, 5, 7}), ws).ok());
  CHECK_FALSE(downsample_box(spec, input.subview(Box{{1, 0, 0}, {9, 9, 7}}), {1, 0, 0}, output,
                             Box::from_shape({4, 5, 7}), ws)
                  .ok());
  ArrayView wrong(reinterpret_cast<std::byte*>(out_data.data()), DType::kInt16, {4, 5, 7});
  CHECK_FALSE(downsample_box(spec, input, {0, 0, 0}, wrong, Box::from_shape({4, 5, 7}), ws).ok());
  CHECK_FALSE(downsample_box(spec, input, {0, 0, 0}, output, Box{{1, 0, 0}, {4, 5, 7}}, ws).ok());
}

namespace {

// A pyramid of `levels` with every level compared to the plain loop's direct reduction of level 0
// by the product of the factors; boxes nested as a pyramid block's are (each level's box the
// blocks of the next one's), or cut independently per level (the direct fallback).
void check_levels(DType dtype, ReduceMethod method, const Shape& shape,
                  const std::vector<Shape>& factors, bool nested, std::mt19937_64& rng) {
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const DownsampleLevels levels{shape, factors, method};
    REQUIRE(levels.validate_for(dtype).ok());
    const int count = levels.levels();
    std::vector<T> data(std::size_t(num_elements(shape)));
    fill_random(data.data(), Index(data.size()), dtype, rng() % 2 == 0, rng);
    SpreadArray input =
        spread_array(dtype, shape, IndexVector::filled(shape.rank(), 1 + Index(rng() % 2)));
    copy_in(data.data(), input.view);
    std::vector<SpreadArray> outputs;
    for (int k = 1; k <= count; ++k)
      outputs.push_back(spread_array(dtype, levels.direct(k).output_shape(),
                                     IndexVector::filled(shape.rank(), 1 + Index(rng() % 2))));

    std::vector<std::vector<Box>> calls;  // the boxes of every level, per call
    if (nested) {
      for (const Box& deepest : testing::random_cut(levels.direct(count).output_shape(), rng, 40)) {
        std::vector<Box> boxes(static_cast<std::size_t>(count));
        boxes.back() = deepest;
        for (int k = count - 1; k >= 1; --k)
          boxes[std::size_t(k - 1)] =
              downsample_input_box(levels.step(k + 1), boxes[std::size_t(k)]);
        calls.push_back(boxes);
      }
    } else {
      std::vector<std::vector<Box>> cuts;
      std::size_t most = 0;
      for (int k = 1; k <= count; ++k) {
        cuts.push_back(testing::random_cut(levels.direct(k).output_shape(), rng, 40));
        most = std::max(most, cuts.back().size());
      }
      for (std::size_t i = 0; i < most; ++i) {
        std::vector<Box> boxes;
        for (const auto& cut : cuts) boxes.push_back(cut[(i * 7 + 3) % cut.size()]);
        calls.push_back(boxes);
      }
      for (std::size_t k = 0; k < cuts.size(); ++k)  // and each box at least once
        for (std::size_t i = 0; i < cuts[k].size(); ++i) {
          std::vector<Box> boxes = calls[i % calls.size()];
          boxes[k] = cuts[k][i];
          calls.push_back(boxes);
        }
    }
    Workspace shared;
    for (const std::vector<Box>& boxes : calls) {
      Box needed = Box::from_shape(shape);
      if (nested) needed = downsample_input_box(levels.direct(1), boxes[0]);
      std::vector<ArrayView> views;
      for (int k = 0; k < count; ++k)
        views.push_back(outputs[std::size_t(k)].view.subview(boxes[std::size_t(k)]));
      Workspace fresh;
      Workspace& workspace = rng() % 2 ? fresh : shared;
      const Status status = downsample_levels(levels, ConstArrayView(input.view).subview(needed),
                                              needed.origin, views, boxes, workspace);
      REQUIRE_MESSAGE(status.ok(), status.error().message);
      if (&workspace == &fresh)
        CHECK(fresh.bytes_held() <= downsample_levels_scratch_bytes(levels, dtype, boxes));
    }
    for (int k = 1; k <= count; ++k) {
      const std::vector<T> expected = reference_downsample(levels.direct(k), dtype, data.data());
      const std::vector<T> got = copy_out<T>(outputs[std::size_t(k - 1)].view);
      CAPTURE(dtype_name(dtype));
      CAPTURE(reduce_method_name(method));
      CAPTURE(to_string(shape));
      CAPTURE(k);
      CAPTURE(nested);
      CHECK(std::memcmp(got.data(), expected.data(), got.size() * sizeof(T)) == 0);
    }
  });
}

}  // namespace

TEST_CASE("pyramid levels equal the direct reduction of level 0, nested and independent boxes") {
  std::mt19937_64 rng(99);
  for (DType dtype : kAllDTypes) {
    for (ReduceMethod method : kAllReduceMethods) {
      for (bool nested : {true, false}) {
        const int rank = 1 + int(rng() % 4);
        const int count = 2 + int(rng() % 2);
        Shape shape;
        std::vector<Shape> factors(static_cast<std::size_t>(count));
        for (int a = 0; a < rank; ++a) {
          const Index longest = rank == 1 ? 400 : rank == 2 ? 60 : rank == 3 ? 24 : 12;
          shape.push_back(1 + Index(rng() % std::uint64_t(longest)));
          for (Shape& f : factors) f.push_back(1 + Index(rng() % 3));
        }
        check_levels(dtype, method, shape, factors, nested, rng);
      }
    }
  }
}

TEST_CASE("which reductions cascade, and level refusals") {
  CHECK(reduction_cascades(ReduceMethod::kStride, DType::kFloat32));
  CHECK(reduction_cascades(ReduceMethod::kMin, DType::kUInt64));
  CHECK(reduction_cascades(ReduceMethod::kMax, DType::kBool));
  CHECK_FALSE(reduction_cascades(ReduceMethod::kMin, DType::kFloat64));
  CHECK_FALSE(reduction_cascades(ReduceMethod::kMode, DType::kUInt32));
  CHECK_FALSE(reduction_cascades(ReduceMethod::kMedian, DType::kInt8));
  CHECK_FALSE(reduction_cascades(ReduceMethod::kMean, DType::kUInt16));  // sums cascade instead
  const DownsampleLevels levels{{100, 80}, {{2, 2}, {3, 1}}, ReduceMethod::kMean};
  CHECK(levels.direct(2).factors == Shape{6, 2});
  CHECK(levels.step(2).input_shape == Shape{50, 40});
  CHECK(levels.direct(2).output_shape() == levels.step(2).output_shape());
  CHECK_FALSE(
      DownsampleLevels{{100, 80}, {}, ReduceMethod::kMean}.validate_for(DType::kUInt8).ok());
  CHECK_FALSE(DownsampleLevels{{100, 80}, {{2, 2}, {2}}, ReduceMethod::kMean}
                  .validate_for(DType::kUInt8)
                  .ok());
}
