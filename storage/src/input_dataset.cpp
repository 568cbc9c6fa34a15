#include "zoomflow/storage/input_dataset.hpp"

#include "driver.hpp"

namespace zoomflow::storage {

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

}  // namespace zoomflow::storage
