// Per-axis coordinate tables of one output box: what the GPU kernels read instead of evaluating
// AxisMap per voxel. They are built on the host by the same AxisMap calls the CPU kernels make,
// so both backends start from bit-identical indices and weights.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow {

// Where each axis's table lies in the table bytes (byte offsets). For output index k of the box
// along axis a, index0[a][k] is the input index for order 0, or j0 for order 1; index1[a][k] is
// j1 and weight[a][k] is w (order 1 only). Indices are relative to the input box's origin and
// fit 32 bits (axis lengths stay below 2^31). Weights come first so that they are 8-byte
// aligned, then every axis's index0, then every axis's index1.
struct ResampleTableLayout {
  int rank = 0;
  Interpolation interpolation = Interpolation::kNearest;
  std::size_t total_bytes = 0;
  std::array<std::size_t, kMaxRank> weight_offset{};
  std::array<std::size_t, kMaxRank> index0_offset{};
  std::array<std::size_t, kMaxRank> index1_offset{};
};

// The layout of the tables of an output box with `output_extent`.
ResampleTableLayout resample_table_layout(Interpolation interpolation, const Shape& output_extent);

// The tables, and so the CUDA kernels, hold orders 0 and 1 in mode nearest; anything else is
// refused here with one clear line (kInvalidArgument), and resamples on the CPU.
Status check_table_spec(const ResampleSpec& spec);

// The checks every backend makes before resampling `output_box` from `input_box`: a valid spec
// for `dtype`, matching ranks, the output box inside the output shape and the input box inside
// the input shape, covering required_input_box(spec, output_box).
Status check_resample_boxes(const ResampleSpec& spec, DType dtype, const Box& input_box,
                            const Box& output_box);

// Checks the boxes, then writes the tables of `output_box` into `destination` (at least
// layout.total_bytes; any alignment, but a device copy must start 8-byte aligned) and returns
// their layout.
Result<ResampleTableLayout> write_resample_tables(const ResampleSpec& spec, DType dtype,
                                                  const Box& input_box, const Box& output_box,
                                                  std::span<std::byte> destination);

}  // namespace zoomflow
