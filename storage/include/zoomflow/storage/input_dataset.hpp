// A dataset opened for reading: its description, and any box of it read into a view.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/dataset_path.hpp"

namespace zoomflow::storage {

struct FilterInfo {
  unsigned id = 0;
  std::string name;
  std::vector<unsigned> parameters;
};

struct AttributeInfo {
  std::string name;
  std::string value_text;  // printable form, for `zoomflow info`
};

struct DatasetInfo {
  DatasetPath path;
  Shape shape;
  DType dtype = DType::kUInt8;
  bool chunked = false;
  Shape chunk_shape;  // empty unless chunked
  std::vector<FilterInfo> filters;
  std::vector<AttributeInfo> attributes;
  std::uint64_t storage_bytes = 0;  // bytes on disk
};

struct InputOptions {
  // Decoded input chunks kept for reuse by neighbouring reads; 0 disables the cache.
  std::uint64_t chunk_cache_bytes = std::uint64_t(256) << 20;
};

class InputDataset {
 public:
  static Result<InputDataset> open(const DatasetPath& path, const InputOptions& options = {});

  InputDataset(InputDataset&&) noexcept;
  InputDataset& operator=(InputDataset&&) noexcept;
  ~InputDataset();

  const DatasetInfo& info() const;

  // Reads `box` (inside the dataset) into `out` (shape box.extent, dtype info().dtype).
  // Thread-safe: HDF5 is entered by one thread at a time, while chunks filtered by zstd,
  // deflate, shuffle or nothing are decoded in the calling thread, so many readers decode
  // at once. A corrupt chunk fails with a message naming the file, dataset and chunk.
  Status read_box(const Box& box, ArrayView out) const;

 private:
  struct State;
  explicit InputDataset(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zoomflow::storage
