// Non-owning views of N-dimensional arrays with element strides, typed and type-erased.
#pragma once

#include <cstddef>
#include <type_traits>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

// A typed view: element (i0, i1, ...) lives at data[sum(i_a * strides[a])].
template <class T>
class StridedView {
 public:
  StridedView() = default;
  StridedView(T* data, const Shape& shape, const IndexVector& strides)
      : data_(data), shape_(shape), strides_(strides) {}
  StridedView(T* data, const Shape& shape)
      : data_(data), shape_(shape), strides_(contiguous_strides(shape)) {}
  // A const view of a mutable one.
  template <class U>
  requires std::is_same_v<T, const U> StridedView(const StridedView<U>& other)
      : data_(other.data()), shape_(other.shape()), strides_(other.strides()) {}

  T* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  const IndexVector& strides() const { return strides_; }
  int rank() const { return shape_.rank(); }
  Index num_elements() const { return zoomflow::num_elements(shape_); }

  bool is_contiguous() const { return strides_ == contiguous_strides(shape_); }

  Index offset_of(const IndexVector& index) const {
    Index offset = 0;
    for (int a = 0; a < rank(); ++a) offset += index[a] * strides_[a];
    return offset;
  }
  T& operator[](const IndexVector& index) const { return data_[offset_of(index)]; }

  // The part of this view inside `box`, in this view's own coordinates.
  StridedView subview(const Box& box) const {
    return StridedView(data_ + offset_of(box.origin), box.extent, strides_);
  }

 private:
  T* data_ = nullptr;
  Shape shape_;
  IndexVector strides_;
};

// A view whose element type is known at run time; Byte is std::byte or const std::byte.
template <class Byte>
class BasicArrayView {
 public:
  BasicArrayView() = default;
  BasicArrayView(Byte* data, DType dtype, const Shape& shape, const IndexVector& strides)
      : data_(data), dtype_(dtype), shape_(shape), strides_(strides) {}
  BasicArrayView(Byte* data, DType dtype, const Shape& shape)
      : BasicArrayView(data, dtype, shape, contiguous_strides(shape)) {}
  template <class OtherByte>
  requires std::is_same_v<Byte, const OtherByte> BasicArrayView(
      const BasicArrayView<OtherByte>& other)
      : BasicArrayView(other.data(), other.dtype(), other.shape(), other.strides()) {}

  Byte* data() const { return data_; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const IndexVector& strides() const { return strides_; }
  int rank() const { return shape_.rank(); }
  Index num_elements() const { return zoomflow::num_elements(shape_); }
  bool is_contiguous() const { return strides_ == contiguous_strides(shape_); }

  // The typed view; T must be the dtype's element type.
  template <class T>
  auto as() const {
    using Element = std::conditional_t<std::is_const_v<Byte>, const T, T>;
    return StridedView<Element>(reinterpret_cast<Element*>(data_), shape_, strides_);
  }

  BasicArrayView subview(const Box& box) const {
    Index offset = 0;
    for (int a = 0; a < rank(); ++a) offset += box.origin[a] * strides_[a];
    return BasicArrayView(data_ + offset * Index(dtype_size(dtype_)), dtype_, box.extent, strides_);
  }

 private:
  Byte* data_ = nullptr;
  DType dtype_ = DType::kUInt8;
  Shape shape_;
  IndexVector strides_;
};

using ArrayView = BasicArrayView<std::byte>;
using ConstArrayView = BasicArrayView<const std::byte>;

}  // namespace zoomflow
