#include "file_system.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace zoomflow::storage {

std::filesystem::path folder_of(const std::filesystem::path& file) {
  const std::filesystem::path parent = file.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

std::filesystem::path hidden_name_for(const std::filesystem::path& final_path,
                                      const std::string& id, const std::string& suffix) {
  constexpr std::size_t kMostNameBytes = 255;  // NAME_MAX on Linux file systems
  const std::string tail = ".zoomflow-" + id + "." + suffix;
  std::string name = final_path.filename().string();
  const std::size_t room = kMostNameBytes - 1 - tail.size();
  if (name.size() > room) {
    std::size_t cut = room;
    // Not inside a UTF-8 sequence: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return folder_of(final_path) / ("." + name + tail);
}

std::string random_id() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  const std::uint64_t value =
      random() ^ (std::uint64_t(::getpid()) << 40) ^ counter.fetch_add(1) * 0x9E3779B97F4A7C15ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::filesystem::path temporary_name_for(const std::filesystem::path& final_file) {
  return hidden_name_for(final_file, random_id(), "tmp");
}

Status move_into_place(const std::filesystem::path& temporary,
                       const std::filesystem::path& final_file) {
  // link() never replaces: it fails with EEXIST when something appeared at the final name.
  if (::link(temporary.c_str(), final_file.c_str()) == 0) {
    ::unlink(temporary.c_str());
    return ok_status();
  }
  const int error = errno;
  if (error == EEXIST)
    return make_error(ErrorCode::kAborted, final_file.string() +
                                               " appeared while it was being written; the result "
                                               "was not moved there");
  // File systems without hard links: rename, after checking the name is still free.
  if (!std::filesystem::exists(final_file) &&
      std::rename(temporary.c_str(), final_file.c_str()) == 0)
    return ok_status();
  return make_error(ErrorCode::kIoError, "cannot move " + temporary.string() + " to " +
                                             final_file.string() + ": " + std::strerror(errno));
}

Status move_folder_into_place(const std::filesystem::path& temporary,
                              const std::filesystem::path& final_folder) {
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, final_folder.c_str(), RENAME_NOREPLACE) ==
      0)
    return ok_status();
  int error = errno;
  if (error == EINVAL || error == ENOSYS) {
    // A file system without RENAME_NOREPLACE: rename, after checking the name is still free.
    std::error_code ec;
    if (!std::filesystem::exists(final_folder, ec) &&
        std::rename(temporary.c_str(), final_folder.c_str()) == 0)
      return ok_status();
    error = std::filesystem::exists(final_folder, ec) ? EEXIST : errno;
  }
  if (error == EEXIST)
    return make_error(ErrorCode::kAborted,
                      final_folder.string() +
                          " appeared while it was being written; the result was not moved there");
  return make_error(ErrorCode::kIoError, "cannot move " + temporary.string() + " to " +
                                             final_folder.string() + ": " + std::strerror(error));
}

void remove_tree_quietly(const std::filesystem::path& folder) {
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
}

void remove_quietly(const std::filesystem::path& file) {
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
}

}  // namespace zoomflow::storage
