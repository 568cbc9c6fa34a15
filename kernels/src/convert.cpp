#include "zoomflow/kernels/convert.hpp"

#include <cstring>
#include <string>

namespace zoomflow {
namespace {

// Calls row(from_offset, to_offset) for the first element of every row along the last axis.
template <class Row>
void for_each_row(const Shape& shape, const IndexVector& from_strides,
                  const IndexVector& to_strides, Row&& row) {
  const int rank = shape.rank();
  if (num_elements(shape) == 0) return;
  if (rank == 0) {
    row(Index(0), Index(0));
    return;
  }
  IndexVector index = IndexVector::filled(rank, 0);
  Index from_offset = 0, to_offset = 0;
  for (;;) {
    row(from_offset, to_offset);
    int axis = rank - 2;
    for (; axis >= 0; --axis) {
      from_offset += from_strides[axis];
      to_offset += to_strides[axis];
      if (++index[axis] < shape[axis]) break;
      from_offset -= from_strides[axis] * shape[axis];
      to_offset -= to_strides[axis] * shape[axis];
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

template <class To, class From>
void convert_typed(StridedView<const From> from, StridedView<To> to, bool to_bool) {
  const int last = from.rank() - 1;
  const Index length = last >= 0 ? from.shape()[last] : 1;
  const Index fs = last >= 0 ? from.strides()[last] : 1;
  const Index ts = last >= 0 ? to.strides()[last] : 1;
  for_each_row(from.shape(), from.strides(), to.strides(), [&](Index fo, Index to_offset) {
    const From* src = from.data() + fo;
    To* dst = to.data() + to_offset;
    if constexpr (std::is_same_v<To, From>) {
      if (!to_bool && fs == 1 && ts == 1) {
        std::memcpy(dst, src, std::size_t(length) * sizeof(To));
        return;
      }
    }
    if (fs == 1 && ts == 1) {
      for (Index x = 0; x < length; ++x) dst[x] = convert_value<To>(src[x], to_bool);
    } else {
      for (Index x = 0; x < length; ++x) dst[x * ts] = convert_value<To>(src[x * fs], to_bool);
    }
  });
}

}  // namespace

Status convert_array(ConstArrayView from, ArrayView to) {
  if (!(from.shape() == to.shape()))
    return make_error(ErrorCode::kInvalidArgument, "convert_array: shapes " +
                                                       to_string(from.shape()) + " and " +
                                                       to_string(to.shape()) + " differ");
  // bool to bool is a copy: its bytes are 0 or 1 already.
  const bool to_bool = to.dtype() == DType::kBool && from.dtype() != DType::kBool;
  visit_dtype(from.dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    visit_dtype(to.dtype(), [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      convert_typed<To, From>(from.as<From>(), to.as<To>(), to_bool);
    });
  });
  return ok_status();
}

bool all_zero_bytes(ConstArrayView values) {
  bool zero = true;
  const std::size_t element = dtype_size(values.dtype());
  const int last = values.rank() - 1;
  const Index length = last >= 0 ? values.shape()[last] : 1;
  const Index stride = last >= 0 ? values.strides()[last] : 1;
  for_each_row(values.shape(), values.strides(), values.strides(), [&](Index offset, Index) {
    if (!zero) return;
    const std::byte* row = values.data() + offset * Index(element);
    if (stride == 1) {
      const std::size_t bytes = std::size_t(length) * element;
      zero = row[0] == std::byte{0} && std::memcmp(row, row + 1, bytes - 1) == 0;
    } else {
      for (Index x = 0; x < length && zero; ++x)
        for (std::size_t b = 0; b < element; ++b)
          zero = zero && row[x * stride * Index(element) + Index(b)] == std::byte{0};
    }
  });
  return zero;
}

bool all_same_bytes(ConstArrayView values) {
  if (values.num_elements() == 0) return false;
  const std::size_t element = dtype_size(values.dtype());
  const std::byte* first = values.data();
  bool same = true;
  const int last = values.rank() - 1;
  const Index length = last >= 0 ? values.shape()[last] : 1;
  const Index stride = last >= 0 ? values.strides()[last] : 1;
  for_each_row(values.shape(), values.strides(), values.strides(), [&](Index offset, Index) {
    if (!same) return;
    const std::byte* row = values.data() + offset * Index(element);
    if (stride == 1) {
      // The row equals itself shifted by one element, and its first element equals the first.
      same =
          std::memcmp(row, first, element) == 0 &&
          (length < 2 || std::memcmp(row, row + element, std::size_t(length - 1) * element) == 0);
    } else {
      for (Index x = 0; x < length && same; ++x)
        same = std::memcmp(row + x * stride * Index(element), first, element) == 0;
    }
  });
  return same;
}

}  // namespace zoomflow
