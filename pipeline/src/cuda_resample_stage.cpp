#include "zoomflow/pipeline/cuda_resample_stage.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "zoomflow/kernels/cuda/pinned_buffer.hpp"
#include "zoomflow/pipeline/await_completion.hpp"

namespace zoomflow {
namespace {

std::string mebibytes(std::uint64_t bytes) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.1f MiB", double(bytes) / double(1 << 20));
  return text;
}

// The largest block of the grid and the largest input box, which size every stream's device
// buffers. Input boxes are separable (axis a depends on the block's axis a alone), so one walk
// along each axis finds the largest extents without visiting every block.
cuda::ResamplerCapacity capacity_of(const ResampleSpec& spec, const BlockGrid& blocks,
                                    DType dtype) {
  const int rank = spec.rank();
  cuda::ResamplerCapacity capacity;
  capacity.output_extent = IndexVector::filled(rank, 0);
  Shape input_extent = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) {
    IndexVector position = IndexVector::filled(rank, 0);
    for (Index i = 0; i < blocks.grid_shape()[a]; ++i) {
      position[a] = i;
      const Box block = blocks.block_at(position);
      const Box input = required_input_box(spec, block);
      capacity.output_extent[a] = std::max(capacity.output_extent[a], block.extent[a]);
      input_extent[a] = std::max(input_extent[a], input.extent[a]);
    }
  }
  const std::size_t element = dtype_size(dtype);
  capacity.input_bytes = std::size_t(num_elements(input_extent)) * element;
  capacity.output_bytes = std::size_t(num_elements(capacity.output_extent)) * element;
  return capacity;
}

}  // namespace

Result<std::unique_ptr<CudaResampleStage>> CudaResampleStage::create(
    const ResampleSpec& spec, DType dtype, const BlockGrid& blocks,
    const CudaStageOptions& options) {
  ZF_RETURN_IF_ERROR(spec.validate_for(dtype));
  cuda::DeviceInfo device = cuda::query_device();
  if (!device.usable)
    return make_error(ErrorCode::kUnavailable, "no usable CUDA device: " + device.reason);
  const cuda::ResamplerCapacity capacity = capacity_of(spec, blocks, dtype);
  const std::uint64_t per_stream =
      std::max<std::uint64_t>(cuda::CudaResampler::slot_device_bytes(spec, dtype, capacity), 1);
  // Half the free memory by default: room for the context, other processes and fragmentation.
  const std::uint64_t limit =
      options.gpu_memory_limit > 0 ? options.gpu_memory_limit : device.free_bytes / 2;
  const std::uint64_t fit = limit / per_stream;
  if (fit == 0)
    return make_error(ErrorCode::kOutOfMemory,
                      "one block needs " + mebibytes(per_stream) +
                          " of GPU memory (its input box, output block and coordinate tables) "
                          "but the GPU memory limit is " +
                          mebibytes(limit) +
                          "; lower --memory-limit for smaller blocks, or raise "
                          "--gpu-memory-limit");
  const int streams = int(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(
             {fit, std::uint64_t(std::max(options.max_streams, 1)),
              std::uint64_t(std::max<std::size_t>(options.max_blocks_in_flight, 1))})));
  ZF_ASSIGN_OR_RETURN(cuda::CudaResampler resampler,
                      cuda::CudaResampler::create(spec, dtype, capacity, streams));
  return std::make_unique<CudaResampleStage>(Key{}, std::move(resampler), std::move(device));
}

CudaResampleStage::CudaResampleStage(Key, cuda::CudaResampler resampler, cuda::DeviceInfo device)
    : resampler_(std::move(resampler)), device_(std::move(device)), slots_(resampler_.slots()) {}

Status CudaResampleStage::process(BlockWork& work, BufferPool& pool) {
  const Box& box = work.box;
  const DType dtype = resampler_.dtype();
  work.output_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
  work.output = ArrayView(work.output_buffer.bytes.get(), dtype, box.extent);
  // Suspends this task (not its thread) while every stream is busy.
  const SlotLease lease(slots_);
  ZF_RETURN_IF_ERROR(await_completion([&](CompletionSignal done) {
    return resampler_.enqueue(lease.slot(), work.input, work.input_box.origin, work.output, box,
                              std::move(done));
  }));
  return resampler_.finish(lease.slot());
}

BlockStage CudaResampleStage::block_stage(BufferPool& pool,
                                          std::function<Status(BlockWork&)> constant_blocks) {
  return {"resampling on the GPU", StageMode::kParallel,
          [this, &pool, constant = std::move(constant_blocks)](BlockWork& work) -> Status {
            if (work.all_fill) return ok_status();
            if (work.constant && constant) return constant(work);
            return process(work, pool);
          }};
}

BufferAllocator pinned_buffer_allocator() {
  return [](std::size_t size) {
    const std::size_t bytes = std::max<std::size_t>(size, 1);
    PooledBuffer buffer;
    buffer.capacity = size;
    auto pinned = cuda::allocate_pinned(bytes);
    if (pinned.ok()) {
      buffer.bytes =
          std::unique_ptr<std::byte[], BufferDeleter>(*pinned, BufferDeleter{&cuda::free_pinned});
    } else {
      buffer.bytes.reset(std::make_unique_for_overwrite<std::byte[]>(bytes).release());
    }
    return buffer;
  };
}

}  // namespace zoomflow
