// The folder where demo and bench put their files: a fresh temporary one, removed at the end
// unless kept, or the user's own, never removed (it may hold other files).
#pragma once

#include <filesystem>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::tools {

class WorkFolder {
 public:
  // `requested` empty: a new folder "<temp>/<prefix>-<pid>".
  static Result<WorkFolder> create(const std::string& requested, const std::string& prefix,
                                   bool keep);
  WorkFolder(WorkFolder&& other) noexcept;
  WorkFolder& operator=(WorkFolder&&) = delete;
  ~WorkFolder();

  const std::filesystem::path& path() const { return path_; }
  // "<folder>/<file>:<dataset>"
  std::string dataset(const std::string& file, const std::string& dataset) const {
    return (path_ / file).string() + ":" + dataset;
  }

 private:
  WorkFolder(std::filesystem::path path, bool remove) : path_(std::move(path)), remove_(remove) {}
  std::filesystem::path path_;
  bool remove_ = false;
};

}  // namespace zoomflow::tools
