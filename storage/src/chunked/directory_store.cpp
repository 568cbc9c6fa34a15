#include "directory_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace zoomflow::storage {
namespace {

std::string system_error(int error) {
  return std::strerror(error);
}

// openat2 beneath `dir`; falls back to openat where the kernel lacks openat2 (before 5.6),
// after refusing keys that climb with "..".
int open_beneath_fd(int dir, const std::string& key, int flags) {
  static std::atomic<bool> have_openat2{true};
  if (have_openat2.load(std::memory_order_relaxed)) {
    open_how how{};
    how.flags = std::uint64_t(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, dir, key.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return int(fd);
    have_openat2.store(false, std::memory_order_relaxed);
  }
  if (key.starts_with("/") || key == ".." || key.starts_with("../") ||
      key.find("/../") != std::string::npos) {
    errno = EXDEV;
    return -1;
  }
  return ::openat(dir, key.c_str(), flags | O_CLOEXEC);
}

std::string temporary_key(const std::string& key) {
  static std::atomic<std::uint64_t> counter{0};
  std::string name(1, '.');
  name += key_name(key);
  name += ".zoomflow-" + std::to_string(::getpid()) + "-" +
          std::to_string(counter.fetch_add(1, std::memory_order_relaxed)) + ".tmp";
  return join_key(parent_key(key), name);
}

}  // namespace

std::string join_key(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

std::string parent_key(const std::string& key) {
  const std::size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

std::string key_name(const std::string& key) {
  const std::size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

Status StoreFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd_.get(), out.data() + done, out.size() - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(ErrorCode::kIoError, "cannot read " + name_ + ": " + system_error(errno));
    if (n == 0)
      return make_error(ErrorCode::kCorrupt, name_ + " ends at " + std::to_string(offset + done) +
                                                 " bytes, before the " +
                                                 std::to_string(out.size()) + " bytes at offset " +
                                                 std::to_string(offset));
    done += std::size_t(n);
  }
  return ok_status();
}

Result<DirectoryStore> DirectoryStore::open(const std::string& root) {
  FileDescriptor fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    return make_error(errno == ENOENT ? ErrorCode::kInvalidArgument : ErrorCode::kIoError,
                      "cannot open the store " + root + ": " + system_error(errno));
  return DirectoryStore(std::move(fd), root);
}

std::string DirectoryStore::describe(const std::string& key) const {
  return key.empty() ? root_ : root_ + "/" + key;
}

Result<FileDescriptor> DirectoryStore::open_beneath(const std::string& key, int flags) const {
  FileDescriptor fd(open_beneath_fd(fd_.get(), key, flags));
  if (fd) return fd;
  const int error = errno;
  if (error == EXDEV || error == ELOOP)
    return make_error(ErrorCode::kIoError,
                      describe(key) +
                          " leads out of the store through a symlink; zoomflow reads only "
                          "inside the store");
  return make_error(
      error == ENOENT || error == ENOTDIR ? ErrorCode::kNotFound : ErrorCode::kIoError,
      "cannot open " + describe(key) + ": " + system_error(error));
}

Result<std::optional<StoreFile>> DirectoryStore::open_file(const std::string& key) const {
  // O_NONBLOCK: a FIFO put where a chunk belongs would otherwise block the open forever.
  auto fd = open_beneath(key, O_RDONLY | O_NONBLOCK);
  if (!fd.ok()) {
    if (fd.error().code == ErrorCode::kNotFound) return std::optional<StoreFile>();
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0)
    return make_error(ErrorCode::kIoError,
                      "cannot stat " + describe(key) + ": " + system_error(errno));
  if (S_ISDIR(st.st_mode))
    return make_error(ErrorCode::kCorrupt, describe(key) + " is a folder, not a file");
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::kCorrupt,
                      describe(key) + " is not a regular file (a FIFO, device or socket)");
  return std::optional<StoreFile>(
      StoreFile(std::move(fd).value(), std::uint64_t(st.st_size), describe(key)));
}

Result<std::optional<std::vector<std::byte>>> DirectoryStore::read(const std::string& key) const {
  ZF_ASSIGN_OR_RETURN(std::optional<StoreFile> file, open_file(key));
  if (!file) return std::optional<std::vector<std::byte>>();
  std::vector<std::byte> bytes(std::size_t(file->size()));
  ZF_RETURN_IF_ERROR(file->read_at(0, bytes));
  return std::optional<std::vector<std::byte>>(std::move(bytes));
}

bool DirectoryStore::is_folder(const std::string& key) const {
  if (key.empty()) return true;
  auto fd = open_beneath(key, O_PATH | O_DIRECTORY);
  return fd.ok();
}

bool DirectoryStore::is_file(const std::string& key) const {
  auto fd = open_beneath(key, O_PATH);
  if (!fd.ok()) return false;
  struct stat st {};
  return ::fstat(fd->get(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> DirectoryStore::list(const std::string& key) const {
  std::vector<std::string> names;
  auto fd = open_beneath(key.empty() ? "." : key, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return names;
  const int raw = fd->release();
  DIR* dir = ::fdopendir(raw);  // closedir closes it
  if (dir == nullptr) {
    ::close(raw);
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status DirectoryStore::make_folders(const std::string& folder) const {
  if (folder.empty()) return ok_status();
  std::size_t at = 0;
  while (at != std::string::npos) {
    at = folder.find('/', at + 1);
    const std::string prefix = folder.substr(0, at);
    if (::mkdirat(fd_.get(), prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return make_error(ErrorCode::kIoError, "cannot create the folder " + describe(prefix) + ": " +
                                                 system_error(errno));
  }
  return ok_status();
}

Status DirectoryStore::write(const std::string& key, std::span<const std::byte> bytes) const {
  const std::string temporary = temporary_key(key);
  int fd = ::openat(fd_.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == ENOENT) {
    // The first file of its folder: make the folders (other threads may race: EEXIST is fine).
    ZF_RETURN_IF_ERROR(make_folders(parent_key(key)));
    fd = ::openat(fd_.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  if (fd < 0)
    return make_error(ErrorCode::kIoError,
                      "cannot create " + describe(temporary) + ": " + system_error(errno));
  FileDescriptor file(fd);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(file.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::unlinkat(fd_.get(), temporary.c_str(), 0);
      return make_error(ErrorCode::kIoError,
                        "cannot write " + describe(key) + ": " + system_error(error));
    }
    done += std::size_t(n);
  }
  if (::close(file.release()) != 0) {
    const int error = errno;
    ::unlinkat(fd_.get(), temporary.c_str(), 0);
    return make_error(ErrorCode::kIoError,
                      "cannot write " + describe(key) + ": " + system_error(error));
  }
  if (::renameat(fd_.get(), temporary.c_str(), fd_.get(), key.c_str()) != 0) {
    const int error = errno;
    ::unlinkat(fd_.get(), temporary.c_str(), 0);
    return make_error(ErrorCode::kIoError, "cannot rename " + describe(temporary) + " to " +
                                               describe(key) + ": " + system_error(error));
  }
  return ok_status();
}

Status DirectoryStore::write_text(const std::string& key, const std::string& text) const {
  return write(key, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace zoomflow::storage
