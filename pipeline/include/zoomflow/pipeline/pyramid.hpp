// A multiscale pyramid from one read of the input: level 0 is the input (copied into the
// output's format, chunks and compression), level k its direct reduction by the product of the
// factors up to k (downsample_levels.hpp: never a rounding of a rounded level), every level
// written in one streaming pass, in memory bounded by --memory-limit.
//
//   PyramidRequest request;
//   request.input = *storage::parse_dataset_path("ct.h5:/ct");
//   request.output = "ct.zarr";                          // an OME-Zarr image: ct.zarr/0, /1, ...
//   request.method = ReduceMethod::kMean;
//   request.factors = {{2, 2, 2}};                       // every level; or one per level
//   request.levels = 5;                                  // 0: until a level fits in one chunk
//   Result<PyramidReport> report = run_pyramid(request, RunOptions{});
//
// How it runs: the input is cut into units (pyramid_order.hpp), blocks of level 0 whose edges
// are multiples of the deepest level's total factors, so a unit maps to whole voxels of every
// level. The block graph reads each unit once, reduces it to every level at once, and drops
// each level's part into that level's open write units (chunks, or shards); a write unit is
// compressed and written as soon as its last part arrives. Units are visited depth first
// through the write units' footprints, so about one write unit per level is open at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zoomflow/kernels/downsample_levels.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/chain.hpp"

namespace zoomflow {

struct PyramidRequest {
  storage::DatasetPath input;
  // The container the pyramid is (a new one, or one --overwrite replaces): OUT.zarr (OME-Zarr:
  // levels /0, /1, ...), OUT.n5 (n5-viewer: /s0, /s1, ...), OUT.h5 (/0, /1, ...).
  std::string output;
  ReduceMethod method = ReduceMethod::kMean;
  // factors[k - 1] reduces level k - 1 to level k; one entry stands for every level. Each entry
  // holds one factor for every axis, or one per axis. Empty: 2 on every axis.
  std::vector<std::vector<Index>> factors;
  // Levels written, level 0 included (at least 2); 0: until a level fits in one chunk.
  int levels = 0;
  Shape chunk_shape;  // every level's; empty: 64 per axis (clipped to each level)
  storage::CompressionSpec compression;
  storage::StorageFormat format = storage::StorageFormat::kAuto;  // kAuto: from the suffix
  Shape shard_shape;                                              // Zarr v3 only
  bool overwrite = false;
};

struct PyramidReport {
  std::vector<Shape> level_shapes;  // level 0 first
  std::vector<Shape> total_factors;
  std::vector<std::string> level_paths;  // "OUT.zarr:/1"
  Shape unit_shape;                      // level-0 voxels read and reduced at once
  std::int64_t units = 0;
  std::int64_t constant_units = 0;  // reduced without running the kernel
  std::size_t units_in_flight = 0;
  int threads = 0;
  std::uint64_t planned_memory_bytes = 0;
  std::size_t most_open_write_units = 0;         // partly filled, all levels together, at once
  std::uint64_t most_open_write_unit_bytes = 0;  // their buffers
  std::uint64_t input_bytes_read = 0;  // decoded bytes asked of the input (its size, once)
  std::uint64_t output_bytes = 0;      // uncompressed, every level
  std::uint64_t bytes_written = 0;     // compressed
  double seconds = 0;
};

// The factors of each level below 0 for an input of `shape` written in chunks (or shards) of
// `write_unit`: `factors` as PyramidRequest takes them, `levels` as there (0: add levels until
// one fits in a single write unit, or nothing shrinks any more). An error names what is wrong.
Result<std::vector<Shape>> pyramid_level_factors(const Shape& shape, const Shape& write_unit,
                                                 const std::vector<std::vector<Index>>& factors,
                                                 int levels);

// Validates the request, opens the input, creates every level under temporary names, runs and
// commits them together; on any failure or interrupt nothing appears at the output's name.
Result<PyramidReport> run_pyramid(const PyramidRequest& request, const RunOptions& options);

}  // namespace zoomflow
