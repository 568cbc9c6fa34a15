#include "zoomflow/pipeline/block_graph.hpp"

#include <memory>
#include <mutex>
#include <optional>

#include <tbb/flow_graph.h>

#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow {
namespace {

using tbb::flow::continue_msg;
using BlockNode = tbb::flow::function_node<BlockWorkPtr, BlockWorkPtr>;

// The first error of a run, and the switch that stops the graph.
class FirstError {
 public:
  explicit FirstError(tbb::flow::graph& graph) : graph_(graph) {}

  void record(Error error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
    graph_.cancel();
  }
  bool failed() const {
    std::lock_guard lock(mutex_);
    return error_.has_value();
  }
  std::optional<Error> take() {
    std::lock_guard lock(mutex_);
    return std::move(error_);
  }

 private:
  tbb::flow::graph& graph_;
  mutable std::mutex mutex_;
  std::optional<Error> error_;
};

bool cancel_requested(const BlockGraphOptions& options) {
  return storage::interrupt_requested() ||
         (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed));
}

Error cancelled_error() {
  const int signal = storage::interrupt_signal();
  return make_error(ErrorCode::kCancelled, signal != 0
                                               ? "interrupted by signal " + std::to_string(signal)
                                               : std::string("cancelled"));
}

}  // namespace

Status run_block_graph(const BlockPlan& plan, const std::vector<BlockStage>& stages,
                       const BlockGraphOptions& options) {
  tbb::flow::graph graph;
  FirstError first_error(graph);

  // Source: blocks in plan order, one at a time, as the limiter lets them through.
  std::size_t next = 0;
  tbb::flow::input_node<BlockWorkPtr> source(graph, [&](tbb::flow_control& control) {
    if (next >= plan.blocks.size() || first_error.failed()) {
      control.stop();
      return BlockWorkPtr();
    }
    if (cancel_requested(options)) {
      first_error.record(cancelled_error());
      control.stop();
      return BlockWorkPtr();
    }
    auto work = std::make_shared<BlockWork>();
    work->sequence = next;
    work->block = plan.blocks[next++];
    return work;
  });
  tbb::flow::limiter_node<BlockWorkPtr> limiter(graph, options.max_blocks_in_flight);
  tbb::flow::make_edge(source, limiter);

  // One node per stage, chained.
  std::vector<std::unique_ptr<BlockNode>> nodes;
  for (const BlockStage& stage : stages) {
    const std::size_t concurrency = stage.serial ? tbb::flow::serial : tbb::flow::unlimited;
    nodes.push_back(std::make_unique<BlockNode>(
        graph, concurrency, [&stage, &first_error, &options](BlockWorkPtr work) {
          if (!work || first_error.failed()) return work;
          if (cancel_requested(options)) {
            first_error.record(cancelled_error());
            return work;
          }
          Status status = stage.process(*work);
          if (!status.ok()) {
            Error error = status.error();
            if (error.code != ErrorCode::kCancelled)
              error.message = stage.name + " of block " + to_string(work->block.output_box) + ": " +
                              error.message;
            first_error.record(std::move(error));
          }
          return work;
        }));
    tbb::flow::make_edge(nodes.size() == 1 ? static_cast<tbb::flow::sender<BlockWorkPtr>&>(limiter)
                                           : *nodes[nodes.size() - 2],
                         *nodes.back());
  }

  // Finish: report, recycle the buffers, and let the next block in.
  tbb::flow::function_node<BlockWorkPtr, continue_msg> finish(
      graph, tbb::flow::serial, [&](BlockWorkPtr work) {
        if (work) {
          if (!first_error.failed() && options.on_block_done) options.on_block_done(*work);
          if (options.pool != nullptr) {
            options.pool->release(std::move(work->input_buffer));
            options.pool->release(std::move(work->output_buffer));
          }
        }
        return continue_msg();
      });
  tbb::flow::make_edge(
      nodes.empty() ? static_cast<tbb::flow::sender<BlockWorkPtr>&>(limiter) : *nodes.back(),
      finish);
  tbb::flow::make_edge(finish, limiter.decrementer());

  source.activate();
  graph.wait_for_all();
  if (auto error = first_error.take()) return *error;
  if (graph.is_cancelled()) return cancelled_error();
  return ok_status();
}

}  // namespace zoomflow
