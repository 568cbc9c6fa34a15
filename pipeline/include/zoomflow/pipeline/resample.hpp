// Resampling one dataset into another, out of core: a one-step chain (chain.hpp) with the
// request users give on the command line.
//
//   ResampleRequest request;
//   request.input = *storage::parse_dataset_path("ct.h5:/volume");
//   request.output = *storage::parse_dataset_path("ct_x2.h5:/volume");
//   request.zoom = {2.0};                    // every axis; or one per axis; or output_shape
//   request.interpolation = Interpolation::kLinear;
//   Result<RunReport> report = resample_dataset(request, RunOptions{});
//
// With `method` set, the run reduces by integer factors instead (a one-step chain of
// downsample_step): `factors`, or a zoom of 1/N on every axis.
#pragma once

#include <vector>

#include <optional>

#include "zoomflow/kernels/reduce_method.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/pipeline/chain.hpp"

namespace zoomflow {

struct ResampleRequest {
  storage::DatasetPath input;
  storage::DatasetPath output;
  std::vector<double> zoom;  // one, or one per axis; or empty, and output_shape given
  Shape output_shape;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;
  BoundaryMode mode = BoundaryMode::kNearest;
  double cval = 0.0;
  bool prefilter = true;
  bool antialias = false;  // interpolation only: see ResampleStepSpec::antialias
  // A reduction (mean, mode, median, min, max, stride) instead of an interpolation, by `factors`
  // (one, or one per axis) or by `zoom` when that is 1/N on every axis.
  std::optional<ReduceMethod> method;
  std::vector<Index> factors;
  Shape chunk_shape;  // empty: 64 per axis
  storage::CompressionSpec compression;
  bool overwrite = false;
  storage::StorageFormat format = storage::StorageFormat::kAuto;  // kAuto: from the suffix
  Shape shard_shape;    // Zarr v3: voxels per shard; empty: unsharded
  bool resume = false;  // as ChainRequest::resume
};

// The integer factors a zoom of 1/N per axis stands for; an error naming what would work
// otherwise (a reduction only shrinks, by whole factors).
Result<std::vector<Index>> factors_from_zoom(const std::vector<double>& zoom);

// Validates the request, opens the input, creates the output under a temporary name, runs,
// and commits; on any failure or interrupt nothing appears at the output's name.
Result<RunReport> resample_dataset(const ResampleRequest& request, const RunOptions& options);

// Streams `source` into `sink` (shape spec.output_shape, the source's dtype); the caller commits.
Result<RunReport> resample(const storage::InputDataset& source, storage::OutputDataset& sink,
                           const ResampleSpec& spec, const RunOptions& options);

}  // namespace zoomflow
