// run_chain(request, options): one process or the ranks of an MPI job, a fresh run or a resumed
// one. The steps, each agreed by every rank before the next (a failure on any rank ends the run
// on every rank with that rank's message, printed once, by rank 0):
//   1. every rank opens the input read-only and plans the chain;
//   2. rank 0 creates the output's temporary (sweeping away killed runs' leftovers, or taking up
//      the interrupted run's temporary to resume) before any rank writes into it;
//   3. rank 0 plans the block shape, the same for every rank; every rank reads the logs of the
//      blocks earlier attempts completed and opens its own;
//   4. every rank runs its share (interleaved groups of blocks), recording each finished block;
//   5. a rank that fails ends the whole job at once (Communicator::abort); otherwise rank 0 waits
//      for every rank, drawing the job's progress from the other ranks' logs, and commits.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include <fmt/core.h>

#include "block_log.hpp"
#include "chain_job.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow {
namespace {

using Clock = std::chrono::steady_clock;

// The ranks of the job, or this process alone.
class Job {
 public:
  explicit Job(Communicator* communicator) : communicator_(communicator) {}
  int rank() const { return communicator_ ? communicator_->rank() : 0; }
  int size() const { return communicator_ ? communicator_->size() : 1; }
  bool distributed() const { return size() > 1; }
  Communicator& communicator() { return *communicator_; }
  Status agree(const Status& mine) { return distributed() ? communicator_->agree(mine) : mine; }
  void broadcast(std::string& text) {
    if (distributed()) communicator_->broadcast(text);
  }

 private:
  Communicator* communicator_;
};

template <class T>
Status status_of(const Result<T>& result) {
  return result.ok() ? ok_status() : Status(result.error());
}

bool key_value_format(storage::StorageFormat format) {
  return format == storage::StorageFormat::kZarr2 || format == storage::StorageFormat::kZarr3 ||
         format == storage::StorageFormat::kN5;
}

std::string absolute_path(const storage::DatasetPath& path) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::absolute(path.file, ec).lexically_normal();
  return storage::DatasetPath{file.string(), path.dataset}.to_string();
}

// What the output is written for, one "key=value" line each: its hash names the temporary, and a
// resumed run must match it line for line.
std::string request_text(const ChainRequest& request, const detail::PreparedChain& prepared,
                         storage::StorageFormat format) {
  const storage::OutputOptions& output = prepared.output;
  const storage::DatasetInfo& input = prepared.source.info();
  return fmt::format(
      "zoomflow={}\ninput={}\ninput_shape={}\ninput_dtype={}\nchain={}\noutput={}\nformat={}\n"
      "shape={}\ndtype={}\nchunks={}\nshards={}\ncompression={}\n",
      ZOOMFLOW_VERSION, absolute_path(request.input), to_string(input.shape),
      dtype_name(input.dtype), prepared.plan.describe(), absolute_path(request.output),
      storage::storage_format_name(format), to_string(output.shape), dtype_name(output.dtype),
      to_string(output.chunk_shape),
      output.shard_shape.rank() ? to_string(output.shard_shape) : "none",
      output.compression.to_string());
}

std::string random_attempt() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

std::string shape_list(const Shape& shape) {
  std::string text;
  for (int a = 0; a < shape.rank(); ++a) {
    if (a > 0) text += ',';
    text += std::to_string(shape[a]);
  }
  return text;
}

Shape parse_shape_list(const std::string& text) {
  std::vector<Index> extents;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t comma = text.find(',', at);
    extents.push_back(Index(std::stoll(text.substr(at, comma - at))));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return Shape(std::span<const Index>(extents));
}

// The hint a stopped resumable run adds to its error.
Error with_resume_hint(Error error, const ChainRequest& request) {
  if (request.resume) error.message += "; the temporary is kept: rerun with --resume to continue";
  return error;
}

}  // namespace

Result<RunReport> run_chain(const ChainRequest& request, const RunOptions& options) {
  Job job(options.communicator);
  const int rank = job.rank();
  const int ranks = job.size();

  // 1. The input, the chain, the output's options; the format decides what is allowed.
  auto prepared_result = detail::prepare_chain(request, options);
  ZF_RETURN_IF_ERROR(job.agree(status_of(prepared_result)));
  detail::PreparedChain& prepared = **prepared_result;
  const auto format = storage::resolve_output_format(request.output, request.format);
  Status allowed = status_of(format);
  if (allowed.ok() && !key_value_format(*format)) {
    if (job.distributed())
      allowed = make_error(
          ErrorCode::kInvalidArgument,
          "an MPI run writes Zarr or N5 (every rank writes its own chunk files), not HDF5: name a "
          ".zarr or .n5 output instead of " +
              request.output.to_string() + ", or run without mpirun");
    else if (request.resume)
      allowed = make_error(ErrorCode::kInvalidArgument,
                           "--resume continues Zarr and N5 outputs; " + request.output.to_string() +
                               " is HDF5, which is written anew each run");
  }
  ZF_RETURN_IF_ERROR(job.agree(allowed));
  storage::OutputOptions& output = prepared.output;
  output.format = *format;
  output.request = request_text(request, prepared, *format);
  output.role = rank == 0 ? storage::OutputRole::kOwner : storage::OutputRole::kWorker;

  // 2. Rank 0 makes (or takes up) the temporary before any other rank opens it; the block shape
  // is rank 0's plan, so that every rank cuts the output the same way.
  std::optional<storage::OutputDataset> sink;
  std::string shared;  // rank 0's: "ATTEMPT RESUMED BLOCK_SHAPE"
  Status made;
  if (rank == 0) {
    auto created = storage::OutputDataset::create(request.output, output);
    made = status_of(created);
    if (made.ok()) {
      sink.emplace(std::move(*created));
      MemoryRequest memory{options.memory_limit, resolve_threads(options.threads), options.layout};
      auto memory_plan = plan_memory(prepared.plan, sink->write_shape(), memory);
      made = status_of(memory_plan);
      if (made.ok())
        shared = random_attempt() + (sink->resumed() ? " 1 " : " 0 ") +
                 shape_list(memory_plan->block_shape);
    }
  }
  ZF_RETURN_IF_ERROR(job.agree(made));
  job.broadcast(shared);
  const std::string attempt = shared.substr(0, shared.find(' '));
  const bool resumed = shared.substr(attempt.size() + 1, 1) == "1";
  const Shape block_shape = parse_shape_list(shared.substr(attempt.size() + 3));
  const BlockGrid grid(prepared.plan.output().shape, block_shape);

  // 3. The other ranks open the temporary; every rank reads what earlier attempts completed and
  // opens its own log.
  Status ready;
  if (rank != 0) {
    auto attached = storage::OutputDataset::create(request.output, output);
    ready = status_of(attached);
    if (ready.ok()) sink.emplace(std::move(*attached));
  }
  detail::CompletedBlocks completed;
  std::optional<detail::BlockLog> log;
  if (ready.ok() && !sink->record_folder().empty()) {
    if (resumed) {
      auto read = detail::CompletedBlocks::read(sink->record_folder(), grid.shape());
      ready = status_of(read);
      if (ready.ok()) completed = std::move(*read);
    }
    if (ready.ok()) {
      auto opened = detail::BlockLog::create(sink->record_folder(), attempt, rank, block_shape);
      ready = status_of(opened);
      if (ready.ok()) log.emplace(std::move(*opened));
    }
  }
  ZF_RETURN_IF_ERROR(job.agree(ready));

  detail::BlockHooks hooks;
  hooks.block_shape = block_shape;
  hooks.selection = {rank, ranks, choose_block_group(grid.count(), ranks)};
  if (!completed.empty()) {
    hooks.skip = [&](Index k) { return completed.covers(grid.block(k)); };
    for (Index k = 0; k < grid.count(); ++k) hooks.blocks_done_before += hooks.skip(k);
  }
  if (log)
    hooks.record = [&](Index block, const BlockWork& work) {
      std::uint64_t bytes = 0;
      for (const storage::EncodedChunk& chunk : work.chunks) bytes += chunk.bytes.size();
      return log->append(block, bytes);
    };

  RunOptions run = options;
  if (rank != 0) {
    run.progress = nullptr;  // rank 0 draws the job's progress
    run.notice = nullptr;
  }
  if (rank == 0 && options.notice) {
    if (!sink->notice().empty()) options.notice(sink->notice());
    if (resumed)
      options.notice(fmt::format("resuming {}: {} of {} blocks were complete",
                                 request.output.to_string(), hooks.blocks_done_before,
                                 grid.count()));
  }
  // Rank 0's progress: its own blocks, and what the other ranks' logs say, read at most four
  // times a second, and less often on many ranks (each read opens every other rank's log: on a
  // parallel file system, 1024 ranks every 2 s is 500 opens a second).
  const auto job_start = Clock::now();
  const std::size_t element = dtype_size(prepared.plan.output().dtype);
  std::optional<detail::LogFollower> follower;
  Progress own;
  own.blocks_total = grid.count();
  own.blocks_done = hooks.blocks_done_before;
  own.output_bytes_total = std::uint64_t(num_elements(grid.shape())) * element;
  const auto poll_interval = std::chrono::milliseconds(std::max(250, 2 * ranks));
  auto last_poll = job_start - poll_interval;
  const auto add_others = [&](Progress& progress) {
    if (Clock::now() - last_poll > poll_interval) {
      follower->poll();
      last_poll = Clock::now();
    }
    const detail::LogFollower::Totals& others = follower->totals();
    progress.blocks_done += others.blocks;
    progress.output_bytes_done += others.voxel_bytes;
    progress.bytes_written += others.bytes_written;
  };
  if (rank == 0 && job.distributed() && log) {
    follower.emplace(sink->record_folder(), attempt, ranks, grid, element);
    hooks.add_progress = [&](Progress& progress) {
      own = progress;
      add_others(progress);
    };
  }

  // 4. This process's share.
  auto report = detail::run_chain_blocks(prepared.source, *sink, request.steps, run, hooks);
  if (!job.distributed()) {
    if (!report.ok()) return with_resume_hint(report.error(), request);
    ZF_RETURN_IF_ERROR(sink->commit());
    report->blocks_resumed = hooks.blocks_done_before;
    return report;
  }

  // 5. A failure (not a stop asked for: every rank is asked at once) ends the job now; other
  // ranks may be hours from their end. Otherwise wait for every rank, then commit.
  if (!report.ok() && report.error().code != ErrorCode::kCancelled)
    job.communicator().abort(fmt::format("rank {} of {}: {}", rank, ranks, report.error().message));
  const auto waiting = [&] {
    if (!follower || !options.progress) return;
    Progress progress = own;
    progress.seconds = std::chrono::duration<double>(Clock::now() - job_start).count();
    add_others(progress);
    options.progress(progress);
  };
  const Status finished = job.communicator().agree_while(status_of(report), waiting);
  const std::int64_t computed = job.communicator().sum(report.ok() ? report->blocks_computed : 0);
  if (!finished.ok()) {
    // Stopped (every rank has left its graph): rank 0 removes the temporary (kept under
    // --resume) while the others wait, since mpirun ends the job at the first rank that exits
    // with an error.
    if (rank == 0) sink.reset();
    (void)job.agree(ok_status());
    return with_resume_hint(finished.error(), request);
  }
  if (follower && options.progress) {  // every rank's blocks are done: the last line says so
    Progress progress = own;
    progress.blocks_done = grid.count();
    progress.output_bytes_done = progress.output_bytes_total;
    progress.seconds = std::chrono::duration<double>(Clock::now() - job_start).count();
    options.progress(progress);
  }
  ZF_RETURN_IF_ERROR(job.agree(rank == 0 ? sink->commit() : ok_status()));
  report->blocks_resumed = hooks.blocks_done_before;
  report->blocks_computed = computed;
  report->ranks = ranks;
  report->seconds = std::chrono::duration<double>(Clock::now() - job_start).count();
  return report;
}

}  // namespace zoomflow
