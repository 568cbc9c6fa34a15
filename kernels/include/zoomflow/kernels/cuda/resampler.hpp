// Resampling boxes on the GPU: upload the input box, run the order-0 or order-1 kernel, download
// the output box, on one of several CUDA streams. The bytes equal resample_box's on the CPU.
// No CUDA type appears here, so pipeline/ and tools/ compile with a plain C++ compiler.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::cuda {

// The largest box one call handles; every slot's device buffers are sized from it once, so the
// device memory in use is fixed when the resampler is created.
struct ResamplerCapacity {
  std::size_t input_bytes = 0;   // largest input box
  std::size_t output_bytes = 0;  // largest output box
  Shape output_extent;           // largest output box extent per axis (sizes the coordinate tables)
};

// A fixed number of slots, each a CUDA stream with its own device buffers. Work on different
// slots runs concurrently: the upload of one box, the kernel of another and the download of a
// third overlap. Calls on different slots may come from different threads at once; each slot
// takes one call at a time.
class CudaResampler {
 public:
  // Device bytes one slot takes for `capacity`.
  static std::size_t slot_device_bytes(const ResampleSpec& spec, DType dtype,
                                       const ResamplerCapacity& capacity);

  // Allocates `slots` streams and their device buffers on the first visible device. Fails with
  // kUnavailable when there is no usable GPU, kOutOfMemory when the buffers do not fit.
  static Result<CudaResampler> create(const ResampleSpec& spec, DType dtype,
                                      const ResamplerCapacity& capacity, int slots);

  CudaResampler(CudaResampler&&) noexcept;
  CudaResampler& operator=(CudaResampler&&) noexcept;
  ~CudaResampler();  // waits for every slot's queued work

  const ResampleSpec& spec() const;
  DType dtype() const;
  int slots() const;
  std::size_t device_bytes() const;  // all slots

  // Queues, on `slot`'s stream, the upload of `input` (the voxels of the input box at
  // `input_origin`, contiguous) and of the coordinate tables, the kernel, and the download into
  // `output` (the voxels of `output_box`, contiguous), then returns at once. Page-locked host
  // memory makes the copies asynchronous; ordinary memory works but serialises them. Both views
  // must stay valid until `done`.
  // On success `done` is called exactly once, from a CUDA driver thread, when the output has
  // landed or the stream failed; it must not call CUDA. Then call finish(slot) for the outcome.
  // On failure `done` is never called and nothing of this call is left queued.
  Status enqueue(int slot, ConstArrayView input, const IndexVector& input_origin, ArrayView output,
                 const Box& output_box, std::function<void()> done);

  // After `done`: the outcome of the slot's work (a launch or execution error, with a clear
  // message); the slot takes a new call afterwards.
  Status finish(int slot);

  // enqueue, wait, finish: the blocking form, for tests and tools.
  Status run(int slot, ConstArrayView input, const IndexVector& input_origin, ArrayView output,
             const Box& output_box);

 private:
  struct Impl;
  explicit CudaResampler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zoomflow::cuda
