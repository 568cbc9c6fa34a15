// Order-0 resampling of one box (internal to kernels/).
#pragma once

#include <cstring>
#include <vector>

#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::detail {

// Per output axis, the element offset in the input of each output index's source voxel.
// Where consecutive output indices share a source, the already computed output slab is
// copied instead of being gathered again: an integer upsampling gathers one row in zoom^2
// and copies the rest.
template <class T>
class NearestBoxKernel {
 public:
  NearestBoxKernel(const ResampleSpec& spec, StridedView<const T> input,
                   const IndexVector& input_origin, StridedView<T> output, const Box& output_box)
      : input_(input), output_(output), rank_(spec.rank()) {
    for (int a = 0; a < rank_; ++a) {
      const AxisMap map = spec.axis(a);
      auto& offsets = source_offsets_[a];
      offsets.resize(std::size_t(output_box.extent[a]));
      for (Index k = 0; k < output_box.extent[a]; ++k)
        offsets[std::size_t(k)] =
            (map.nearest(output_box.origin[a] + k) - input_origin[a]) * input.strides()[a];
    }
    // Output slabs from axis a inward are one memcpy when the output is contiguous there.
    inner_elements_[rank_] = 1;
    inner_contiguous_[rank_] = true;
    for (int a = rank_ - 1; a >= 0; --a) {
      inner_contiguous_[a] = inner_contiguous_[a + 1] && output.strides()[a] == inner_elements_[a + 1];
      inner_elements_[a] = inner_elements_[a + 1] * output.shape()[a];
    }
  }

  void run() const { fill(0, input_.data(), output_.data()); }

 private:
  void fill(int axis, const T* in, T* out) const {
    const auto& offsets = source_offsets_[axis];
    const Index count = Index(offsets.size());
    const Index out_stride = output_.strides()[axis];
    const Index* src = offsets.data();
    if (axis == rank_ - 1) {
      if (out_stride == 1) {
        for (Index k = 0; k < count; ++k) out[k] = in[src[k]];
      } else {
        for (Index k = 0; k < count; ++k) out[k * out_stride] = in[src[k]];
      }
      return;
    }
    for (Index k = 0; k < count; ++k) {
      T* slab = out + k * out_stride;
      if (k > 0 && src[k] == src[k - 1]) {
        copy_slab(axis + 1, slab - out_stride, slab);
      } else {
        fill(axis + 1, in + src[k], slab);
      }
    }
  }

  // Copies the output slab at `from` (axes >= axis) to `to`.
  void copy_slab(int axis, const T* from, T* to) const {
    if (inner_contiguous_[axis]) {
      std::memcpy(to, from, std::size_t(inner_elements_[axis]) * sizeof(T));
      return;
    }
    const Index count = output_.shape()[axis];
    const Index stride = output_.strides()[axis];
    if (axis == rank_ - 1) {
      for (Index k = 0; k < count; ++k) to[k * stride] = from[k * stride];
      return;
    }
    for (Index k = 0; k < count; ++k) copy_slab(axis + 1, from + k * stride, to + k * stride);
  }

  StridedView<const T> input_;
  StridedView<T> output_;
  int rank_;
  std::vector<Index> source_offsets_[kMaxRank];
  Index inner_elements_[kMaxRank + 1];
  bool inner_contiguous_[kMaxRank + 1];
};

}  // namespace zoomflow::detail
