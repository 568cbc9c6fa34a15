// Moving elements between strided views of one dtype, and the checks chunk encoding needs.
#pragma once

#include <cstddef>
#include <span>

#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::storage {

// Copies `from` into `to` (same shape and dtype), row by row along the last axis.
void copy_array(ConstArrayView from, ArrayView to);

// Sets every element of `to` to the one element at `value` (dtype_size(to.dtype()) bytes).
void fill_array(ArrayView to, std::span<const std::byte> value);

// True when every byte of every element of `values` is zero (the fill value).
bool all_zero(ConstArrayView values);

// Reverses the bytes of each `element_size`-byte element in place.
void swap_byte_order(std::span<std::byte> bytes, std::size_t element_size);

}  // namespace zoomflow::storage
