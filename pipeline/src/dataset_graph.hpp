// The block graph for the whole-dataset runs (stats, compare, generate; internal to pipeline/):
// each thread holds one block in buffers of its own and each block in flight `block_bytes`, so
// as many blocks fly as `memory_limit` allows; signals and the caller's flag cancel it.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"

namespace zoomflow::detail {

template <class Work>
Status run_dataset_graph(const BlockGrid& blocks, const std::vector<Stage<Work>>& stages,
                         int threads, std::uint64_t memory_limit, std::uint64_t block_bytes,
                         const std::atomic<bool>* cancel) {
  const GraphOptions graph{
      blocks_in_flight(memory_limit, std::uint64_t(threads) * block_bytes, block_bytes, threads),
      CancelToken(cancel)};
  Status status;
  run_with_threads(threads, [&] { status = run_block_graph<Work>(blocks, stages, graph); });
  return status;
}

}  // namespace zoomflow::detail
