#include "zoomflow/kernels/cuda/resampler.hpp"

#include <atomic>
#include <semaphore>
#include <string>
#include <utility>
#include <vector>

#include <cuda_runtime_api.h>

#include "cuda_error.hpp"
#include "cuda_handles.hpp"
#include "launch.hpp"
#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/cuda/pinned_buffer.hpp"
#include "zoomflow/kernels/resample_tables.hpp"

namespace zoomflow::cuda {
namespace {

// One stream and everything a box in flight on it needs.
struct Slot {
  detail::Stream stream;
  detail::DeviceMemory input;
  detail::DeviceMemory output;
  detail::DeviceMemory tables;
  PinnedBuffer table_staging;  // page-locked, so the table upload is asynchronous too
  std::function<void()> done;
  std::atomic<cudaError_t> outcome{cudaSuccess};  // the stream's status, as the callback saw it
  Box output_box;                                 // for messages
  bool busy = false;                              // between a successful enqueue and finish
};

// Runs on a CUDA driver thread once everything queued before it on the slot's stream is done
// (or the stream failed). It makes no CUDA call.
void CUDART_CB on_stream_done(cudaStream_t, cudaError_t status, void* user) {
  auto* slot = static_cast<Slot*>(user);
  slot->outcome.store(status, std::memory_order_release);
  // Moved out before the call: the waiter it wakes may reuse the slot, and its `done`, while
  // this thread is still returning.
  std::function<void()> done = std::exchange(slot->done, nullptr);
  if (done) done();
}

// After a failed enqueue: wait until nothing queued reads or writes the caller's buffers.
void drain(cudaStream_t stream) {
  (void)cudaStreamSynchronize(stream);
  (void)cudaGetLastError();
}

std::string order_name(Interpolation interpolation) {
  return interpolation == Interpolation::kLinear ? "order-1" : "order-0";
}

}  // namespace

struct CudaResampler::Impl {
  ResampleSpec spec;
  DType dtype = DType::kUInt8;
  int device = 0;
  std::size_t device_bytes = 0;
  // unique_ptr: the stream callbacks hold each slot's address.
  std::vector<std::unique_ptr<Slot>> slots;

  ~Impl() {
    // Queued copies, kernels and callbacks still use the slots; let them finish first.
    for (const auto& slot : slots)
      if (slot->stream) (void)cudaStreamSynchronize(slot->stream.get());
  }

  Status check_views(const ConstArrayView& input, const IndexVector& input_origin,
                     const ArrayView& output, const Box& output_box) const {
    if (input.dtype() != dtype || output.dtype() != dtype)
      return make_error(ErrorCode::kInvalidArgument,
                        "views of " + std::string(dtype_name(input.dtype())) + " and " +
                            std::string(dtype_name(output.dtype())) + " given to a resampler of " +
                            std::string(dtype_name(dtype)));
    if (input.rank() != spec.rank() || output.rank() != spec.rank() ||
        input_origin.rank() != spec.rank() || output_box.rank() != spec.rank())
      return make_error(ErrorCode::kInvalidArgument, "views, box and spec differ in rank");
    if (!input.is_contiguous() || !output.is_contiguous())
      return make_error(ErrorCode::kInvalidArgument,
                        "the CUDA backend takes contiguous input and output views");
    if (!(output.shape() == output_box.extent))
      return make_error(ErrorCode::kInvalidArgument,
                        "output view shape " + to_string(output.shape()) +
                            " differs from the output box " + to_string(output_box));
    return ok_status();
  }
};

std::size_t CudaResampler::slot_device_bytes(const ResampleSpec& spec, DType,
                                             const ResamplerCapacity& capacity) {
  return capacity.input_bytes + capacity.output_bytes +
         resample_table_layout(spec.interpolation, capacity.output_extent).total_bytes;
}

Result<CudaResampler> CudaResampler::create(const ResampleSpec& spec, DType dtype,
                                            const ResamplerCapacity& capacity, int slots) {
  ZF_RETURN_IF_ERROR(spec.validate_for(dtype));
  ZF_RETURN_IF_ERROR(check_table_spec(spec));
  if (slots < 1)
    return make_error(ErrorCode::kInvalidArgument, "a CUDA resampler needs at least one slot");
  if (capacity.output_extent.rank() != spec.rank())
    return make_error(ErrorCode::kInvalidArgument, "capacity output extent " +
                                                       to_string(capacity.output_extent) +
                                                       " differs in rank from the spec");
  const DeviceInfo device = query_device();
  if (!device.usable)
    return make_error(ErrorCode::kUnavailable, "no usable CUDA device: " + device.reason);

  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->dtype = dtype;
  impl->device = device.device;
  ZF_RETURN_IF_ERROR(detail::check_cuda(cudaSetDevice(impl->device), "selecting the CUDA device"));
  const std::size_t table_bytes =
      resample_table_layout(spec.interpolation, capacity.output_extent).total_bytes;
  for (int k = 0; k < slots; ++k) {
    auto slot = std::make_unique<Slot>();
    ZF_ASSIGN_OR_RETURN(slot->stream, detail::create_stream());
    ZF_ASSIGN_OR_RETURN(slot->input,
                        detail::DeviceMemory::allocate(capacity.input_bytes, "input boxes"));
    ZF_ASSIGN_OR_RETURN(slot->output,
                        detail::DeviceMemory::allocate(capacity.output_bytes, "output boxes"));
    ZF_ASSIGN_OR_RETURN(slot->tables,
                        detail::DeviceMemory::allocate(table_bytes, "coordinate tables"));
    ZF_ASSIGN_OR_RETURN(slot->table_staging, PinnedBuffer::allocate(table_bytes));
    impl->device_bytes += slot->input.size() + slot->output.size() + slot->tables.size();
    impl->slots.push_back(std::move(slot));
  }
  return CudaResampler(std::move(impl));
}

CudaResampler::CudaResampler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudaResampler::CudaResampler(CudaResampler&&) noexcept = default;
CudaResampler& CudaResampler::operator=(CudaResampler&&) noexcept = default;
CudaResampler::~CudaResampler() = default;

const ResampleSpec& CudaResampler::spec() const {
  return impl_->spec;
}
DType CudaResampler::dtype() const {
  return impl_->dtype;
}
int CudaResampler::slots() const {
  return int(impl_->slots.size());
}
std::size_t CudaResampler::device_bytes() const {
  return impl_->device_bytes;
}

Status CudaResampler::enqueue(int slot_index, ConstArrayView input, const IndexVector& input_origin,
                              ArrayView output, const Box& output_box, std::function<void()> done) {
  Impl& impl = *impl_;
  if (slot_index < 0 || slot_index >= slots())
    return make_error(ErrorCode::kInvalidArgument, "CUDA slot " + std::to_string(slot_index) +
                                                       " does not exist (" +
                                                       std::to_string(slots()) + " slots)");
  Slot& slot = *impl.slots[std::size_t(slot_index)];
  if (slot.busy)
    return make_error(ErrorCode::kInvalidArgument,
                      "CUDA slot " + std::to_string(slot_index) + " is busy until finish()");
  ZF_RETURN_IF_ERROR(impl.check_views(input, input_origin, output, output_box));
  const Box input_box{input_origin, input.shape()};
  // The slot is idle, so its table staging is free to overwrite.
  ZF_ASSIGN_OR_RETURN(const ResampleTableLayout layout,
                      write_resample_tables(impl.spec, impl.dtype, input_box, output_box,
                                            slot.table_staging.bytes()));
  const std::size_t element = dtype_size(impl.dtype);
  const std::size_t input_bytes = std::size_t(input.num_elements()) * element;
  const std::size_t output_bytes = std::size_t(output.num_elements()) * element;
  if (input_bytes > slot.input.size() || output_bytes > slot.output.size() ||
      layout.total_bytes > slot.tables.size())
    return make_error(ErrorCode::kInvalidArgument, "input box " + to_string(input_box) +
                                                       " or output box " + to_string(output_box) +
                                                       " exceeds the capacity the CUDA resampler " +
                                                       "was created with");
  ZF_RETURN_IF_ERROR(detail::check_cuda(cudaSetDevice(impl.device), "selecting the CUDA device"));

  const cudaStream_t stream = slot.stream.get();
  const std::string box_text = to_string(output_box);
  // Zero-byte copies (an empty box) are skipped rather than trusted with null pointers.
  auto copy = [&](void* to, const void* from, std::size_t bytes, cudaMemcpyKind kind,
                  const std::string& what) -> Status {
    if (bytes == 0) return ok_status();
    return detail::check_cuda(cudaMemcpyAsync(to, from, bytes, kind, stream), what);
  };
  auto queue = [&]() -> Status {
    ZF_RETURN_IF_ERROR(copy(slot.input.data(), input.data(), input_bytes, cudaMemcpyHostToDevice,
                            "uploading the input box " + to_string(input_box)));
    ZF_RETURN_IF_ERROR(copy(slot.tables.data(), slot.table_staging.data(), layout.total_bytes,
                            cudaMemcpyHostToDevice,
                            "uploading the coordinate tables of output box " + box_text));
    const detail::KernelArgs args =
        detail::make_kernel_args(impl.dtype, layout, input.shape(), output_box.extent,
                                 slot.tables.data(), slot.input.data(), slot.output.data());
    ZF_RETURN_IF_ERROR(detail::check_cuda(detail::launch_resample(args, stream),
                                          "launching the " + order_name(impl.spec.interpolation) +
                                              " kernel for output box " + box_text));
    ZF_RETURN_IF_ERROR(copy(output.data(), slot.output.data(), output_bytes, cudaMemcpyDeviceToHost,
                            "downloading the output box " + box_text));
    // Set before the callback is queued: it may run at once.
    slot.done = std::move(done);
    slot.outcome.store(cudaSuccess, std::memory_order_relaxed);
    slot.output_box = output_box;
    slot.busy = true;
    const cudaError_t added = cudaStreamAddCallback(stream, on_stream_done, &slot, 0);
    if (added != cudaSuccess) {
      slot.done = nullptr;
      slot.busy = false;
      return detail::cuda_error(added,
                                "queueing the completion callback of output box " + box_text);
    }
    return ok_status();
  };
  Status status = queue();
  if (!status.ok()) drain(stream);
  return status;
}

Status CudaResampler::finish(int slot_index) {
  if (slot_index < 0 || slot_index >= slots())
    return make_error(ErrorCode::kInvalidArgument,
                      "CUDA slot " + std::to_string(slot_index) + " does not exist");
  Slot& slot = *impl_->slots[std::size_t(slot_index)];
  if (!slot.busy)
    return make_error(ErrorCode::kInvalidArgument,
                      "CUDA slot " + std::to_string(slot_index) + " has no work to finish");
  slot.busy = false;
  const cudaError_t outcome = slot.outcome.load(std::memory_order_acquire);
  if (outcome != cudaSuccess)
    return detail::cuda_error(
        outcome, "the GPU failed while resampling output box " + to_string(slot.output_box));
  return ok_status();
}

Status CudaResampler::run(int slot, ConstArrayView input, const IndexVector& input_origin,
                          ArrayView output, const Box& output_box) {
  // Shared with the callback's closure, which may still be returning when we wake up.
  auto landed = std::make_shared<std::binary_semaphore>(0);
  ZF_RETURN_IF_ERROR(
      enqueue(slot, input, input_origin, output, output_box, [landed] { landed->release(); }));
  landed->acquire();
  return finish(slot);
}

}  // namespace zoomflow::cuda
