#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow::storage {

Result<DatasetPath> parse_dataset_path(std::string_view text) {
  if (text.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "empty dataset path; write FILE.h5 or FILE.h5:/path/to/dataset");
  DatasetPath path;
  const std::size_t split = text.rfind(":/");
  if (split == std::string_view::npos) {
    path.file = std::string(text);
  } else {
    path.file = std::string(text.substr(0, split));
    path.dataset = std::string(text.substr(split + 1));
  }
  if (path.file.empty()) {
    std::string message = "'";
    message.append(text) += "' names no file; write FILE.h5:/path/to/dataset";
    return make_error(ErrorCode::kInvalidArgument, message);
  }
  return path;
}

}  // namespace zoomflow::storage
