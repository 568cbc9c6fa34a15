// The CUDA backend's host API in a build without nvcc: every entry point says so, so the layers
// above compile and decide at run time, without #if. (Built instead of kernels/cuda/.)
#include <cstdio>

#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/cuda/kernel_timing.hpp"
#include "zoomflow/kernels/cuda/pinned_buffer.hpp"
#include "zoomflow/kernels/cuda/resampler.hpp"

namespace zoomflow::cuda {
namespace {

constexpr const char* kNotCompiledIn =
    "this build of zoomflow has no CUDA backend (nvcc was not found, or ZOOMFLOW_ENABLE_CUDA was "
    "OFF, when it was configured)";

Error not_compiled_in() {
  return make_error(ErrorCode::kUnavailable, kNotCompiledIn);
}

}  // namespace

bool compiled_in() {
  return false;
}

DeviceInfo query_device() {
  DeviceInfo info;
  info.reason = kNotCompiledIn;
  return info;
}

std::string describe(const DeviceInfo& info) {
  return "no usable GPU: " + info.reason;
}

Result<std::byte*> allocate_pinned(std::size_t) {
  return not_compiled_in();
}
void free_pinned(std::byte*) noexcept {}

Result<PinnedBuffer> PinnedBuffer::allocate(std::size_t) {
  return not_compiled_in();
}
PinnedBuffer::PinnedBuffer(PinnedBuffer&&) noexcept = default;
PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&&) noexcept = default;
PinnedBuffer::~PinnedBuffer() = default;

struct CudaResampler::Impl {
  ResampleSpec spec;
};

std::size_t CudaResampler::slot_device_bytes(const ResampleSpec&, DType, const ResamplerCapacity&) {
  return 0;
}
Result<CudaResampler> CudaResampler::create(const ResampleSpec&, DType, const ResamplerCapacity&,
                                            int) {
  return not_compiled_in();
}
CudaResampler::CudaResampler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CudaResampler::CudaResampler(CudaResampler&&) noexcept = default;
CudaResampler& CudaResampler::operator=(CudaResampler&&) noexcept = default;
CudaResampler::~CudaResampler() = default;
// No CudaResampler object can exist in this build; these only satisfy the linker.
const ResampleSpec& CudaResampler::spec() const {
  return impl_->spec;
}
DType CudaResampler::dtype() const {
  return DType::kUInt8;
}
int CudaResampler::slots() const {
  return 0;
}
std::size_t CudaResampler::device_bytes() const {
  return 0;
}
Status CudaResampler::enqueue(int, ConstArrayView, const IndexVector&, ArrayView, const Box&,
                              std::function<void()>) {
  return not_compiled_in();
}
Status CudaResampler::finish(int) {
  return not_compiled_in();
}
Status CudaResampler::run(int, ConstArrayView, const IndexVector&, ArrayView, const Box&) {
  return not_compiled_in();
}

Result<KernelTiming> time_kernel(const ResampleSpec&, ConstArrayView, int, ArrayView*) {
  return not_compiled_in();
}

}  // namespace zoomflow::cuda
