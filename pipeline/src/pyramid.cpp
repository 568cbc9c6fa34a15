#include "zoomflow/pipeline/pyramid.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <string>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <tbb/enumerable_thread_specific.h>

#include "downsample_constant.hpp"
#include "pyramid_assembly.hpp"
#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/downsample.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"
#include "zoomflow/pipeline/pyramid_order.hpp"
#include "zoomflow/storage/pyramid_output.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMostLevels = 40;
// Units of about this much input at least (when the factors let them grow): each costs a read
// call, a kernel call and a pass through the graph.
constexpr std::uint64_t kUnitTargetBytes = std::uint64_t(1) << 20;

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

Index ceil_div(Index a, Index b) {
  return (a + b - 1) / b;
}

bool is_power_of_two(Index v) {
  return v > 0 && (v & (v - 1)) == 0;
}

// Level k's voxels that a unit of level 0 reduces to: its box divided by the total factors (the
// unit starts on a multiple of them; its end, when the volume's end, rounds up).
Box level_box(const Box& unit, const Shape& total, const Shape& level_shape) {
  Box box = unit;
  for (int a = 0; a < unit.rank(); ++a) {
    box.origin[a] = unit.origin[a] / total[a];
    box.extent[a] = std::min(ceil_div(unit.end(a), total[a]), level_shape[a]) - box.origin[a];
  }
  return box;
}

// The unit: per axis the least common multiple of the chunk and the deepest level's factor, so
// that units nest with every level's write units (the footprints the traversal follows); where
// that would be over 4x the larger of the two, the factor rounded up past the chunk instead
// (units then straddle write units, which only costs more of them open at once). Grown by
// doubling along axes whose factors are powers of two until about kUnitTargetBytes.
Shape choose_unit(const Shape& shape, const Shape& chunk, const DownsampleLevels& levels,
                  std::size_t element) {
  const int rank = shape.rank();
  const Shape deepest = levels.total_factors(levels.levels());
  Shape unit = chunk;
  for (int a = 0; a < rank; ++a) {
    const Index c = std::max<Index>(chunk[a], 1), f = deepest[a];
    const Index lcm = std::lcm(c, f);
    unit[a] = lcm <= 4 * std::max(c, f) ? lcm : ceil_div(c, f) * f;
  }
  const auto doubles = [&](int a) {
    for (const Shape& f : levels.factors)
      if (!is_power_of_two(f[a])) return false;
    return unit[a] < shape[a];
  };
  for (bool grew = true; grew;) {
    grew = false;
    for (int a = rank - 1; a >= 0; --a) {
      if (std::uint64_t(num_elements(unit)) * element >= kUnitTargetBytes) return unit;
      if (!doubles(a)) continue;
      unit[a] *= 2;
      grew = true;
    }
  }
  return unit;
}

// Write units of `write_unit` that a box of `extent` starting on a multiple of it, or anywhere,
// meets along one axis at most.
Index units_met(Index extent, Index write_unit, bool nested) {
  const Index whole = ceil_div(extent, write_unit);
  return nested ? whole : whole + 1;
}

struct LevelGeometry {
  Shape shape;
  Shape total_factors;
  Shape write_unit;  // clipped to the level
};

// One unit on its way from the input to the files.
struct PyramidWork {
  std::size_t sequence = 0;
  Box box;  // the unit, in level-0 voxels
  bool constant = false;
  struct Ready {
    int level = 0;
    detail::WriteUnitAssembly::Completed unit;
  };
  std::vector<Ready> ready;  // write units this unit completed
  std::vector<std::pair<int, storage::EncodedChunk>> encoded;
};

// One thread's buffers: the unit's input and every level's part (`buffers`), the kernel's
// scratch (`scratch`).
struct Worker {
  Workspace buffers;
  Workspace scratch;
};

struct PyramidRun {
  const storage::InputDataset& source;
  storage::PyramidOutput& sinks;
  const DownsampleLevels& levels;
  const std::vector<LevelGeometry>& geometry;
  std::vector<std::unique_ptr<detail::WriteUnitAssembly>>& assemblies;
  const CancelToken& cancel;
  tbb::enumerable_thread_specific<Worker>& workers;
  std::atomic<std::uint64_t>& bytes_read;

  // Reads the unit, reduces it to every level, drops each level's part into its write units.
  Status compute(PyramidWork& work) const {
    if (cancel.requested()) return cancel.error();
    Worker& worker = workers.local();
    const DType dtype = source.info().dtype;
    const std::size_t element = dtype_size(dtype);
    const int count = levels.levels();
    const Box& unit = work.box;
    std::span<std::byte> input_bytes =
        worker.buffers.buffer<std::byte>(0, std::size_t(unit.num_elements()) * element);
    const ArrayView input(input_bytes.data(), dtype, unit.extent);
    ZF_RETURN_IF_ERROR(source.read_box(unit, input));
    bytes_read += std::uint64_t(unit.num_elements()) * element;

    std::vector<Box> boxes;
    std::size_t level_bytes = 0;
    for (int k = 1; k <= count; ++k) {
      boxes.push_back(
          level_box(unit, geometry[std::size_t(k)].total_factors, geometry[std::size_t(k)].shape));
      level_bytes += std::size_t(boxes.back().num_elements()) * element;
    }
    std::vector<detail::WriteUnitAssembly::Completed> completed;
    const auto take = [&](int level) {
      for (auto& c : completed) work.ready.push_back({level, std::move(c)});
      completed.clear();
    };

    // A unit of one value: every level's value from the kernel's rules, where they give one.
    if (all_same_bytes(input)) {
      const Scalar value = Scalar::first_of(input);
      std::vector<Scalar> constants;
      for (int k = 1; k <= count; ++k) {
        auto c = detail::downsample_constant(levels.direct(k), value, boxes[std::size_t(k - 1)]);
        if (!c) break;
        constants.push_back(*c);
      }
      if (int(constants.size()) == count) {
        work.constant = true;
        ZF_RETURN_IF_ERROR(assemblies[0]->deposit_constant(unit, value, completed));
        take(0);
        for (int k = 1; k <= count; ++k) {
          ZF_RETURN_IF_ERROR(assemblies[std::size_t(k)]->deposit_constant(
              boxes[std::size_t(k - 1)], constants[std::size_t(k - 1)], completed));
          take(k);
        }
        return ok_status();
      }
    }

    std::span<std::byte> parts_bytes = worker.buffers.buffer<std::byte>(1, level_bytes);
    std::vector<ArrayView> outputs;
    std::size_t offset = 0;
    for (const Box& box : boxes) {
      outputs.emplace_back(parts_bytes.data() + offset, dtype, box.extent);
      offset += std::size_t(box.num_elements()) * element;
    }
    ZF_RETURN_IF_ERROR(
        downsample_levels(levels, input, unit.origin, outputs, boxes, worker.scratch));
    if (cancel.requested()) return cancel.error();
    ZF_RETURN_IF_ERROR(assemblies[0]->deposit(unit, input, completed));
    take(0);
    for (int k = 1; k <= count; ++k) {
      ZF_RETURN_IF_ERROR(assemblies[std::size_t(k)]->deposit(
          boxes[std::size_t(k - 1)], outputs[std::size_t(k - 1)], completed));
      take(k);
    }
    return ok_status();
  }

  // Compresses the write units the unit completed (fill units are dropped).
  Status encode(PyramidWork& work, BufferPool& pool) const {
    for (PyramidWork::Ready& ready : work.ready) {
      if (!ready.unit.buffer.bytes) continue;  // all zero: the fill value
      const storage::OutputDataset& sink = sinks.level(ready.level);
      ZF_ASSIGN_OR_RETURN(storage::EncodedChunk encoded,
                          sink.encode_chunk(ready.unit.box.origin, ready.unit.values));
      pool.release(std::move(ready.unit.buffer));
      if (!encoded.is_fill()) work.encoded.emplace_back(ready.level, std::move(encoded));
    }
    work.ready.clear();
    return ok_status();
  }

  Status write(PyramidWork& work) const {
    for (const auto& [level, chunk] : work.encoded)
      ZF_RETURN_IF_ERROR(sinks.level(level).write_chunk(chunk));
    return ok_status();
  }
};

}  // namespace

Result<std::vector<Shape>> pyramid_level_factors(const Shape& shape, const Shape& write_unit,
                                                 const std::vector<std::vector<Index>>& factors,
                                                 int levels) {
  const int rank = shape.rank();
  std::vector<Shape> given;
  for (const std::vector<Index>& entry : factors) {
    if (entry.size() != 1 && entry.size() != std::size_t(rank))
      return invalid(
          fmt::format("--factors {}: give one factor for every axis or one per axis "
                      "({}), for each level",
                      fmt::join(entry, ","), rank));
    Shape f;
    for (int a = 0; a < rank; ++a) {
      const Index v = entry.size() == 1 ? entry[0] : entry[std::size_t(a)];
      if (v < 1) return invalid("--factors must be integers from 1");
      f.push_back(v);
    }
    given.push_back(f);
  }
  if (given.empty()) given.push_back(Shape::filled(rank, 2));
  if (levels == 1 || levels < 0 || levels > kMostLevels)
    return invalid(
        fmt::format("--levels {}: a pyramid has 2 to {} levels, level 0 (the input) "
                    "included",
                    levels, kMostLevels));
  if (levels > 0) {
    if (given.size() == 1) return std::vector<Shape>(std::size_t(levels - 1), given[0]);
    if (given.size() != std::size_t(levels - 1))
      return invalid(
          fmt::format("--levels {} takes {} sets of --factors (one per level below "
                      "0), or one for every level; got {}",
                      levels, levels - 1, given.size()));
    return given;
  }
  if (given.size() > 1) return given;
  // Until a level fits in one write unit along every axis the factors reduce, or they shrink
  // nothing any more.
  std::vector<Shape> result;
  Shape current = shape;
  const auto fits = [&](const Shape& s) {
    for (int a = 0; a < rank; ++a)
      if (given[0][a] > 1 && s[a] > write_unit[a]) return false;
    return true;
  };
  while (!fits(current) && int(result.size()) + 1 < kMostLevels) {
    const Shape next = downsampled_shape(current, given[0]);
    if (next == current) break;
    result.push_back(given[0]);
    current = next;
  }
  if (result.empty())
    return invalid("the input " + to_string(shape) + " fits in one chunk of " +
                   to_string(write_unit) +
                   " already (or the factors shrink nothing): give --levels N for a pyramid");
  return result;
}

Result<PyramidReport> run_pyramid(const PyramidRequest& request, const RunOptions& options) {
  const auto start = Clock::now();
  if (request.output.find(":/") != std::string::npos)
    return invalid("a pyramid is a whole container: name OUT.zarr, OUT.n5 or OUT.h5, not " +
                   request.output);
  const std::uint64_t cache = chunk_cache_bytes(options.memory_limit);
  ZF_ASSIGN_OR_RETURN(storage::InputDataset source,
                      storage::InputDataset::open(request.input, {.chunk_cache_bytes = cache}));
  const storage::DatasetInfo& info = source.info();
  const int rank = info.shape.rank();
  const std::size_t element = dtype_size(info.dtype);

  // Chunks and write units (shards, when sharded) of every level.
  Shape chunk = request.chunk_shape.rank() ? request.chunk_shape : Shape::filled(rank, 64);
  if (chunk.rank() != rank)
    return invalid("--chunks " + to_string(chunk) + " has rank " + std::to_string(chunk.rank()) +
                   " but the input has rank " + std::to_string(rank));
  for (Index c : chunk)
    if (c < 1) return invalid("--chunks " + to_string(chunk) + " must be positive");
  const Shape write_unit = request.shard_shape.rank() ? request.shard_shape : chunk;
  ZF_ASSIGN_OR_RETURN(
      std::vector<Shape> factors,
      pyramid_level_factors(info.shape, write_unit, request.factors, request.levels));
  const DownsampleLevels levels{info.shape, factors, request.method};
  ZF_RETURN_IF_ERROR(levels.validate_for(info.dtype));

  std::vector<LevelGeometry> geometry;
  for (int k = 0; k <= levels.levels(); ++k) {
    LevelGeometry g;
    g.total_factors = levels.total_factors(k);
    g.shape = k == 0 ? info.shape : levels.direct(k).output_shape();
    g.write_unit = write_unit;
    for (int a = 0; a < rank; ++a) g.write_unit[a] = std::min(g.write_unit[a], g.shape[a]);
    geometry.push_back(g);
  }

  // The units, their order, and the memory they take.
  Shape unit_chunk = chunk;
  for (int a = 0; a < rank; ++a) unit_chunk[a] = std::min(unit_chunk[a], info.shape[a]);
  const Shape unit_shape = choose_unit(info.shape, unit_chunk, levels, element);
  std::vector<Shape> footprints;
  for (const LevelGeometry& g : geometry) {
    Shape f = g.write_unit;
    for (int a = 0; a < rank; ++a) f[a] *= g.total_factors[a];
    footprints.push_back(f);
  }
  const PyramidOrder order(info.shape, unit_shape, footprints);
  const Box interior{IndexVector::filled(rank, 0), unit_shape};
  std::vector<Box> interior_boxes;
  std::uint64_t parts_bytes = 0, unit_write_bytes = 0, open_write_bytes = 0;
  for (int k = 0; k <= levels.levels(); ++k) {
    const LevelGeometry& g = geometry[std::size_t(k)];
    const Box box = level_box(interior, g.total_factors, g.shape);
    if (k > 0) {
      interior_boxes.push_back(box);
      parts_bytes += std::uint64_t(box.num_elements()) * element;
    }
    std::uint64_t met = 1;
    for (int a = 0; a < rank; ++a) {
      const bool nested =
          box.extent[a] % g.write_unit[a] == 0 || g.write_unit[a] % box.extent[a] == 0;
      met *= std::uint64_t(std::min(units_met(box.extent[a], g.write_unit[a], nested),
                                    ceil_div(g.shape[a], g.write_unit[a])));
    }
    const std::uint64_t bytes = std::uint64_t(num_elements(g.write_unit)) * element;
    unit_write_bytes += met * bytes;
    open_write_bytes += met * bytes;
  }
  PyramidMemoryRequest memory;
  memory.memory_limit = options.memory_limit;
  memory.threads = resolve_threads(options.threads);
  memory.unit_shape = unit_shape;
  memory.thread_bytes = std::uint64_t(num_elements(unit_shape)) * element + parts_bytes +
                        downsample_levels_scratch_bytes(levels, info.dtype, interior_boxes);
  memory.unit_write_bytes = unit_write_bytes;
  memory.open_write_bytes = open_write_bytes;
  ZF_ASSIGN_OR_RETURN(const MemoryPlan memory_plan, plan_pyramid_memory(memory));

  storage::PyramidOutputOptions output;
  for (const LevelGeometry& g : geometry) {
    output.level_shapes.push_back(g.shape);
    output.total_factors.push_back(g.total_factors);
  }
  output.centred = request.method != ReduceMethod::kStride;
  output.dtype = info.dtype;
  output.chunk_shape = chunk;
  output.compression = request.compression;
  output.format = request.format;
  output.shard_shape = request.shard_shape;
  output.overwrite = request.overwrite;
  output.copy_attributes_from = &source;
  std::string factor_text;
  for (const Shape& f : factors) factor_text += (factor_text.empty() ? "" : ":") + to_string(f);
  output.provenance = {
      {"zoomflow_version", ZOOMFLOW_VERSION},
      {"zoomflow_source", request.input.to_string()},
      {"zoomflow_pyramid",
       fmt::format("method={},factors={}", reduce_method_name(request.method), factor_text)}};
  ZF_ASSIGN_OR_RETURN(storage::PyramidOutput sinks,
                      storage::PyramidOutput::create(request.output, output));

  PyramidReport report;
  report.threads = memory.threads;
  report.unit_shape = unit_shape;
  report.units = order.count();
  report.units_in_flight = memory_plan.blocks_in_flight;
  report.planned_memory_bytes = memory_plan.planned_bytes(report.threads);
  for (int k = 0; k <= levels.levels(); ++k) {
    report.level_shapes.push_back(geometry[std::size_t(k)].shape);
    report.total_factors.push_back(geometry[std::size_t(k)].total_factors);
    report.level_paths.push_back(sinks.level_path(k));
    report.output_bytes += std::uint64_t(num_elements(geometry[std::size_t(k)].shape)) * element;
  }

  BufferPool pool;
  std::vector<std::unique_ptr<detail::WriteUnitAssembly>> assemblies;
  for (int k = 0; k <= levels.levels(); ++k)
    assemblies.push_back(std::make_unique<detail::WriteUnitAssembly>(
        geometry[std::size_t(k)].shape, sinks.level(k).write_shape(), info.dtype, pool));
  const CancelToken cancel(options.cancel);
  tbb::enumerable_thread_specific<Worker> workers;
  std::atomic<std::uint64_t> bytes_read{0};
  const PyramidRun run{source, sinks, levels, geometry, assemblies, cancel, workers, bytes_read};

  bool parallel_writes = true;
  for (int k = 0; k <= levels.levels(); ++k)
    parallel_writes = parallel_writes && sinks.level(k).parallel_writes();
  std::vector<Stage<PyramidWork>> stages = {
      {"reducing", StageMode::kParallel, [&](PyramidWork& w) { return run.compute(w); }},
      {"compressing", StageMode::kParallel, [&](PyramidWork& w) { return run.encode(w, pool); }},
      {"writing", parallel_writes ? StageMode::kParallel : StageMode::kSerial,
       [&](PyramidWork& w) { return run.write(w); }}};

  Progress progress;
  progress.blocks_total = report.units;
  progress.output_bytes_total = report.output_bytes;
  const std::function<void(PyramidWork&)> done = [&](PyramidWork& work) {
    ++progress.blocks_done;
    if (work.constant) ++report.constant_units;
    for (const auto& [level, chunk] : work.encoded) progress.bytes_written += chunk.bytes.size();
    progress.output_bytes_done = report.output_bytes /
                                 std::uint64_t(std::max<Index>(report.units, 1)) *
                                 std::uint64_t(progress.blocks_done);
    progress.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    work.encoded.clear();
    if (options.progress) options.progress(progress);
  };
  Status status;
  run_with_threads(report.threads, [&] {
    status = run_block_graph<PyramidWork>(
        order, stages, {.max_in_flight = memory_plan.blocks_in_flight, .cancel = cancel}, done);
  });
  workers.clear();  // each thread's buffers go now
  ZF_RETURN_IF_ERROR(status);
  for (int k = 0; k <= levels.levels(); ++k) {
    const detail::WriteUnitAssembly& a = *assemblies[std::size_t(k)];
    if (a.open_units() != 0)
      return make_error(
          ErrorCode::kInternal,
          fmt::format("level {}: {} write units were never completed", k, a.open_units()));
    report.most_open_write_units += a.most_open_units();
    report.most_open_write_unit_bytes += a.most_open_bytes();
  }
  ZF_RETURN_IF_ERROR(sinks.commit());
  report.input_bytes_read = bytes_read;
  report.bytes_written = progress.bytes_written;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace zoomflow
