#include "block_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace zoomflow::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader = "zoomflow-blocks 1";
constexpr const char* kPrefix = "blocks.";

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string shape_text(const Shape& shape) {
  std::string text;
  for (int a = 0; a < shape.rank(); ++a) {
    if (a > 0) text += ',';
    text += std::to_string(shape[a]);
  }
  return text;
}

// "shape=64,64,128" out of a header line; empty on anything else.
Shape header_shape(const std::string& line) {
  if (!line.starts_with(kHeader)) return {};
  const std::size_t at = line.find(" shape=");
  if (at == std::string::npos) return {};
  std::istringstream list(line.substr(at + 7, line.find(' ', at + 7) - at - 7));
  std::vector<Index> extents;
  std::string part;
  while (std::getline(list, part, ',')) {
    char* end = nullptr;
    const long long value = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || value <= 0) return {};
    extents.push_back(Index(value));
  }
  if (extents.empty() || extents.size() > std::size_t(kMaxRank)) return {};
  return Shape(std::span<const Index>(extents));
}

// "17 524288" -> (17, 524288); false on anything else.
bool parse_line(const std::string& line, Index& block, std::uint64_t& bytes) {
  char* end = nullptr;
  const long long b = std::strtoll(line.c_str(), &end, 10);
  if (end == line.c_str() || *end != ' ' || b < 0) return false;
  const char* rest = end + 1;
  const unsigned long long n = std::strtoull(rest, &end, 10);
  if (end == rest || *end != '\0') return false;
  block = Index(b);
  bytes = n;
  return true;
}

}  // namespace

std::string block_log_name(const std::string& attempt, int rank) {
  return std::string(kPrefix) + attempt + "." + std::to_string(rank);
}

Result<BlockLog> BlockLog::create(const std::string& folder, const std::string& attempt, int rank,
                                  const Shape& block_shape) {
  const std::string path = (fs::path(folder) / block_log_name(attempt, rank)).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0)
    return make_error(ErrorCode::kIoError, "cannot create " + path + ": " + std::strerror(errno));
  BlockLog log(fd, path);
  const std::string header = std::string(kHeader) + " shape=" + shape_text(block_shape) +
                             " rank=" + std::to_string(rank) +
                             " pid=" + std::to_string(::getpid()) + " host=" + host_name() + "\n";
  if (::write(fd, header.data(), header.size()) != ssize_t(header.size()))
    return make_error(ErrorCode::kIoError, "cannot write " + path + ": " + std::strerror(errno));
  return log;
}

BlockLog::BlockLog(BlockLog&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

BlockLog& BlockLog::operator=(BlockLog&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

BlockLog::~BlockLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status BlockLog::append(Index block, std::uint64_t bytes) {
  const std::string line = std::to_string(block) + " " + std::to_string(bytes) + "\n";
  // One write: the line is in the log whole or not at all (O_APPEND, a small regular write).
  ssize_t n;
  do {
    n = ::write(fd_, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n != ssize_t(line.size()))
    return make_error(ErrorCode::kIoError, "cannot write " + path_ + ": " +
                                               (n < 0 ? std::strerror(errno) : "short write"));
  return ok_status();
}

Result<CompletedBlocks> CompletedBlocks::read(const std::string& folder,
                                              const Shape& output_shape) {
  CompletedBlocks completed;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kPrefix)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    const std::size_t first = all.find('\n');
    if (first == std::string::npos) continue;  // killed before its header was whole
    const Shape shape = header_shape(all.substr(0, first));
    if (shape.rank() != output_shape.rank())
      return make_error(ErrorCode::kCorrupt, it->path().string() +
                                                 " is not a block log of this output; rerun "
                                                 "without --resume to start afresh");
    Record* record = nullptr;
    for (Record& r : completed.records_)
      if (r.grid.block_shape() == BlockGrid(output_shape, shape).block_shape()) record = &r;
    if (record == nullptr) {
      Record fresh;
      fresh.grid = BlockGrid(output_shape, shape);
      fresh.done.assign(std::size_t(fresh.grid.count()), false);
      completed.records_.push_back(std::move(fresh));
      record = &completed.records_.back();
    }
    std::size_t at = first + 1;
    while (true) {
      const std::size_t end = all.find('\n', at);
      if (end == std::string::npos) break;  // a line cut short by a kill: not a record
      Index block = 0;
      std::uint64_t bytes = 0;
      if (!parse_line(all.substr(at, end - at), block, bytes) || block >= record->grid.count())
        return make_error(ErrorCode::kCorrupt, it->path().string() +
                                                   " holds a line that is not a block record; "
                                                   "rerun without --resume to start afresh");
      record->done[std::size_t(block)] = true;
      at = end + 1;
    }
  }
  return completed;
}

bool CompletedBlocks::covers(const Box& box) const {
  for (const Record& record : records_) {
    const BlockGrid& grid = record.grid;
    const int rank = box.rank();
    IndexVector first = box.origin;
    IndexVector last = box.origin;
    for (int a = 0; a < rank; ++a) {
      first[a] = box.origin[a] / grid.block_shape()[a];
      last[a] = (box.origin[a] + box.extent[a] - 1) / grid.block_shape()[a];
    }
    // Every block of the recorded grid that the box touches, in C order.
    IndexVector at = first;
    bool all = true;
    while (true) {
      Index linear = 0;
      for (int a = 0; a < rank; ++a) linear = linear * grid.grid_shape()[a] + at[a];
      if (!record.done[std::size_t(linear)]) {
        all = false;
        break;
      }
      int a = rank - 1;
      while (a >= 0 && at[a] == last[a]) {
        at[a] = first[a];
        --a;
      }
      if (a < 0) break;
      ++at[a];
    }
    if (all) return true;
  }
  return false;
}

LogFollower::LogFollower(std::string folder, std::string attempt, int ranks, const BlockGrid& grid,
                         std::size_t element_bytes)
    : grid_(grid), element_bytes_(element_bytes) {
  for (int r = 1; r < ranks; ++r) {
    Followed log;
    log.path = (fs::path(folder) / block_log_name(attempt, r)).string();
    logs_.push_back(std::move(log));
  }
}

const LogFollower::Totals& LogFollower::poll() {
  for (Followed& log : logs_) {
    std::ifstream in(log.path, std::ios::binary);
    if (!in) continue;  // not made yet
    in.seekg(std::streamoff(log.offset));
    std::stringstream text;
    text << in.rdbuf();
    const std::string fresh = text.str();
    log.offset += fresh.size();
    log.partial += fresh;
    std::size_t at = 0;
    while (true) {
      const std::size_t end = log.partial.find('\n', at);
      if (end == std::string::npos) break;
      const std::string line = log.partial.substr(at, end - at);
      at = end + 1;
      if (!log.header_read) {
        log.header_read = true;
        continue;
      }
      Index block = 0;
      std::uint64_t bytes = 0;
      if (!parse_line(line, block, bytes) || block >= grid_.count()) continue;
      ++totals_.blocks;
      totals_.voxel_bytes += std::uint64_t(grid_.block(block).num_elements()) * element_bytes_;
      totals_.bytes_written += bytes;
    }
    log.partial.erase(0, at);
  }
  return totals_;
}

}  // namespace zoomflow::detail
