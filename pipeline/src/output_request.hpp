// Checks of a run's output that come before any file is touched (internal to pipeline/).
#pragma once

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow::detail {

// The output is not the input dataset and its folder exists (kInvalidArgument otherwise).
Status check_output_path(const storage::DatasetPath& input, const storage::DatasetPath& output);

// The requested chunk shape (empty: 64 per axis), checked and clipped to the output shape.
Result<Shape> output_chunk_shape(const Shape& requested, const Shape& output_shape);

}  // namespace zoomflow::detail
