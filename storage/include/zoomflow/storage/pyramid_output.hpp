// A multiscale pyramid being written: one new container holding one array per level, built under
// a hidden temporary name beside its place and moved there by commit(), with the metadata
// viewers read. Level k's voxel covers total_factors[k] voxels of level 0, so its voxel size is
// level 0's times those factors, and (except for stride, which keeps the first voxel of each
// block) its centre lies (factors - 1) / 2 level-0 voxels past level 0's first voxel centre.
//
//   Zarr v3 / v2: an OME-Zarr image at the store's root, levels "0", "1", ...; multiscales 0.5
//                 (zarr.json "ome") or 0.4 (.zattrs), a scale and a translation per level.
//   N5:           levels "s0", "s1", ... with downsamplingFactors and pixelResolution each (as
//                 n5-viewer and BigDataViewer read them); the root lists scales and
//                 downsamplingFactors and sets multiScale.
//   HDF5:         datasets /0, /1, ... with element_size_um each; the root holds the OME
//                 multiscales (0.4) as a JSON string attribute `multiscales`.
//
//   PyramidOutputOptions options{...};
//   auto pyramid = PyramidOutput::create("ct.zarr", options);
//   storage::OutputDataset& level = pyramid->level(1);   // encode_chunk / write_chunk as usual
//   Status s = pyramid->commit();                        // only now is ct.zarr there
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::storage {

struct PyramidOutputOptions {
  std::vector<Shape> level_shapes;   // level 0 first
  std::vector<Shape> total_factors;  // per level; level 0's are all 1
  bool centred = true;               // false for stride: no half-voxel translation
  DType dtype = DType::kUInt8;
  Shape chunk_shape;  // every level's (clipped to it); empty: 64 per axis
  CompressionSpec compression;
  StorageFormat format = StorageFormat::kAuto;  // kAuto: from the container's suffix
  Shape shard_shape;                            // Zarr v3 only
  bool overwrite = false;                       // replace an existing container of the format
  const InputDataset* copy_attributes_from = nullptr;  // attributes and voxel size
  std::map<std::string, std::string> provenance;
};

class PyramidOutput {
 public:
  static Result<PyramidOutput> create(const std::string& container,
                                      const PyramidOutputOptions& options);

  PyramidOutput(PyramidOutput&&) noexcept;
  PyramidOutput& operator=(PyramidOutput&&) noexcept;
  // Without commit(), removes the temporary container: nothing appears at its name.
  ~PyramidOutput();

  StorageFormat format() const;
  int levels() const;
  OutputDataset& level(int k);
  const OutputDataset& level(int k) const;
  // Where level k will be: "ct.zarr:/1", "ct.n5:/s1", "ct.h5:/1".
  std::string level_path(int k) const;

  // Commits every level, writes the multiscale metadata, and moves the container into place
  // (replacing the old one with `overwrite`).
  Status commit();

 private:
  struct State;
  explicit PyramidOutput(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zoomflow::storage
