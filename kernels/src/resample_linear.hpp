// Order-1 resampling of one box (internal to kernels/).
#pragma once

#include <vector>

#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::detail {

// Separable linear interpolation in double precision: first along the last axis, then along
// each outer axis in turn, so every output voxel is lerp_0(lerp_1(...lerp_last(input))) in
// one fixed order, whatever the box. Intermediate results live in per-thread scratch buffers
// that are reused from box to box.
template <class T>
class LinearBoxKernel {
 public:
  LinearBoxKernel(const ResampleSpec& spec, StridedView<const T> input,
                  const IndexVector& input_origin, StridedView<T> output, const Box& output_box)
      : output_(output), rank_(spec.rank()) {
    // Work only on the input voxels this box reads.
    const Box needed = required_input_box(spec, output_box);
    Box local = needed;
    for (int a = 0; a < rank_; ++a) local.origin[a] -= input_origin[a];
    input_ = input.subview(local);
    for (int a = 0; a < rank_; ++a) {
      const AxisMap map = spec.axis(a);
      auto& taps = taps_[a];
      taps.resize(std::size_t(output_box.extent[a]));
      for (Index k = 0; k < output_box.extent[a]; ++k) {
        LinearTap tap = map.linear(output_box.origin[a] + k);
        tap.j0 -= needed.origin[a];
        tap.j1 -= needed.origin[a];
        taps[std::size_t(k)] = tap;
      }
    }
  }

  void run() const {
    thread_local std::vector<double> scratch[2];
    // Shape after resampling axes >= a: input extents before a, output extents from a.
    Shape shape = input_.shape();
    shape[rank_ - 1] = output_.shape()[rank_ - 1];
    resize(scratch[0], shape);
    lerp_last_axis(scratch[0].data());
    if (rank_ == 1) {
      store(scratch[0].data());
      return;
    }
    int current = 0;
    for (int axis = rank_ - 2; axis >= 1; --axis) {
      const Shape source_shape = shape;
      shape[axis] = output_.shape()[axis];
      resize(scratch[1 - current], shape);
      lerp_outer_axis(axis, scratch[current].data(), source_shape, scratch[1 - current].data());
      current = 1 - current;
    }
    lerp_first_axis_and_store(scratch[current].data(), shape);
  }

 private:
  static void resize(std::vector<double>& buffer, const Shape& shape) {
    const auto needed = std::size_t(num_elements(shape));
    if (buffer.size() < needed) buffer.resize(needed);
  }

  // Input (any strides) -> contiguous doubles with the last axis resampled.
  void lerp_last_axis(double* out) const {
    const int last = rank_ - 1;
    const Shape& in_shape = input_.shape();
    const Index rows = num_elements(in_shape) / in_shape[last];
    const Index in_stride = input_.strides()[last];
    const auto& taps = taps_[last];
    const Index count = Index(taps.size());
    IndexVector row_index = IndexVector::filled(rank_, 0);
    for (Index r = 0; r < rows; ++r) {
      const T* row = input_.data() + input_.offset_of(row_index);
      double* dst = out + r * count;
      for (Index k = 0; k < count; ++k) {
        const LinearTap& t = taps[std::size_t(k)];
        dst[k] = lerp(double(row[t.j0 * in_stride]), double(row[t.j1 * in_stride]), t.weight);
      }
      // Next row in C order over axes < last.
      for (int a = last - 1; a >= 0; --a) {
        if (++row_index[a] < in_shape[a]) break;
        row_index[a] = 0;
      }
    }
  }

  // Contiguous doubles -> contiguous doubles with `axis` resampled.
  void lerp_outer_axis(int axis, const double* in, const Shape& in_shape, double* out) const {
    Index outer = 1;
    for (int a = 0; a < axis; ++a) outer *= in_shape[a];
    Index inner = 1;
    for (int a = axis + 1; a < rank_; ++a) inner *= in_shape[a];
    const auto& taps = taps_[axis];
    const Index in_len = in_shape[axis];
    const Index out_len = Index(taps.size());
    for (Index o = 0; o < outer; ++o) {
      const double* src = in + o * in_len * inner;
      double* dst = out + o * out_len * inner;
      for (Index k = 0; k < out_len; ++k) {
        const LinearTap& t = taps[std::size_t(k)];
        const double* a0 = src + t.j0 * inner;
        const double* a1 = src + t.j1 * inner;
        const double w = t.weight;
        double* d = dst + k * inner;
        for (Index i = 0; i < inner; ++i) d[i] = lerp(a0[i], a1[i], w);
      }
    }
  }

  // The last pass, along axis 0, converts straight into the output (any strides): one pass
  // over the output instead of a pass into doubles and another to convert them.
  void lerp_first_axis_and_store(const double* in, const Shape& in_shape) const {
    const Shape& shape = output_.shape();
    const int last = rank_ - 1;
    const Index length = shape[last];
    const Index inner = num_elements(in_shape) / in_shape[0];  // = output voxels per plane
    const Index rows_per_plane = inner / length;
    const Index x_stride = output_.strides()[last];
    // Output offsets of the rows of one plane (axes 1 .. last-1).
    thread_local std::vector<Index> row_offsets;
    row_offsets.resize(std::size_t(rows_per_plane));
    IndexVector row_index = IndexVector::filled(rank_, 0);
    for (Index r = 0; r < rows_per_plane; ++r) {
      row_offsets[std::size_t(r)] = output_.offset_of(row_index);
      for (int a = last - 1; a >= 1; --a) {
        if (++row_index[a] < shape[a]) break;
        row_index[a] = 0;
      }
    }
    const auto& taps = taps_[0];
    for (Index k = 0; k < Index(taps.size()); ++k) {
      const LinearTap& t = taps[std::size_t(k)];
      const double* a0 = in + t.j0 * inner;
      const double* a1 = in + t.j1 * inner;
      const double w = t.weight;
      T* plane = output_.data() + k * output_.strides()[0];
      for (Index r = 0; r < rows_per_plane; ++r) {
        T* row = plane + row_offsets[std::size_t(r)];
        const double* r0 = a0 + r * length;
        const double* r1 = a1 + r * length;
        if (x_stride == 1) {
          for (Index x = 0; x < length; ++x) row[x] = saturate_cast<T>(lerp(r0[x], r1[x], w));
        } else {
          for (Index x = 0; x < length; ++x)
            row[x * x_stride] = saturate_cast<T>(lerp(r0[x], r1[x], w));
        }
      }
    }
  }

  // Contiguous doubles of the output shape -> output elements (any strides).
  void store(const double* values) const {
    const int last = rank_ - 1;
    const Shape& shape = output_.shape();
    const Index count = shape[last];
    const Index rows = num_elements(shape) / count;
    const Index stride = output_.strides()[last];
    IndexVector row_index = IndexVector::filled(rank_, 0);
    for (Index r = 0; r < rows; ++r) {
      T* row = output_.data() + output_.offset_of(row_index);
      const double* src = values + r * count;
      for (Index k = 0; k < count; ++k) row[k * stride] = saturate_cast<T>(src[k]);
      for (int a = last - 1; a >= 0; --a) {
        if (++row_index[a] < shape[a]) break;
        row_index[a] = 0;
      }
    }
  }

  StridedView<const T> input_;
  StridedView<T> output_;
  int rank_;
  std::vector<LinearTap> taps_[kMaxRank];
};

}  // namespace zoomflow::detail
