#include "zoomflow/storage/input_dataset.hpp"

#include <cmath>
#include <cstdio>

#include "driver.hpp"

namespace zoomflow::storage {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t(1) << 20;
// The pipeline's rule (pipeline/src/memory_budget.cpp): the cache gets a quarter of
// --memory-limit, at most 256 MiB. Quoted here only to name a limit that works.
constexpr std::uint64_t kCacheShareOfLimit = 4;
constexpr std::uint64_t kLargestCache = 256 * kMiB;

// Rounded up, so that a limit it names is enough: "96 KiB", "5 MiB", "1.3 GiB".
std::string size_text(std::uint64_t bytes) {
  char text[32];
  if (bytes < kMiB)
    std::snprintf(text, sizeof text, "%.0f KiB", std::ceil(double(bytes) / 1024.0));
  else if (bytes < 1024 * kMiB)
    std::snprintf(text, sizeof text, "%.0f MiB", std::ceil(double(bytes) / double(kMiB)));
  else
    std::snprintf(text, sizeof text, "%.1f GiB",
                  std::ceil(double(bytes) / double(kMiB) / 102.4) / 10.0);
  return text;
}

// A chunk is decoded whole: one larger than the caller allows is refused now rather than read
// past its memory limit.
Status check_chunk_fits(const DatasetInfo& info, const InputOptions& options) {
  if (!info.chunked || options.max_chunk_bytes == 0) return ok_status();
  const std::uint64_t bytes =
      std::uint64_t(num_elements(info.chunk_shape)) * dtype_size(info.dtype);
  if (bytes <= options.max_chunk_bytes) return ok_status();
  std::string message = info.path.to_string() + ": one chunk " + to_string(info.chunk_shape) +
                        " of " + std::string(dtype_name(info.dtype)) + " decodes to " +
                        size_text(bytes) + ", more than the " + size_text(options.max_chunk_bytes) +
                        " this run may hold in decoded input chunks; ";
  if (bytes <= kLargestCache)
    message += "give --memory-limit " + size_text(bytes * kCacheShareOfLimit) +
               " or more (a quarter of it holds input chunks)";
  else
    message += "no run holds more than " + size_text(kLargestCache) +
               "; rewrite the input with smaller chunks (h5repack -l, zarr, TensorStore)";
  return make_error(ErrorCode::kInvalidArgument, message);
}

}  // namespace

struct InputDataset::State {
  std::unique_ptr<InputDriver> driver;
};

Result<InputDataset> InputDataset::open(const DatasetPath& path, const InputOptions& options) {
  ZF_ASSIGN_OR_RETURN(const StorageFormat format, detect_storage_format(path.file, path.dataset));
  auto state = std::make_unique<State>();
  switch (format) {
    case StorageFormat::kZarr2:
    case StorageFormat::kZarr3: {
      ZF_ASSIGN_OR_RETURN(state->driver, open_zarr_input(path, options));
      break;
    }
    case StorageFormat::kN5: {
      ZF_ASSIGN_OR_RETURN(state->driver, open_n5_input(path, options));
      break;
    }
    case StorageFormat::kAuto:
    case StorageFormat::kHdf5: {
      ZF_ASSIGN_OR_RETURN(state->driver, open_hdf5_input(path, options));
      break;
    }
  }
  ZF_RETURN_IF_ERROR(check_chunk_fits(state->driver->info(), options));
  return InputDataset(std::move(state));
}

InputDataset::InputDataset(std::unique_ptr<State> state) : state_(std::move(state)) {}
InputDataset::InputDataset(InputDataset&&) noexcept = default;
InputDataset& InputDataset::operator=(InputDataset&&) noexcept = default;
InputDataset::~InputDataset() = default;

const DatasetInfo& InputDataset::info() const {
  return state_->driver->info();
}

Status InputDataset::read_box(const Box& box, ArrayView out) const {
  const DatasetInfo& info = state_->driver->info();
  const std::string where = info.path.to_string();
  if (box.rank() != info.shape.rank() || !Box::from_shape(info.shape).contains(box))
    return make_error(
        ErrorCode::kInvalidArgument,
        "box " + to_string(box) + " is outside " + where + " of shape " + to_string(info.shape));
  if (out.dtype() != info.dtype || !(out.shape() == box.extent))
    return make_error(ErrorCode::kInvalidArgument,
                      "reading " + to_string(box) + " of " + where + " needs a " +
                          std::string(dtype_name(info.dtype)) + " view of shape " +
                          to_string(box.extent) + ", got " + std::string(dtype_name(out.dtype())) +
                          " " + to_string(out.shape()));
  if (box.empty()) return ok_status();
  return state_->driver->read_box(box, out);
}

Result<bool> InputDataset::is_unwritten(const Box& box) const {
  const DatasetInfo& info = state_->driver->info();
  if (box.rank() != info.shape.rank() || !Box::from_shape(info.shape).contains(box))
    return make_error(ErrorCode::kInvalidArgument, "box " + to_string(box) + " is outside " +
                                                       info.path.to_string() + " of shape " +
                                                       to_string(info.shape));
  if (box.empty()) return true;
  return state_->driver->is_unwritten(box);
}

std::span<const std::byte> InputDataset::fill_value() const {
  return state_->driver->fill_value();
}

std::optional<std::uint64_t> InputDataset::chunks_decoded() const {
  return state_->driver->chunks_decoded();
}

}  // namespace zoomflow::storage
