// What the host side of the CUDA backend does on any machine: the device query never fails and
// explains a missing GPU; without one, every GPU entry point refuses with that reason and the
// backend choice falls back (auto) or fails clearly (cuda). On a machine with a usable GPU the
// same cases check the other branch.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/cuda/pinned_buffer.hpp"
#include "zoomflow/kernels/cuda/resampler.hpp"
#include "zoomflow/pipeline/backend.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/pipeline/cuda_resample_stage.hpp"
#include "zoomflow/version.hpp"

using namespace zoomflow;

TEST_CASE("the device query answers without failing, and says why there is no GPU") {
  CHECK(cuda::compiled_in() == bool(ZOOMFLOW_HAS_CUDA));
  const cuda::DeviceInfo info = cuda::query_device();
  const std::string text = cuda::describe(info);
  MESSAGE("device query: " << text);
  if (info.usable) {
    CHECK(info.device_count >= 1);
    CHECK_FALSE(info.name.empty());
    CHECK(info.total_bytes > 0);
    CHECK(text.find(info.name) != std::string::npos);
  } else {
    CHECK_FALSE(info.reason.empty());
    CHECK(text.find("no usable GPU") != std::string::npos);
    CHECK(text.find(info.reason) != std::string::npos);
    if (!cuda::compiled_in()) CHECK(info.reason.find("no CUDA backend") != std::string::npos);
  }
  // Asking twice gives the same answer (no state is left behind by a failed query).
  CHECK(cuda::query_device().usable == info.usable);
}

TEST_CASE("without a usable GPU the resampler and the stage refuse with the reason") {
  const cuda::DeviceInfo info = cuda::query_device();
  if (info.usable) return;  // the GPU tests cover this machine
  const ResampleSpec spec{{8, 8}, {16, 16}, Interpolation::kNearest, Grid::kCenters};
  const cuda::ResamplerCapacity capacity{64, 256, Shape{16, 16}};
  const auto resampler = cuda::CudaResampler::create(spec, DType::kUInt8, capacity, 2);
  REQUIRE_FALSE(resampler.ok());
  CHECK(resampler.error().code == ErrorCode::kUnavailable);
  CHECK(resampler.error().message.find(info.reason) != std::string::npos);

  const auto stage =
      CudaResampleStage::create(spec, DType::kUInt8, BlockGrid(Shape{16, 16}, Shape{8, 8}), {});
  REQUIRE_FALSE(stage.ok());
  CHECK(stage.error().code == ErrorCode::kUnavailable);
  CHECK(stage.error().message.find("no usable CUDA device") != std::string::npos);
}

TEST_CASE("the backend choice: cpu never asks CUDA, auto falls back with a note, cuda fails") {
  const auto cpu = choose_backend(Backend::kCpu);
  REQUIRE(cpu.ok());
  CHECK(cpu->backend == Backend::kCpu);
  CHECK(cpu->note.empty());

  const cuda::DeviceInfo info = cuda::query_device();
  const auto automatic = choose_backend(Backend::kAuto);
  REQUIRE(automatic.ok());
  const auto forced = choose_backend(Backend::kCuda);
  if (info.usable) {
    CHECK(automatic->backend == Backend::kCuda);
    CHECK(automatic->note.empty());
    REQUIRE(forced.ok());
    CHECK(forced->backend == Backend::kCuda);
  } else {
    CHECK(automatic->backend == Backend::kCpu);
    CHECK(automatic->note.find("no usable CUDA device") != std::string::npos);
    CHECK(automatic->note.find("resampling on the CPU") != std::string::npos);
    REQUIRE_FALSE(forced.ok());
    CHECK(forced.error().code == ErrorCode::kUnavailable);
    CHECK(forced.error().message.find("--backend cuda") != std::string::npos);
    CHECK(forced.error().message.find(info.reason) != std::string::npos);
    MESSAGE("--backend cuda here: " << forced.error().message);
  }
  CHECK(backend_name(Backend::kAuto) == "auto");
  CHECK(backend_name(Backend::kCuda) == "cuda");
}

TEST_CASE("page-locked buffers: allocated where a GPU is usable, ordinary memory otherwise") {
  const cuda::DeviceInfo info = cuda::query_device();
  auto pinned = cuda::PinnedBuffer::allocate(1 << 16);
  if (info.usable) {
    REQUIRE(pinned.ok());
    CHECK(pinned->size() == std::size_t(1) << 16);
    std::memset(pinned->data(), 7, pinned->size());
    cuda::PinnedBuffer moved = std::move(*pinned);
    CHECK(moved.data() != nullptr);
    CHECK(pinned->data() == nullptr);
  } else {
    REQUIRE_FALSE(pinned.ok());
    CHECK_FALSE(pinned.error().message.empty());
  }
  // The pool allocator falls back to ordinary memory, so buffers always work.
  BufferPool pool(pinned_buffer_allocator());
  PooledBuffer buffer = pool.acquire(1000);
  REQUIRE(buffer.bytes);
  CHECK(buffer.capacity >= 1000);
  std::memset(buffer.bytes.get(), 1, 1000);
  pool.release(std::move(buffer));
  PooledBuffer again = pool.acquire(500);
  CHECK(again.capacity >= 1000);  // the same buffer, reused
}
