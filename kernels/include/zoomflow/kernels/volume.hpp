// An owned, contiguous N-dimensional array.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow {

class Volume {
 public:
  Volume() = default;
  // Memory is left uninitialised: pages are touched by whoever fills them first.
  static Result<Volume> allocate(DType dtype, const Shape& shape);
  // Zero-filled.
  static Result<Volume> zeros(DType dtype, const Shape& shape);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  Index num_elements() const { return zoomflow::num_elements(shape_); }
  std::size_t size_bytes() const { return std::size_t(num_elements()) * dtype_size(dtype_); }

  ArrayView view() { return {bytes_.get(), dtype_, shape_}; }
  ConstArrayView view() const { return {bytes_.get(), dtype_, shape_}; }
  std::span<std::byte> bytes() { return {bytes_.get(), size_bytes()}; }
  std::span<const std::byte> bytes() const { return {bytes_.get(), size_bytes()}; }

 private:
  std::unique_ptr<std::byte[]> bytes_;
  DType dtype_ = DType::kUInt8;
  Shape shape_;
};

}  // namespace zoomflow
