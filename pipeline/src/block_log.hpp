// The record of the blocks a resumable run finished (internal to pipeline/), kept in its output's
// record folder (storage's staging record, never part of the output): one append-only text log
// per rank and attempt, "blocks.ATTEMPT.RANK":
//
//   zoomflow-blocks 1 shape=64,64,128 rank=0 pid=1234 host=node7
//   17 524288
//   18 0
//
// (the block's number in the grid of that block shape, and the compressed bytes it wrote). A line
// is appended, by one write(), only after every write unit of its block was renamed into place,
// so a killed run never records a block that is not complete; a last line cut short has no
// newline and is ignored. Blocks of the fill value write no file, so this log, not the files
// present, says what is done.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/pipeline/block_grid.hpp"

namespace zoomflow::detail {

class BlockLog {
 public:
  static Result<BlockLog> create(const std::string& folder, const std::string& attempt, int rank,
                                 const Shape& block_shape);
  BlockLog(BlockLog&& other) noexcept;
  BlockLog& operator=(BlockLog&& other) noexcept;
  BlockLog(const BlockLog&) = delete;
  BlockLog& operator=(const BlockLog&) = delete;
  ~BlockLog();
  // Appends "BLOCK BYTES\n" (one thread at a time).
  Status append(Index block, std::uint64_t bytes);

 private:
  explicit BlockLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// The name of rank `rank`'s log of attempt `attempt`.
std::string block_log_name(const std::string& attempt, int rank);

// The blocks that earlier attempts recorded, under whatever block shapes they used.
class CompletedBlocks {
 public:
  // Reads every log in `folder` (none: nothing completed). A log whose header does not fit the
  // output is an error naming it.
  static Result<CompletedBlocks> read(const std::string& folder, const Shape& output_shape);
  bool empty() const { return records_.empty(); }
  // Every voxel of `box` lies in blocks that one earlier attempt completed (recorded under one
  // block shape: the conservative answer when attempts cut the output differently).
  bool covers(const Box& box) const;

 private:
  struct Record {
    BlockGrid grid;
    std::vector<bool> done;  // by block number
  };
  std::vector<Record> records_;
};

// Rank 0 following the logs that the other ranks of this attempt append, for the job's progress.
class LogFollower {
 public:
  LogFollower(std::string folder, std::string attempt, int ranks, const BlockGrid& grid,
              std::size_t element_bytes);
  struct Totals {
    std::int64_t blocks = 0;
    std::uint64_t voxel_bytes = 0;  // uncompressed output of those blocks
    std::uint64_t bytes_written = 0;
  };
  // What the other ranks recorded so far (reads what was appended since the last call).
  const Totals& poll();
  const Totals& totals() const { return totals_; }

 private:
  struct Followed {
    std::string path;
    std::uint64_t offset = 0;
    std::string partial;  // a line not yet ended
    bool header_read = false;
  };
  std::vector<Followed> logs_;
  BlockGrid grid_;
  std::size_t element_bytes_;
  Totals totals_;
};

}  // namespace zoomflow::detail
