// The public run API: a chain of steps over a dataset, out of core, in one streaming pass.
// `zoomflow resample` is a one-step chain and `zoomflow pipeline` any chain; both run here.
//
//   ChainRequest request;
//   request.input = *storage::parse_dataset_path("ct.h5:/ct");
//   request.output = *storage::parse_dataset_path("small.h5:/ct");
//   request.steps = {gaussian_step({1.0}), resample_step({.zoom = {0.5}}),
//   cast_step(DType::kUInt8)}; RunOptions options;                       // threads,
//   --memory-limit, progress, cancel Result<RunReport> report = run_chain(request, options);
//
// How it runs: the output is cut into blocks of whole chunks (or shards); for each block the
// chain is walked backwards to the input box it needs; the block graph (block_graph.hpp) reads
// that box, runs every step in memory (in tiles when a halo makes the box large), compresses
// the block's chunks on every thread and writes them (one writer for HDF5, every thread for
// Zarr/N5). Blocks whose input holds one value skip the steps; blocks of the fill value are
// neither compressed nor written. The bytes do not depend on chunks, threads or memory limit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/backend.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/chain_step.hpp"
#include "zoomflow/pipeline/communicator.hpp"
#include "zoomflow/pipeline/progress.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/dataset_path.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow {

struct RunOptions {
  int threads = 0;                                      // 0: all hardware threads
  std::uint64_t memory_limit = std::uint64_t(1) << 30;  // bytes
  BlockLayout layout = BlockLayout::kBricks;
  Backend backend = Backend::kAuto;           // the GPU resamples one-step resample chains only
  ProgressCallback progress;                  // optional; called from one thread at a time
  const std::atomic<bool>* cancel = nullptr;  // optional; set to stop the run

  // CUDA: device bytes for block buffers, all streams together; 0: half the free device memory.
  std::uint64_t gpu_memory_limit = 0;
  // Optional; told before the run why --backend auto runs on the CPU, which temporaries of
  // killed runs were removed, what is resumed. One line each.
  std::function<void(const std::string&)> notice;
  // The ranks of an MPI job writing the output together (each with the threads and memory limit
  // above); nullptr: this process alone. Every rank calls run_chain with the same request.
  Communicator* communicator = nullptr;
};

struct RunReport {
  std::int64_t blocks = 0;
  std::int64_t constant_blocks = 0;  // produced without running the steps
  std::int64_t blocks_resumed = 0;   // complete before this run (an interrupted run's)
  std::int64_t blocks_computed = 0;  // by this run (every rank's, in an MPI job)
  int ranks = 1;
  std::size_t blocks_in_flight = 0;
  Shape block_shape;
  Shape tile_shape;  // computed at once inside a block
  int threads = 0;
  std::uint64_t planned_memory_bytes = 0;  // what the memory plan expects to hold at most
  std::uint64_t output_bytes = 0;          // uncompressed
  std::uint64_t bytes_written = 0;         // compressed chunk bytes
  // Input chunks in the dataset, and those this run decoded (-1: HDF5 decoded them itself, out
  // of sight). Each chunk a run needs is decoded once unless the chunk cache had to drop it.
  std::int64_t input_chunks = 0;
  std::int64_t input_chunks_decoded = -1;
  std::string backend = "cpu";
  double seconds = 0;

  std::string backend_note;  // why --backend auto ran on the CPU, when it did
  // CUDA only: streams (each with its own device buffers), the most busy at once (2 or more:
  // blocks overlapped on the GPU), and the device memory held for block buffers.
  int gpu_streams = 0;
  int gpu_peak_streams_busy = 0;
  std::uint64_t gpu_memory_bytes = 0;
};

struct ChainRequest {
  storage::DatasetPath input;
  storage::DatasetPath output;
  std::vector<ChainStepPtr> steps;
  Shape chunk_shape;  // empty: 64 per axis
  storage::CompressionSpec compression;
  bool overwrite = false;
  storage::StorageFormat format = storage::StorageFormat::kAuto;  // kAuto: from the suffix
  Shape shard_shape;  // Zarr v3: voxels per shard; empty: unsharded
  // Zarr and N5: continue the hidden temporary an interrupted run of the same request left
  // (keeping its completed blocks), or start afresh when there is none; a run of another
  // request is refused. The temporary is kept when this run fails too.
  bool resume = false;
};

// Validates the chain against the input (naming the failing step), creates the output under a
// temporary name, runs, and commits; on any failure or interrupt nothing appears at the output's
// name. The output's dtype is the input's unless a cast or threshold step sets it. With
// options.communicator, every rank runs its share of the blocks into one temporary (Zarr and N5
// only), and rank 0 commits once every rank has succeeded.
Result<RunReport> run_chain(const ChainRequest& request, const RunOptions& options);

// The same over an open input and a created output (shape and dtype as the chain gives); the
// caller commits the sink.
Result<RunReport> run_chain(const storage::InputDataset& source, storage::OutputDataset& sink,
                            const std::vector<ChainStepPtr>& steps, const RunOptions& options);

}  // namespace zoomflow
