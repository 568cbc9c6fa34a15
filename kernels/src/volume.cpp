#include "zoomflow/kernels/volume.hpp"

#include <cstring>
#include <new>
#include <string>

namespace zoomflow {

Result<Volume> Volume::allocate(DType dtype, const Shape& shape) {
  for (Index e : shape)
    if (e < 0)
      return make_error(ErrorCode::kInvalidArgument, "negative extent in " + to_string(shape));
  Volume volume;
  volume.dtype_ = dtype;
  volume.shape_ = shape;
  try {
    volume.bytes_ = std::make_unique_for_overwrite<std::byte[]>(volume.size_bytes());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory,
                      "cannot allocate " + std::to_string(volume.size_bytes()) +
                          " bytes for an array of shape " + to_string(shape));
  }
  return volume;
}

Result<Volume> Volume::zeros(DType dtype, const Shape& shape) {
  ZF_ASSIGN_OR_RETURN(Volume volume, allocate(dtype, shape));
  std::memset(volume.bytes_.get(), 0, volume.size_bytes());
  return volume;
}

}  // namespace zoomflow
