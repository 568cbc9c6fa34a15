// The resample stage of the CUDA backend. Per block: upload the input, run the kernel, download
// the output, on one of a few CUDA streams, each with its own device buffers. While the GPU works
// on a block its task is suspended, so the worker threads keep reading and compressing other
// blocks, and the blocks on different streams overlap: the upload of one, the kernel of another
// and the download of a third. Device memory is fixed when the stage is created, from the plan's
// largest block and a limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/cuda/resampler.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/block_work.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/pipeline/slot_pool.hpp"

namespace zoomflow {

struct CudaStageOptions {
  // Device bytes for block buffers (all streams together); 0: half the free device memory.
  std::uint64_t gpu_memory_limit = 0;
  // The graph's bound on blocks in flight: streams beyond it would never be used.
  std::size_t max_blocks_in_flight = 4;
  // Three streams let an upload, a kernel and a download overlap; one gives no overlap at all.
  int max_streams = 3;
};

class CudaResampleStage {
  // Only create() makes a stage; the key keeps the constructor public for make_unique.
  struct Key {
    explicit Key() = default;
  };

 public:
  // Fails with kUnavailable when there is no usable GPU, kOutOfMemory when the buffers of one
  // block exceed the GPU memory limit (or cannot be allocated).
  static Result<std::unique_ptr<CudaResampleStage>> create(const ResampleSpec& spec, DType dtype,
                                                           const BlockGrid& blocks,
                                                           const CudaStageOptions& options);

  // The graph stage, named "resampling on the GPU". Output buffers come from `pool`; give it
  // pinned_buffer_allocator() so that downloads land in page-locked memory (and the read stage's
  // input buffers, from the same pool, are page-locked for the upload). Blocks whose input holds
  // one value go to `constant_blocks` when given (the CPU fills them faster than a round trip);
  // blocks of the fill value are skipped, as the CPU stage does.
  BlockStage block_stage(BufferPool& pool, std::function<Status(BlockWork&)> constant_blocks);

  // Resamples one block on the GPU into an output buffer from `pool`. Thread-safe.
  Status process(BlockWork& work, BufferPool& pool);

  int streams() const { return slots_.size(); }
  std::uint64_t device_bytes() const { return resampler_.device_bytes(); }
  // The most streams busy at once so far: 2 or more means blocks overlapped on the GPU.
  int peak_streams_busy() const { return slots_.peak_in_use(); }
  const cuda::DeviceInfo& device() const { return device_; }

  CudaResampleStage(Key, cuda::CudaResampler resampler, cuda::DeviceInfo device);

 private:
  cuda::CudaResampler resampler_;
  cuda::DeviceInfo device_;
  SlotPool slots_;
};

// Page-locked buffers for a BufferPool. Pinning can fail (a locked-memory limit, no driver);
// such buffers are ordinary memory, which the GPU copies still accept, only synchronously.
BufferAllocator pinned_buffer_allocator();

}  // namespace zoomflow
