// A store folder read and written by key ("c/0/1/2", ".zarray", "a/b/attributes.json"): the one
// place Zarr and N5 touch the file system. Keys are resolved beneath the store's root (openat2
// RESOLVE_BENEATH), so a symlink that leaves the store is refused rather than followed. Files are
// written under a hidden temporary name and renamed, from any number of threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// An owned file descriptor, closed on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();
  int get() const { return fd_; }
  // Gives up ownership: the caller closes the descriptor.
  int release() { return std::exchange(fd_, -1); }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// One file of a store, open for reads at any offset (pread: many threads may share it).
class StoreFile {
 public:
  StoreFile(FileDescriptor fd, std::uint64_t size, std::string name)
      : fd_(std::move(fd)), size_(size), name_(std::move(name)) {}
  std::uint64_t size() const { return size_; }
  // Reads exactly out.size() bytes at `offset`.
  Status read_at(std::uint64_t offset, std::span<std::byte> out) const;

 private:
  FileDescriptor fd_;
  std::uint64_t size_ = 0;
  std::string name_;
};

// Keys: "a/b" joined from "a" and "b" (either may be empty); the folder "a" of "a/b" ("" at
// the root); the name "b" of "a/b".
std::string join_key(const std::string& a, const std::string& b);
std::string parent_key(const std::string& key);
std::string key_name(const std::string& key);

class DirectoryStore {
 public:
  // Opens the folder `root`, which names the store in messages.
  static Result<DirectoryStore> open(const std::string& root);

  const std::string& root() const { return root_; }
  // "root/key", for messages.
  std::string describe(const std::string& key) const;

  // The file at `key`, or nullopt when there is none.
  Result<std::optional<StoreFile>> open_file(const std::string& key) const;
  // The whole file at `key`, or nullopt when there is none.
  Result<std::optional<std::vector<std::byte>>> read(const std::string& key) const;
  // True when `key` names a folder (or a file, for is_file) inside the store.
  bool is_folder(const std::string& key) const;
  bool is_file(const std::string& key) const;
  // The names in folder `key` ("" for the root), sorted; empty when it is no folder.
  std::vector<std::string> list(const std::string& key) const;

  // Writes `bytes` at `key` under a temporary name, then renames it into place (replacing a file
  // there); creates the folders on the way. Thread-safe.
  Status write(const std::string& key, std::span<const std::byte> bytes) const;
  Status write_text(const std::string& key, const std::string& text) const;

 private:
  DirectoryStore(FileDescriptor fd, std::string root)
      : fd_(std::move(fd)), root_(std::move(root)) {}
  Result<FileDescriptor> open_beneath(const std::string& key, int flags) const;
  Status make_folders(const std::string& folder) const;

  FileDescriptor fd_;
  std::string root_;
};

}  // namespace zoomflow::storage
