#include "input_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zoomflow::storage {
namespace {

std::string kind_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Opens and closes at once: the one sure test of permission (access() answers for the real user
// id, and not for ACLs on every file system). Only regular files and folders get here, so the
// open has no side effect and cannot block.
int open_error(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

Error refused(ErrorCode code, const std::string& path, const std::string& why) {
  return make_error(code, path + ": " + why);
}

}  // namespace

Result<PathKind> check_input_path(const std::string& path, bool writable) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR)
      return refused(ErrorCode::kNotFound, path, "no such file or folder");
    if (error == EACCES)
      return refused(ErrorCode::kIoError, path,
                     "permission denied (a folder on the way cannot be searched)");
    return refused(ErrorCode::kIoError, path,
                   std::string("cannot look it up: ") + std::strerror(error));
  }
  const bool folder = S_ISDIR(st.st_mode);
  if (!folder && !S_ISREG(st.st_mode))
    return refused(ErrorCode::kInvalidArgument, path,
                   kind_name(st.st_mode) +
                       ", not a regular file or folder; zoomflow reads datasets from files and "
                       "folders only");
  const int error =
      open_error(path, folder ? O_RDONLY | O_DIRECTORY : (writable ? O_RDWR : O_RDONLY));
  if (error == EACCES || error == EPERM || error == EROFS)
    return refused(ErrorCode::kIoError, path,
                   std::string("permission denied (") +
                       (folder     ? "the folder cannot be read"
                        : writable ? "the file cannot be written"
                                   : "the file cannot be read") +
                       ")");
  if (error != 0)
    return refused(ErrorCode::kIoError, path,
                   std::string("cannot open it: ") + std::strerror(error));
  if (folder && ::access(path.c_str(), X_OK) != 0 && errno == EACCES)
    return refused(ErrorCode::kIoError, path, "permission denied (the folder cannot be searched)");
  return folder ? PathKind::kFolder : PathKind::kFile;
}

}  // namespace zoomflow::storage
