#include "child_process.hpp"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "zoomflow/storage/interrupt.hpp"

extern char** environ;

namespace zoomflow::tools {
namespace {

// Closes a descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

}  // namespace

Result<ChildResult> run_self(const std::vector<std::string>& arguments) {
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return make_error(ErrorCode::kInternal, "cannot find this executable: " + ec.message());
  std::vector<std::string> words{self};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  std::array<int, 2> pipe_fds{};
  if (::pipe(pipe_fds.data()) != 0)
    return make_error(ErrorCode::kIoError, std::string("pipe failed: ") + std::strerror(errno));
  FileDescriptor read_end(pipe_fds[0]);
  FileDescriptor write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, read_end.get());

  std::fflush(nullptr);  // so our own lines come before the child's
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawn_error =
      ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    return make_error(ErrorCode::kInternal,
                      std::string("cannot start ") + self + ": " + std::strerror(spawn_error));
  write_end.reset();

  ChildResult result;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(read_end.get(), buffer.data(), buffer.size());
    if (n > 0)
      result.standard_output.append(buffer.data(), std::size_t(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.peak_rss_bytes = std::int64_t(usage.ru_maxrss) * 1024;
  result.cpu_seconds = double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) * 1e-6 +
                       double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) * 1e-6;
  return result;
}

Result<ChildResult> run_self_checked(const std::vector<std::string>& arguments) {
  ZF_ASSIGN_OR_RETURN(ChildResult child, run_self(arguments));
  // Ctrl-C reached the child too; the caller unwinds, removing its work folder.
  if (storage::interrupt_requested()) return storage::interrupted_error();
  if (child.exit_code != 0) {
    std::string command = "zoomflow";
    for (const std::string& a : arguments) command += " " + a;
    return make_error(ErrorCode::kInternal,
                      "step failed (exit " + std::to_string(child.exit_code) + "): " + command);
  }
  return child;
}

Status run_self_step(const std::vector<std::string>& arguments) {
  auto child = run_self_checked(arguments);
  if (!child.ok()) return child.error();
  return ok_status();
}

Result<std::int64_t> dataset_nonzero(const std::string& dataset) {
  ZF_ASSIGN_OR_RETURN(ChildResult child, run_self_checked({"stats", dataset, "--json"}));
  const auto json = nlohmann::json::parse(child.standard_output, nullptr, false);
  if (json.is_discarded() || !json.contains("nonzero"))
    return make_error(ErrorCode::kInternal, "stats printed no JSON for " + dataset);
  return json["nonzero"].get<std::int64_t>();
}

}  // namespace zoomflow::tools
