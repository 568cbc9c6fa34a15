#include "zoomflow/kernels/resample_tables.hpp"

#include <cstdint>
#include <cstring>
#include <string>

namespace zoomflow {
namespace {

template <class T>
void put(std::span<std::byte> destination, std::size_t offset, Index k, T value) {
  // memcpy: the bytes may be page-locked staging memory of no particular C++ type.
  std::memcpy(destination.data() + offset + std::size_t(k) * sizeof(T), &value, sizeof(T));
}

}  // namespace

ResampleTableLayout resample_table_layout(Interpolation interpolation, const Shape& output_extent) {
  ResampleTableLayout layout;
  layout.rank = output_extent.rank();
  layout.interpolation = interpolation;
  const bool linear = interpolation == Interpolation::kLinear;
  std::size_t offset = 0;
  if (linear) {
    for (int a = 0; a < layout.rank; ++a) {
      layout.weight_offset[std::size_t(a)] = offset;
      offset += std::size_t(output_extent[a]) * sizeof(double);
    }
  }
  for (int a = 0; a < layout.rank; ++a) {
    layout.index0_offset[std::size_t(a)] = offset;
    offset += std::size_t(output_extent[a]) * sizeof(std::int32_t);
  }
  if (linear) {
    for (int a = 0; a < layout.rank; ++a) {
      layout.index1_offset[std::size_t(a)] = offset;
      offset += std::size_t(output_extent[a]) * sizeof(std::int32_t);
    }
  }
  layout.total_bytes = offset;
  return layout;
}

Status check_table_spec(const ResampleSpec& spec) {
  if (spec.order() > 1 || spec.mode != BoundaryMode::kNearest)
    return make_error(ErrorCode::kInvalidArgument,
                      "the CUDA backend computes orders 0 and 1 in mode nearest only, not order " +
                          std::to_string(spec.order()) + " in mode " +
                          std::string(boundary_mode_name(spec.mode)) +
                          "; use --backend cpu (or auto)");
  return ok_status();
}

Status check_resample_boxes(const ResampleSpec& spec, DType dtype, const Box& input_box,
                            const Box& output_box) {
  ZF_RETURN_IF_ERROR(spec.validate_for(dtype));
  ZF_RETURN_IF_ERROR(check_table_spec(spec));
  if (input_box.rank() != spec.rank() || output_box.rank() != spec.rank())
    return make_error(ErrorCode::kInvalidArgument, "boxes and spec differ in rank");
  if (!Box::from_shape(spec.output_shape).contains(output_box))
    return make_error(ErrorCode::kInvalidArgument, "output box " + to_string(output_box) +
                                                       " lies outside the output shape " +
                                                       to_string(spec.output_shape));
  if (!Box::from_shape(spec.input_shape).contains(input_box))
    return make_error(ErrorCode::kInvalidArgument, "input box " + to_string(input_box) +
                                                       " lies outside the input shape " +
                                                       to_string(spec.input_shape));
  if (output_box.empty()) return ok_status();
  const Box needed = required_input_box(spec, output_box);
  if (!input_box.contains(needed))
    return make_error(ErrorCode::kInvalidArgument,
                      "input box " + to_string(input_box) + " does not cover the needed box " +
                          to_string(needed) + " of output box " + to_string(output_box));
  return ok_status();
}

Result<ResampleTableLayout> write_resample_tables(const ResampleSpec& spec, DType dtype,
                                                  const Box& input_box, const Box& output_box,
                                                  std::span<std::byte> destination) {
  ZF_RETURN_IF_ERROR(check_resample_boxes(spec, dtype, input_box, output_box));
  const ResampleTableLayout layout = resample_table_layout(spec.interpolation, output_box.extent);
  if (destination.size() < layout.total_bytes)
    return make_error(ErrorCode::kInvalidArgument,
                      "coordinate tables of output box " + to_string(output_box) + " need " +
                          std::to_string(layout.total_bytes) + " bytes, only " +
                          std::to_string(destination.size()) + " given");
  for (int a = 0; a < spec.rank(); ++a) {
    const auto axis = std::size_t(a);
    const AxisMap map = spec.axis(a);
    const Index origin = input_box.origin[a];
    for (Index k = 0; k < output_box.extent[a]; ++k) {
      const Index i = output_box.origin[a] + k;
      // Relative to the input box, which covers the needed box: 0 <= index < 2^31.
      if (spec.interpolation == Interpolation::kNearest) {
        put(destination, layout.index0_offset[axis], k, std::int32_t(map.nearest(i) - origin));
      } else {
        const LinearTap tap = map.linear(i);
        put(destination, layout.weight_offset[axis], k, tap.weight);
        put(destination, layout.index0_offset[axis], k, std::int32_t(tap.j0 - origin));
        put(destination, layout.index1_offset[axis], k, std::int32_t(tap.j1 - origin));
      }
    }
  }
  return layout;
}

}  // namespace zoomflow
