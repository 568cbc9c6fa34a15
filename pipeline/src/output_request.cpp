#include "output_request.hpp"

#include <algorithm>
#include <filesystem>
#include <string>

#include "zoomflow/pipeline/block_grid.hpp"

namespace zoomflow::detail {

namespace fs = std::filesystem;

Status check_output_path(const storage::DatasetPath& input, const storage::DatasetPath& output) {
  std::error_code ec;
  const bool same_file = fs::exists(input.file, ec) && fs::exists(output.file, ec) &&
                         fs::equivalent(input.file, output.file, ec);
  if (same_file && (input.dataset == output.dataset || output.dataset.empty()))
    return make_error(ErrorCode::kInvalidArgument,
                      "input and output are the same dataset (" + input.to_string() + ")");
  const fs::path folder = fs::absolute(fs::path(output.file)).parent_path();
  if (!fs::is_directory(folder, ec))
    return make_error(ErrorCode::kInvalidArgument,
                      "output folder " + folder.string() + " does not exist");
  return ok_status();
}

Result<Shape> output_chunk_shape(const Shape& requested, const Shape& output_shape) {
  if (requested.rank() == 0) return default_chunk_shape(output_shape);
  if (requested.rank() != output_shape.rank())
    return make_error(ErrorCode::kInvalidArgument,
                      "--chunks " + to_string(requested) + " has rank " +
                          std::to_string(requested.rank()) + " but the output has rank " +
                          std::to_string(output_shape.rank()));
  Shape chunks = requested;
  for (int a = 0; a < chunks.rank(); ++a) {
    if (chunks[a] <= 0)
      return make_error(ErrorCode::kInvalidArgument,
                        "--chunks " + to_string(requested) + " must be positive");
    chunks[a] = std::min(chunks[a], output_shape[a]);
  }
  return chunks;
}

}  // namespace zoomflow::detail
