// Order-0 resampling of one box (internal to kernels/).
#pragma once

#include <cstring>
#include <vector>

#include "axis_plan.hpp"
#include "row_copy.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::detail {

// Nearest-neighbour sampling as runs: along every outer axis, consecutive output indices with
// the same source index form a run. Each distinct source row is gathered once, into the first
// output row of its run product, and then copied (from L1) to every other output row that
// shares it, so an integer upsampling gathers one row in zoom^(rank-1) and copies the rest.
//
// `input` holds the voxels of plan.input_box, `output` the outputs of plan.inner_box (order 0: the
// one tap of each output is its source voxel, by the plan's mode).
template <class T>
class NearestBoxKernel {
 public:
  NearestBoxKernel(const BoxPlan& plan, StridedView<const T> input, StridedView<T> output)
      : input_(input), output_(output), rank_(plan.rank) {
    for (int a = 0; a < rank_; ++a) {
      const AxisPlan& axis = plan.axes[a];
      const Index in_stride = input.strides()[a];
      const Index out_stride = output.strides()[a];
      Index previous = -1;
      for (Index k = 0; k < axis.inner_count(); ++k) {
        // Order 0 reads no prefiltered coefficients: coefficient positions are input positions.
        const Index source = axis.tap_source[std::size_t(axis.first_tap[std::size_t(k)])] +
                             (axis.coef_lo - axis.input_lo);
        if (a == rank_ - 1) {
          row_offsets_.push_back(source * in_stride);
        } else if (source == previous) {
          ++runs_[a].back().count;
        } else {
          runs_[a].push_back({source * in_stride, k * out_stride, 1});
        }
        previous = source;
      }
    }
    row_contiguous_ = output.strides()[rank_ - 1] == 1;
    detect_replication(input.strides()[rank_ - 1]);
  }

  void run() {
    targets_[0].assign(1, output_.data());
    visit(0, input_.data());
  }

 private:
  struct Run {
    Index source_offset;  // in the input, elements
    Index output_offset;  // of the run's first output index, elements
    Index count;          // output indices sharing the source
  };

  void visit(int axis, const T* in) {
    if (axis == rank_ - 1) {
      write_row(in);
      return;
    }
    const std::vector<T*>& parents = targets_[axis];
    std::vector<T*>& children = targets_[axis + 1];
    const Index out_stride = output_.strides()[axis];
    for (const Run& run : runs_[axis]) {
      children.clear();
      for (T* parent : parents)
        for (Index t = 0; t < run.count; ++t)
          children.push_back(parent + run.output_offset + t * out_stride);
      visit(axis + 1, in + run.source_offset);
    }
  }

  // Gathers the row once into the first target, copies it to the others.
  void write_row(const T* in) const {
    const std::vector<T*>& rows = targets_[rank_ - 1];
    const Index count = Index(row_offsets_.size());
    const Index* src = row_offsets_.data();
    T* first = rows.front();
    if (row_contiguous_ && replication_ > 1) {
      replicate_row(in, first);
      for (std::size_t r = 1; r < rows.size(); ++r)
        copy_row_bytes(rows[r], first, std::size_t(count) * sizeof(T));
    } else if (row_contiguous_) {
      for (Index k = 0; k < count; ++k) first[k] = in[src[k]];
      for (std::size_t r = 1; r < rows.size(); ++r)
        copy_row_bytes(rows[r], first, std::size_t(count) * sizeof(T));
    } else {
      const Index stride = output_.strides()[rank_ - 1];
      for (Index k = 0; k < count; ++k) first[k * stride] = in[src[k]];
      for (std::size_t r = 1; r < rows.size(); ++r)
        for (Index k = 0; k < count; ++k) rows[r][k * stride] = first[k * stride];
    }
  }

  // The common case of an integer upsampling along the row: after `lead` outputs, every source
  // element (contiguous input) is repeated exactly `replication_` times, the last run possibly
  // cut short. Such rows are written by a loop with the factor known at compile time, which the
  // compiler turns into byte shuffles instead of a gather.
  void detect_replication(Index in_stride) {
    replication_ = 0;
    const Index count = Index(row_offsets_.size());
    if (in_stride != 1 || count < 2) return;
    Index lead = 0;
    while (lead < count && row_offsets_[std::size_t(lead)] == row_offsets_[0]) ++lead;
    Index factor = 0;
    while (lead + factor < count &&
           row_offsets_[std::size_t(lead + factor)] == row_offsets_[std::size_t(lead)])
      ++factor;
    if (factor < 2) return;
    for (Index k = lead; k < count; ++k)
      if (row_offsets_[std::size_t(k)] != row_offsets_[std::size_t(lead)] + (k - lead) / factor)
        return;
    replication_ = factor;
    replication_lead_ = lead;
  }

  template <int kFactor>
  static void replicate(const T* in, T* out, Index whole_runs) {
    for (Index x = 0; x < whole_runs; ++x)
      for (int r = 0; r < kFactor; ++r) out[x * kFactor + r] = in[x];
  }

  void replicate_row(const T* in, T* out) const {
    const Index count = Index(row_offsets_.size());
    const Index lead = replication_lead_;
    for (Index k = 0; k < lead; ++k) out[k] = in[row_offsets_[std::size_t(k)]];
    const T* src = in + row_offsets_[std::size_t(lead)];
    T* dst = out + lead;
    const Index whole_runs = (count - lead) / replication_;
    switch (replication_) {
      case 2:
        replicate<2>(src, dst, whole_runs);
        break;
      case 3:
        replicate<3>(src, dst, whole_runs);
        break;
      case 4:
        replicate<4>(src, dst, whole_runs);
        break;
      case 8:
        replicate<8>(src, dst, whole_runs);
        break;
      default:
        for (Index k = lead; k < lead + whole_runs * replication_; ++k)
          out[k] = in[row_offsets_[std::size_t(k)]];
    }
    for (Index k = lead + whole_runs * replication_; k < count; ++k)
      out[k] = in[row_offsets_[std::size_t(k)]];
  }

  StridedView<const T> input_;
  StridedView<T> output_;
  int rank_;
  Index replication_ = 0;
  Index replication_lead_ = 0;
  bool row_contiguous_ = true;
  std::vector<Run> runs_[kMaxRank];
  std::vector<Index> row_offsets_;
  // Output row starts at each depth of the visit (the cartesian product of runs so far).
  std::vector<T*> targets_[kMaxRank];
};

}  // namespace zoomflow::detail
