// Small HDF5 datasets for pipeline tests, written and read through the storage layer.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::testing {

// A folder under the system temp dir, removed with its contents at scope exit.
class TempFolder {
 public:
  TempFolder() {
    path_ = std::filesystem::temp_directory_path() /
            ("zoomflow-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int& counter() {
    static int value = 0;
    return value;
  }
  std::filesystem::path path_;
};

// Random values of the volume's dtype (bool 0/1; floats in [-1000, 1000]).
inline Volume random_volume(DType dtype, const Shape& shape, std::mt19937_64& rng) {
  Volume volume = Volume::allocate(dtype, shape).value();
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* data = reinterpret_cast<T*>(volume.bytes().data());
    for (Index i = 0; i < volume.num_elements(); ++i) {
      if (dtype == DType::kBool)
        data[i] = T(rng() % 2);
      else if constexpr (std::is_floating_point_v<T>)
        data[i] = T(std::uniform_real_distribution<double>(-1000, 1000)(rng));
      else
        data[i] = T(rng());
    }
  });
  return volume;
}

// Writes `volume` as a chunked dataset through the storage layer.
inline void write_volume(const storage::DatasetPath& path, const Volume& volume,
                         const Shape& chunks, storage::Codec codec = storage::Codec::kZstd) {
  storage::OutputOptions options;
  options.shape = volume.shape();
  options.dtype = volume.dtype();
  options.chunk_shape = chunks;
  options.compression.codec = codec;
  options.overwrite = true;
  auto output = storage::OutputDataset::create(path, options);
  REQUIRE_MESSAGE(output.ok(), output.error().message);
  const Shape& shape = volume.shape();
  const int rank = shape.rank();
  IndexVector counts = IndexVector::filled(rank, 0);
  for (int a = 0; a < rank; ++a) counts[a] = (shape[a] + chunks[a] - 1) / chunks[a];
  IndexVector position = IndexVector::filled(rank, 0);
  for (Index n = 0; n < num_elements(counts); ++n) {
    Box box{IndexVector::filled(rank, 0), chunks};
    for (int a = 0; a < rank; ++a) box.origin[a] = position[a] * chunks[a];
    box = intersect(box, Box::from_shape(shape));
    auto encoded = output->encode_chunk(box.origin, volume.view().subview(box));
    REQUIRE_MESSAGE(encoded.ok(), encoded.error().message);
    const Status written = output->write_chunk(*encoded);
    REQUIRE_MESSAGE(written.ok(), written.error().message);
    for (int a = rank - 1; a >= 0; --a) {
      if (++position[a] < counts[a]) break;
      position[a] = 0;
    }
  }
  const Status committed = output->commit();
  REQUIRE_MESSAGE(committed.ok(), committed.error().message);
}

inline Volume read_volume(const storage::DatasetPath& path) {
  auto input = storage::InputDataset::open(path);
  REQUIRE_MESSAGE(input.ok(), input.error().message);
  Volume volume = Volume::allocate(input->info().dtype, input->info().shape).value();
  const Status read = input->read_box(Box::from_shape(volume.shape()), volume.view());
  REQUIRE_MESSAGE(read.ok(), read.error().message);
  return volume;
}

inline bool same_bytes(const Volume& a, const Volume& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin());
}

}  // namespace zoomflow::testing
