// The one engine every whole-dataset run goes through (resample, pipeline, stats, compare,
// generate): a TBB flow graph that takes the blocks of a BlockGrid in order, lets at most
// `max_in_flight` of them be alive at once (the memory bound), and passes each through a list of
// stages, small function objects:
//
//   source -> limiter -> stage 1 -> stage 2 -> ... -> done -> (back to the limiter)
//
// A parallel stage runs on every thread; a serial one sees one block at a time (HDF5 writes); an
// ordered one sees them one at a time in block order (a sequencer node before it: the merges of
// stats and compare). A block belongs to one stage at a time, so stages share no mutable state
// through it. The first error (a returned Status, or an exception) stops the graph; it comes back
// naming the stage and the block. A cancel request stops it between blocks. The source emits the
// blocks of `selection` (every block by default; an MPI rank's share of the grid), leaving out
// those `skip` names (blocks an interrupted run completed).
//
//   struct MyWork { std::size_t sequence = 0; Box box; /* what the stages fill in */ };
//   std::vector<Stage<MyWork>> stages = {{"reading", StageMode::kParallel, read}, ...};
//   Status s = run_block_graph<MyWork>(grid, stages, {.max_in_flight = 8, .cancel = token});
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <tbb/flow_graph.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/block_selection.hpp"
#include "zoomflow/pipeline/cancel_token.hpp"

namespace zoomflow {

enum class StageMode { kParallel, kSerial, kOrdered };

template <class Work>
struct Stage {
  std::string name;
  StageMode mode = StageMode::kParallel;
  std::function<Status(Work&)> process;
};

struct GraphOptions {
  std::size_t max_in_flight = 4;
  CancelToken cancel;
  BlockSelection selection{};               // default: every block
  std::function<bool(Index block)> skip{};  // optional: blocks not to run (by block number)
};

// The error an exception stands for (std::bad_alloc: kOutOfMemory, saying what to lower).
Error error_from_exception(std::exception_ptr exception);

namespace detail {

// The first error of a run, and the switch that stops the graph.
class FirstError {
 public:
  explicit FirstError(tbb::flow::graph& graph) : graph_(graph) {}
  void record(Error error);
  bool failed() const;
  std::optional<Error> take();

 private:
  tbb::flow::graph& graph_;
  mutable std::mutex mutex_;
  std::optional<Error> error_;
};

// Runs `body`, turning a failed Status or an exception into a recorded error that names the
// stage and the block.
Status run_stage_body(const std::function<Status()>& body, const std::string& stage,
                      const Box& box);

}  // namespace detail

// Runs every block of `grid` through `stages` in the calling task arena. `done` (optional) is
// called serially for each block that passed every stage, before its Work is dropped: progress
// and buffer recycling go there. Work must have `std::size_t sequence` and `Box box`, which the
// source fills in. `grid` is a BlockGrid or any other order of blocks with `Index count()` and
// `Box block(Index)` (the pyramid's traversal): block(k) is asked for k = 0, 1, 2, ... in turn,
// from one thread at a time.
template <class Work, class Blocks = BlockGrid>
Status run_block_graph(const Blocks& grid, const std::vector<Stage<Work>>& stages,
                       const GraphOptions& options,
                       const std::function<void(Work&)>& done = nullptr) {
  using WorkPtr = std::shared_ptr<Work>;
  using Node = tbb::flow::function_node<WorkPtr, WorkPtr>;
  // The graph outlives its nodes (declared first, destroyed last), and wait_for_all never
  // unwinds past them: an exception from it is recorded and the graph waited for again.
  tbb::flow::graph graph;
  detail::FirstError first_error(graph);
  const CancelToken& cancel = options.cancel;
  const BlockSelection& selection = options.selection;
  const Index total = selection.size(grid.count());

  Index next = 0;           // position in the selection
  std::size_t emitted = 0;  // blocks sent on: the sequence ordered stages follow
  tbb::flow::input_node<WorkPtr> source(graph, [&](tbb::flow_control& control) -> WorkPtr {
    if (options.skip)
      while (next < total && options.skip(selection.at(next))) ++next;
    if (next >= total || first_error.failed()) {
      control.stop();
      return nullptr;
    }
    if (cancel.requested()) {
      first_error.record(cancel.error());
      control.stop();
      return nullptr;
    }
    try {
      auto work = std::make_shared<Work>();
      work->sequence = emitted++;
      work->box = grid.block(selection.at(next++));
      return work;
    } catch (...) {
      first_error.record(error_from_exception(std::current_exception()));
      control.stop();
      return nullptr;
    }
  });
  tbb::flow::limiter_node<WorkPtr> limiter(graph, std::max<std::size_t>(options.max_in_flight, 1));
  tbb::flow::make_edge(source, limiter);

  std::vector<std::unique_ptr<tbb::flow::sequencer_node<WorkPtr>>> sequencers;
  std::vector<std::unique_ptr<Node>> nodes;
  tbb::flow::sender<WorkPtr>* previous = &limiter;
  for (const Stage<Work>& stage : stages) {
    if (stage.mode == StageMode::kOrdered) {
      sequencers.push_back(std::make_unique<tbb::flow::sequencer_node<WorkPtr>>(
          graph, [](const WorkPtr& work) { return work->sequence; }));
      tbb::flow::make_edge(*previous, *sequencers.back());
      previous = sequencers.back().get();
    }
    const std::size_t concurrency =
        stage.mode == StageMode::kParallel ? tbb::flow::unlimited : tbb::flow::serial;
    nodes.push_back(
        std::make_unique<Node>(graph, concurrency, [&stage, &first_error, &cancel](WorkPtr work) {
          if (!work || first_error.failed()) return work;
          if (cancel.requested()) {
            first_error.record(cancel.error());
            return work;
          }
          const Status status =
              detail::run_stage_body([&] { return stage.process(*work); }, stage.name, work->box);
          if (!status.ok()) first_error.record(status.error());
          return work;
        }));
    tbb::flow::make_edge(*previous, *nodes.back());
    previous = nodes.back().get();
  }

  tbb::flow::function_node<WorkPtr, tbb::flow::continue_msg> finish(
      graph, tbb::flow::serial, [&](WorkPtr work) {
        if (work && done) {
          const Status status = detail::run_stage_body(
              [&] {
                done(*work);
                return ok_status();
              },
              "reporting", work->box);
          if (!status.ok()) first_error.record(status.error());
        }
        return tbb::flow::continue_msg();
      });
  tbb::flow::make_edge(*previous, finish);
  tbb::flow::make_edge(finish, limiter.decrementer());

  try {
    source.activate();
    graph.wait_for_all();
  } catch (...) {
    first_error.record(error_from_exception(std::current_exception()));
    try {
      graph.wait_for_all();
    } catch (...) {
    }
  }
  if (auto error = first_error.take()) return *error;
  if (graph.is_cancelled()) return cancel.error();
  return ok_status();
}

// Runs `body` in a task arena of `threads` threads. More threads than cores are allowed (TBB
// caps its workers at the cores unless told otherwise, and warns).
template <class Body>
void run_with_threads(int threads, Body&& body) {
  std::optional<tbb::global_control> allow;
  if (threads > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
  tbb::task_arena arena(threads);
  arena.execute(body);
}

}  // namespace zoomflow
