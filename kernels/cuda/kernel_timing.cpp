#include "zoomflow/kernels/cuda/kernel_timing.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
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

// The best (shortest) of `repeats` runs of `work` on `stream`, timed by events around it.
Result<double> best_seconds(cudaStream_t stream, int repeats, const std::function<Status()>& work) {
  ZF_ASSIGN_OR_RETURN(detail::Event start, detail::create_event(true));
  ZF_ASSIGN_OR_RETURN(detail::Event stop, detail::create_event(true));
  double best = 1e300;
  for (int r = 0; r < std::max(repeats, 1); ++r) {
    ZF_RETURN_IF_ERROR(
        detail::check_cuda(cudaEventRecord(start.get(), stream), "recording a timing event"));
    ZF_RETURN_IF_ERROR(work());
    ZF_RETURN_IF_ERROR(
        detail::check_cuda(cudaEventRecord(stop.get(), stream), "recording a timing event"));
    ZF_RETURN_IF_ERROR(
        detail::check_cuda(cudaEventSynchronize(stop.get()), "waiting for the timed work"));
    float milliseconds = 0;
    ZF_RETURN_IF_ERROR(detail::check_cuda(
        cudaEventElapsedTime(&milliseconds, start.get(), stop.get()), "reading a timing event"));
    best = std::min(best, double(milliseconds) / 1e3);
  }
  return best;
}

}  // namespace

Result<KernelTiming> time_kernel(const ResampleSpec& spec, ConstArrayView input, int repeats,
                                 ArrayView* output) {
  const DType dtype = input.dtype();
  ZF_RETURN_IF_ERROR(spec.validate_for(dtype));
  if (!(input.shape() == spec.input_shape) || !input.is_contiguous())
    return make_error(ErrorCode::kInvalidArgument,
                      "time_kernel takes a contiguous input of the spec's input shape");
  if (output != nullptr && (!(output->shape() == spec.output_shape) || !output->is_contiguous() ||
                            output->dtype() != dtype))
    return make_error(ErrorCode::kInvalidArgument,
                      "time_kernel's output must be contiguous, of the spec's output shape");
  const DeviceInfo device = query_device();
  if (!device.usable)
    return make_error(ErrorCode::kUnavailable, "no usable CUDA device: " + device.reason);
  ZF_RETURN_IF_ERROR(detail::check_cuda(cudaSetDevice(device.device), "selecting the device"));

  KernelTiming timing;
  const std::size_t element = dtype_size(dtype);
  timing.input_bytes = std::uint64_t(num_elements(spec.input_shape)) * element;
  timing.output_bytes = std::uint64_t(num_elements(spec.output_shape)) * element;
  const Box input_box = Box::from_shape(spec.input_shape);
  const Box output_box = Box::from_shape(spec.output_shape);

  ZF_ASSIGN_OR_RETURN(detail::Stream stream, detail::create_stream());
  const cudaStream_t s = stream.get();
  ZF_ASSIGN_OR_RETURN(PinnedBuffer host_input, PinnedBuffer::allocate(timing.input_bytes));
  ZF_ASSIGN_OR_RETURN(PinnedBuffer host_output, PinnedBuffer::allocate(timing.output_bytes));
  std::memcpy(host_input.data(), input.data(), timing.input_bytes);
  const std::size_t table_bytes =
      resample_table_layout(spec.interpolation, spec.output_shape).total_bytes;
  ZF_ASSIGN_OR_RETURN(PinnedBuffer host_tables, PinnedBuffer::allocate(table_bytes));
  ZF_ASSIGN_OR_RETURN(
      const ResampleTableLayout layout,
      write_resample_tables(spec, dtype, input_box, output_box, host_tables.bytes()));
  ZF_ASSIGN_OR_RETURN(detail::DeviceMemory device_input,
                      detail::DeviceMemory::allocate(timing.input_bytes, "the benchmark input"));
  ZF_ASSIGN_OR_RETURN(detail::DeviceMemory device_output,
                      detail::DeviceMemory::allocate(timing.output_bytes, "the benchmark output"));
  ZF_ASSIGN_OR_RETURN(detail::DeviceMemory device_copy,
                      detail::DeviceMemory::allocate(timing.output_bytes, "the copy benchmark"));
  ZF_ASSIGN_OR_RETURN(detail::DeviceMemory device_tables,
                      detail::DeviceMemory::allocate(table_bytes, "coordinate tables"));

  ZF_ASSIGN_OR_RETURN(timing.h2d_seconds, best_seconds(s, repeats, [&] {
                        return detail::check_cuda(
                            cudaMemcpyAsync(device_input.data(), host_input.data(),
                                            timing.input_bytes, cudaMemcpyHostToDevice, s),
                            "uploading the benchmark input");
                      }));
  ZF_RETURN_IF_ERROR(detail::check_cuda(cudaMemcpyAsync(device_tables.data(), host_tables.data(),
                                                        table_bytes, cudaMemcpyHostToDevice, s),
                                        "uploading the coordinate tables"));
  const detail::KernelArgs args =
      detail::make_kernel_args(dtype, layout, spec.input_shape, spec.output_shape,
                               device_tables.data(), device_input.data(), device_output.data());
  // One untimed launch first: module loading and first-touch of the output are not the kernel.
  ZF_RETURN_IF_ERROR(detail::check_cuda(detail::launch_resample(args, s), "launching the kernel"));
  ZF_ASSIGN_OR_RETURN(timing.kernel_seconds, best_seconds(s, repeats, [&] {
                        return detail::check_cuda(detail::launch_resample(args, s),
                                                  "launching the kernel");
                      }));
  ZF_RETURN_IF_ERROR(
      detail::check_cuda(cudaMemcpyAsync(device_copy.data(), device_output.data(),
                                         timing.output_bytes, cudaMemcpyDeviceToDevice, s),
                         "warming up the device copy"));
  ZF_ASSIGN_OR_RETURN(timing.d2d_copy_seconds, best_seconds(s, repeats, [&] {
                        return detail::check_cuda(
                            cudaMemcpyAsync(device_copy.data(), device_output.data(),
                                            timing.output_bytes, cudaMemcpyDeviceToDevice, s),
                            "copying on the device");
                      }));
  ZF_ASSIGN_OR_RETURN(timing.d2h_seconds, best_seconds(s, repeats, [&] {
                        return detail::check_cuda(
                            cudaMemcpyAsync(host_output.data(), device_output.data(),
                                            timing.output_bytes, cudaMemcpyDeviceToHost, s),
                            "downloading the output");
                      }));
  ZF_RETURN_IF_ERROR(
      detail::check_cuda(cudaStreamSynchronize(s), "waiting for the benchmark stream"));
  if (output != nullptr) std::memcpy(output->data(), host_output.data(), timing.output_bytes);
  return timing;
}

}  // namespace zoomflow::cuda
