#include "work_folder.hpp"

#include <unistd.h>

namespace zoomflow::tools {

namespace fs = std::filesystem;

Result<WorkFolder> WorkFolder::create(const std::string& requested, const std::string& prefix,
                                      bool keep) {
  const bool temporary = requested.empty();
  const fs::path path =
      temporary ? fs::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()))
                : fs::path(requested);
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    return make_error(ErrorCode::kIoError, "cannot create " + path.string() + ": " + ec.message());
  return WorkFolder(path, temporary && !keep);
}

WorkFolder::WorkFolder(WorkFolder&& other) noexcept
    : path_(std::move(other.path_)), remove_(other.remove_) {
  other.remove_ = false;
}

WorkFolder::~WorkFolder() {
  std::error_code ignored;
  if (remove_) fs::remove_all(path_, ignored);
}

}  // namespace zoomflow::tools
