// Streaming a whole dataset block by block (stats, compare, generate): blocks of whole chunks,
// worked on all threads with a bounded number in flight, results merged in block order on one
// thread. Internal to pipeline/.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::pipeline::detail {

// `requested` threads, or all the machine's when 0 or less.
int resolve_threads(int requested);

// The dataset cut into blocks of whole units (chunks), each about a target size: the tiling of
// the whole-dataset runs, whose blocks need no input box (unlike zoomflow::BlockPlan).
struct DatasetTiling {
  Shape shape;
  Shape block_shape;
  Shape grid_shape;  // blocks per axis

  Index count() const { return num_elements(grid_shape); }
  // Block number `linear` (C order over the grid), clipped to the shape.
  Box block(Index linear) const;
  std::uint64_t block_bytes(std::size_t element_size) const {
    return std::uint64_t(num_elements(block_shape)) * element_size;
  }
};

// Blocks made of whole `unit`s (empty unit: single voxels), grown from the last axis until a
// block holds about `target_bytes`.
DatasetTiling tile_dataset(const Shape& shape, const Shape& unit, std::size_t element_size,
                           std::uint64_t target_bytes);

// Blocks in flight for a memory budget: enough to keep every thread busy, never over budget.
std::size_t blocks_in_flight(int threads, std::uint64_t bytes_per_block,
                             std::uint64_t memory_limit_bytes);

Error interrupted_error();

// Runs work(box) -> Result<T> for every block of `plan` on `threads` threads with at most
// `in_flight` blocks alive, and merge(index, T&&) -> Status for each result in block order on one
// thread at a time. Stops at the first error, or when SIGINT/SIGTERM arrives (kCancelled).
template <class T, class Work, class Merge>
Status run_blocks(const DatasetTiling& plan, int threads, std::size_t in_flight, Work&& work,
                  Merge&& merge) {
  struct Token {
    Index index = 0;
    std::optional<Result<T>> result;
  };
  using TokenPtr = std::shared_ptr<Token>;
  std::atomic<bool> stop{false};
  bool cancelled = false;
  Status failure;
  Index next = 0;
  const auto source = [&](tbb::flow_control& control) -> Index {
    if (storage::interrupt_requested()) cancelled = true;
    if (next >= plan.count() || cancelled || stop.load()) {
      control.stop();
      return 0;
    }
    return next++;
  };
  const auto process = [&](Index index) -> TokenPtr {
    auto token = std::make_shared<Token>();
    token->index = index;
    if (!stop.load()) token->result.emplace(work(plan.block(index)));
    return token;
  };
  const auto sink = [&](TokenPtr token) {
    if (stop.load() || !token->result) return;
    Status status = token->result->ok()
                        ? Status(merge(token->index, std::move(*token->result).value()))
                        : Status(token->result->error());
    if (!status.ok()) {
      failure = std::move(status);
      stop.store(true);
    }
  };
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        std::max<std::size_t>(in_flight, 1),
        tbb::make_filter<void, Index>(tbb::filter_mode::serial_in_order, source) &
            tbb::make_filter<Index, TokenPtr>(tbb::filter_mode::parallel, process) &
            tbb::make_filter<TokenPtr, void>(tbb::filter_mode::serial_in_order, sink));
  });
  if (!failure.ok()) return failure;
  if (cancelled) return interrupted_error();
  return ok_status();
}

}  // namespace zoomflow::pipeline::detail
