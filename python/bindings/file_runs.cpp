// Out-of-core runs on datasets (HDF5, Zarr v2/v3, N5), bound thinly over pipeline/'s public run
// API: run_chain and resample_dataset (RunOptions, RunReport), run_pyramid (PyramidReport),
// compute_dataset_stats, compare_datasets and generate_dataset, and the dataset description of
// storage. Everything file-related of the module is in this one file, so that it follows the run
// API when that changes.
//
// Why each run has a thread of its own: Python handles SIGINT in its main thread, between
// bytecodes. The run goes on a std::thread while the calling thread waits on it in short slices
// with the GIL released; a KeyboardInterrupt between two slices sets the run's cancel flag (the
// core's one cancel token) and waits for the core to stop and remove its temporary output.
// Progress is stored here and read by the waiting thread, so the core's threads never take the
// GIL. The core's own SIGINT handlers are not installed: Python keeps its own.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "byte_size.hpp"  // tools/: the command line's size parser
#include "errors.hpp"
#include "zoomflow/kernels/boundary_mode.hpp"
#include "zoomflow/pipeline/chain.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/pipeline/dataset_compare.hpp"
#include "zoomflow/pipeline/dataset_stats.hpp"
#include "zoomflow/pipeline/generate_dataset.hpp"
#include "zoomflow/pipeline/pyramid.hpp"
#include "zoomflow/pipeline/resample.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/storage_format.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace zoomflow::python {
namespace {

using IndexList = std::vector<Index>;
using Files = std::vector<std::string>;
using Size = std::variant<std::uint64_t, std::string>;

// A dict from alternating names and values: dict_of("blocks", 3, "seconds", 0.5).
inline void fill_dict(nb::dict&) {}
template <class Value, class... Rest>
void fill_dict(nb::dict& d, const char* name, Value&& value, Rest&&... rest) {
  d[name] = nb::cast(std::forward<Value>(value));
  fill_dict(d, std::forward<Rest>(rest)...);
}
template <class... Items>
nb::dict dict_of(Items&&... items) {
  nb::dict d;
  fill_dict(d, std::forward<Items>(items)...);
  return d;
}

IndexList index_list(const IndexVector& v) {
  return IndexList(v.begin(), v.end());
}

Shape shape_of(const std::optional<IndexList>& values) {
  if (!values) return {};
  if (values->size() > std::size_t(kMaxRank))
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "a shape of rank " + std::to_string(values->size()) +
                               "; zoomflow takes ranks 1 to " + std::to_string(kMaxRank)));
  return Shape(std::span<const Index>(*values));
}

storage::DatasetPath dataset_path(const std::string& text) {
  return value_or_raise(storage::parse_dataset_path(text));
}

// The files whose absence makes an invalid-argument error a FileNotFoundError: the inputs, and
// the folder of each output.
Files named_files(std::initializer_list<const storage::DatasetPath*> inputs,
                  std::initializer_list<const storage::DatasetPath*> outputs) {
  Files files;
  for (const auto* input : inputs) files.push_back(input->file);
  for (const auto* output : outputs)
    files.push_back(std::filesystem::path(output->file).parent_path().string());
  return files;
}

// "1GiB", "512MiB", or a number of bytes.
std::uint64_t memory_limit_of(const Size& limit) {
  if (const auto* bytes = std::get_if<std::uint64_t>(&limit)) {
    if (*bytes == 0)
      raise_error(make_error(ErrorCode::kInvalidArgument, "memory_limit must be positive"));
    return *bytes;
  }
  return value_or_raise(tools::parse_byte_size(std::get<std::string>(limit)));
}

ReduceMethod reduce_method_of(const std::string& name) {
  const std::optional<ReduceMethod> method = parse_reduce_method(name);
  if (!method)
    raise_error(make_error(
        ErrorCode::kInvalidArgument,
        "method '" + name + "' must be 'mean', 'mode', 'median', 'min', 'max' or 'stride'"));
  return *method;
}

Backend backend_of(const std::string& name) {
  for (Backend backend : {Backend::kAuto, Backend::kCpu, Backend::kCuda})
    if (backend_name(backend) == name) return backend;
  raise_error(make_error(ErrorCode::kInvalidArgument,
                         "backend '" + name + "' must be 'auto', 'cpu' or 'cuda'"));
}

nb::object number_object(const Number& number) {
  return std::visit([](auto v) { return nb::cast(v); }, number);
}

nb::object number_object(const std::optional<Number>& number) {
  return number ? number_object(*number) : nb::none();
}

nb::dict progress_dict(const Progress& p) {
  return dict_of("blocks_done", p.blocks_done, "blocks_total", p.blocks_total, "output_bytes_done",
                 p.output_bytes_done, "output_bytes_total", p.output_bytes_total, "bytes_written",
                 p.bytes_written, "seconds", p.seconds);
}

// The reports as dicts of plain Python values (the Python side makes dataclasses of them).
nb::dict report_dict(const RunReport& r) {
  return dict_of(
      "blocks", r.blocks, "constant_blocks", r.constant_blocks, "blocks_in_flight",
      r.blocks_in_flight, "block_shape", index_list(r.block_shape), "tile_shape",
      index_list(r.tile_shape), "threads", r.threads, "planned_memory_bytes",
      r.planned_memory_bytes, "output_bytes", r.output_bytes, "bytes_written", r.bytes_written,
      "input_chunks", r.input_chunks, "input_chunks_decoded",
      r.input_chunks_decoded < 0 ? nb::object(nb::none()) : nb::cast(r.input_chunks_decoded),
      "backend", r.backend, "backend_note", r.backend_note, "seconds", r.seconds);
}

nb::dict report_dict(const PyramidReport& r) {
  std::vector<IndexList> shapes, factors;
  for (const Shape& s : r.level_shapes) shapes.push_back(index_list(s));
  for (const Shape& f : r.total_factors) factors.push_back(index_list(f));
  return dict_of("level_shapes", shapes, "total_factors", factors, "level_paths", r.level_paths,
                 "unit_shape", index_list(r.unit_shape), "units", r.units, "constant_units",
                 r.constant_units, "threads", r.threads, "planned_memory_bytes",
                 r.planned_memory_bytes, "input_bytes_read", r.input_bytes_read, "output_bytes",
                 r.output_bytes, "bytes_written", r.bytes_written, "seconds", r.seconds);
}

nb::dict report_dict(const DatasetStats& s) {
  return dict_of("shape", index_list(s.shape), "dtype", std::string(dtype_name(s.dtype)), "count",
                 s.count, "nonzero", s.nonzero, "nan_count", s.nan_count, "min",
                 number_object(s.min), "max", number_object(s.max), "sum", number_object(s.sum),
                 "mean", s.mean, "checksum", s.checksum);
}

nb::dict report_dict(const CompareReport& r) {
  std::optional<IndexList> first;
  if (r.first_difference) first = index_list(*r.first_difference);
  return dict_of("shape_a", index_list(r.shape_a), "shape_b", index_list(r.shape_b), "dtype_a",
                 std::string(dtype_name(r.dtype_a)), "dtype_b", std::string(dtype_name(r.dtype_b)),
                 "compared", r.compared, "differing", r.differing, "first_difference", first,
                 "value_a", number_object(r.value_a), "value_b", number_object(r.value_b),
                 "max_abs_difference", r.max_abs_difference, "identical", r.identical());
}

nb::dict report_dict(const GenerateReport& r) {
  return dict_of("chunk_shape", index_list(r.chunk_shape), "chunks", r.chunks, "chunks_written",
                 r.chunks_written, "bytes_written", r.bytes_written, "seconds", r.seconds);
}

// What a run's thread computes: one of the reports, or the error that stopped it.
using Reports = std::variant<RunReport, PyramidReport, DatasetStats, CompareReport, GenerateReport>;
using Outcome = Result<Reports>;

template <class T>
Outcome outcome_of(Result<T> result) {
  if (!result.ok()) return result.error();
  return Reports(std::move(result).value());
}

// One run of the core on its own thread, polled from Python.
class FileRun {
 public:
  // Runs on the run's thread, without the GIL: it must touch no Python object.
  using Work = std::function<Outcome(const std::atomic<bool>* cancel, ProgressCallback progress)>;

  // `names` go into the report as they are (the datasets' resolved names); `files` name the
  // files whose absence makes an invalid argument a FileNotFoundError.
  FileRun(Work work, Files files, std::vector<std::pair<std::string, std::string>> names = {})
      : files_(std::move(files)), names_(std::move(names)) {
    thread_ = std::thread([this, work = std::move(work)] {
      Outcome outcome = work(&cancel_, [this](const Progress& progress) {
        std::lock_guard lock(mutex_);
        progress_ = progress;
      });
      std::lock_guard lock(mutex_);
      outcome_.emplace(std::move(outcome));
      done_.notify_all();
    });
  }
  FileRun(const FileRun&) = delete;
  FileRun& operator=(const FileRun&) = delete;
  ~FileRun() {
    cancel_.store(true);
    if (thread_.joinable()) {
      nb::gil_scoped_release release;
      thread_.join();
    }
  }

  // Waits up to `seconds` (forever when negative) with the GIL released; true once finished.
  bool wait(double seconds) {
    nb::gil_scoped_release release;
    std::unique_lock lock(mutex_);
    const auto finished = [this] { return outcome_.has_value(); };
    if (seconds < 0) {
      done_.wait(lock, finished);
      return true;
    }
    return done_.wait_for(lock, std::chrono::duration<double>(seconds), finished);
  }

  void cancel() { cancel_.store(true); }

  std::optional<nb::dict> progress() {
    std::lock_guard lock(mutex_);
    if (!progress_) return std::nullopt;
    return progress_dict(*progress_);
  }

  // The report of the finished run, or its error raised.
  nb::dict report() {
    wait(-1);
    std::optional<Outcome> outcome;
    {
      std::lock_guard lock(mutex_);
      outcome = *outcome_;
    }
    auto value = value_or_raise(std::move(*outcome), files_);
    nb::dict d = std::visit([](const auto& report) { return report_dict(report); }, value);
    for (const auto& [name, text] : names_) d[name.c_str()] = text;
    return d;
  }

 private:
  Files files_;
  std::vector<std::pair<std::string, std::string>> names_;
  std::atomic<bool> cancel_{false};
  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<Progress> progress_;
  std::optional<Outcome> outcome_;
  std::thread thread_;
};

RunOptions run_options(int threads, const Size& memory_limit) {
  RunOptions options;
  options.threads = threads;
  options.memory_limit = memory_limit_of(memory_limit);
  return options;
}

// A chain or resample run: `run(options)` with the caller's cancel flag and progress.
template <class Run>
std::unique_ptr<FileRun> start_run(Run run, RunOptions options, Files files) {
  return std::make_unique<FileRun>(
      [run = std::move(run), options = std::move(options)](const std::atomic<bool>* cancel,
                                                           ProgressCallback progress) mutable {
        options.cancel = cancel;
        options.progress = std::move(progress);
        return outcome_of(run(options));
      },
      std::move(files));
}

std::unique_ptr<FileRun> start_resample(
    const std::string& src, const std::string& dst, const std::vector<double>& zoom,
    const std::optional<IndexList>& shape, int order, const std::string& mode, double cval,
    bool prefilter, const std::string& grid, const std::string& backend, const Size& memory_limit,
    const std::optional<IndexList>& chunks, const std::optional<IndexList>& shards,
    const std::string& format, const std::string& compression, bool overwrite, int threads,
    const std::string& blocks, const std::string& method, const std::optional<IndexList>& factors,
    bool antialias) {
  ResampleRequest request;
  request.input = dataset_path(src);
  request.output = dataset_path(dst);
  request.zoom = zoom;
  request.output_shape = shape_of(shape);
  if (method != "interpolate") request.method = reduce_method_of(method);
  if (factors) request.factors = *factors;
  request.antialias = antialias;
  if (order < 0 || order > kMaxSplineOrder)
    raise_error(
        make_error(ErrorCode::kInvalidArgument, "order " + std::to_string(order) + " is not 0..5"));
  request.interpolation = Interpolation(order);
  const std::optional<BoundaryMode> parsed_mode = parse_boundary_mode(mode);
  if (!parsed_mode)
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "mode '" + mode + "' is not one of " + boundary_mode_names()));
  request.mode = *parsed_mode;
  request.cval = cval;
  request.prefilter = prefilter;
  if (grid != "centers" && grid != "corners")
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "grid '" + grid + "' must be 'centers' or 'corners'"));
  request.grid = grid == "centers" ? Grid::kCenters : Grid::kCorners;
  request.chunk_shape = shape_of(chunks);
  request.shard_shape = shape_of(shards);
  request.format = value_or_raise(storage::parse_storage_format(format));
  request.compression = value_or_raise(storage::parse_compression(compression));
  request.overwrite = overwrite;
  RunOptions options = run_options(threads, memory_limit);
  options.backend = backend_of(backend);
  if (blocks != "bricks" && blocks != "slabs")
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "blocks '" + blocks + "' must be 'bricks' or 'slabs'"));
  options.layout = blocks == "slabs" ? BlockLayout::kSlabs : BlockLayout::kBricks;
  Files files = named_files({&request.input}, {&request.output});
  return start_run([request](const RunOptions& o) { return resample_dataset(request, o); },
                   std::move(options), std::move(files));
}

// Steps as (kind, text): ("text", "clip:lo=0,hi=1") or ("json", "[{...}, ...]").
std::unique_ptr<FileRun> start_pipeline(
    const std::string& src, const std::string& dst,
    const std::vector<std::pair<std::string, std::string>>& steps, const Size& memory_limit,
    const std::optional<IndexList>& chunks, const std::optional<IndexList>& shards,
    const std::string& format, const std::string& compression, bool overwrite, int threads) {
  ChainRequest request;
  request.input = dataset_path(src);
  request.output = dataset_path(dst);
  for (const auto& [kind, text] : steps) {
    if (kind == "json") {
      for (ChainStepPtr& step : value_or_raise(parse_steps_json(text)))
        request.steps.push_back(std::move(step));
    } else {
      request.steps.push_back(value_or_raise(parse_step(text)));
    }
  }
  request.chunk_shape = shape_of(chunks);
  request.shard_shape = shape_of(shards);
  request.format = value_or_raise(storage::parse_storage_format(format));
  request.compression = value_or_raise(storage::parse_compression(compression));
  request.overwrite = overwrite;
  Files files = named_files({&request.input}, {&request.output});
  return start_run([request](const RunOptions& o) { return run_chain(request, o); },
                   run_options(threads, memory_limit), std::move(files));
}

// Every level of a pyramid from one read of the input (as `zoomflow pyramid`).
std::unique_ptr<FileRun> start_pyramid(
    const std::string& src, const std::string& dst, const std::string& method, int levels,
    const std::vector<IndexList>& factors, const Size& memory_limit,
    const std::optional<IndexList>& chunks, const std::optional<IndexList>& shards,
    const std::string& format, const std::string& compression, bool overwrite, int threads) {
  PyramidRequest request;
  request.input = dataset_path(src);
  request.output = dst;
  request.method = reduce_method_of(method);
  request.levels = levels;
  request.factors = factors;
  request.chunk_shape = shape_of(chunks);
  request.shard_shape = shape_of(shards);
  request.format = value_or_raise(storage::parse_storage_format(format));
  request.compression = value_or_raise(storage::parse_compression(compression));
  request.overwrite = overwrite;
  storage::DatasetPath output;
  output.file = dst;
  Files files = named_files({&request.input}, {&output});
  return start_run([request](const RunOptions& o) { return run_pyramid(request, o); },
                   run_options(threads, memory_limit), std::move(files));
}

std::shared_ptr<const storage::InputDataset> open_input(const storage::DatasetPath& path,
                                                        std::uint64_t cache_bytes) {
  return std::make_shared<const storage::InputDataset>(
      value_or_raise(storage::InputDataset::open(path, {.chunk_cache_bytes = cache_bytes}),
                     named_files({&path}, {})));
}

nb::dict info(const std::string& text) {
  const storage::DatasetPath path = dataset_path(text);
  const auto input = open_input(path, 0);
  const storage::DatasetInfo& i = input->info();
  nb::list filters;
  for (const auto& f : i.filters)
    filters.append(dict_of("id", f.id, "name", f.name, "parameters", f.parameters));
  nb::dict attributes;
  for (const auto& a : i.attributes) attributes[nb::str(a.name.c_str())] = a.value_text;
  return dict_of(
      "path", i.path.to_string(), "format", std::string(storage::storage_format_name(i.format)),
      "shape", index_list(i.shape), "dtype", std::string(dtype_name(i.dtype)), "chunked", i.chunked,
      "chunks", index_list(i.chunk_shape), "shards", index_list(i.shard_shape), "filters", filters,
      "codecs", i.codecs, "fill_value", i.fill_value, "attributes", attributes, "voxel_size",
      i.voxel_size, "voxel_unit", i.voxel_unit, "storage_bytes", i.storage_bytes, "raw_bytes",
      std::uint64_t(num_elements(i.shape)) * dtype_size(i.dtype));
}

std::unique_ptr<FileRun> start_stats(const std::string& text, int threads) {
  const storage::DatasetPath path = dataset_path(text);
  // Blocks are made of whole chunks, each decoded once: no cache (as `zoomflow stats`).
  auto input = open_input(path, 0);
  const std::string name = input->info().path.to_string();
  return std::make_unique<FileRun>(
      [input, threads](const std::atomic<bool>* cancel, ProgressCallback) {
        StatsOptions options;
        options.threads = threads;
        options.cancel = cancel;
        return outcome_of(compute_dataset_stats(*input, options));
      },
      Files{}, std::vector<std::pair<std::string, std::string>>{{"path", name}});
}

std::unique_ptr<FileRun> start_compare(const std::string& text_a, const std::string& text_b,
                                       int threads) {
  const storage::DatasetPath path_a = dataset_path(text_a);
  const storage::DatasetPath path_b = dataset_path(text_b);
  // As `zoomflow compare`: blocks follow A's chunks; B's may straddle blocks, so B has a cache.
  auto a = open_input(path_a, 0);
  auto b = open_input(path_b, std::uint64_t(64) << 20);
  std::vector<std::pair<std::string, std::string>> names{{"a", a->info().path.to_string()},
                                                         {"b", b->info().path.to_string()}};
  return std::make_unique<FileRun>(
      [a, b, threads](const std::atomic<bool>* cancel, ProgressCallback) {
        CompareOptions options;
        options.threads = threads;
        options.cancel = cancel;
        return outcome_of(compare_datasets(*a, *b, options));
      },
      Files{}, std::move(names));
}

std::unique_ptr<FileRun> start_generate(const std::string& text, const IndexList& shape,
                                        const std::string& dtype, const std::string& pattern,
                                        std::uint64_t seed, const std::optional<IndexList>& chunks,
                                        const std::string& compression, bool overwrite,
                                        int threads) {
  GenerateOptions options;
  options.output = dataset_path(text);
  options.shape = shape_of(shape);
  const auto parsed_dtype = parse_dtype(dtype);
  if (!parsed_dtype)
    raise_error(make_error(
        ErrorCode::kInvalidArgument,
        "unknown dtype '" + dtype + "' (bool, int8..int64, uint8..uint64, float32, float64)"));
  options.dtype = *parsed_dtype;
  const auto parsed_pattern = parse_pattern(pattern);
  if (!parsed_pattern)
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "unknown pattern '" + pattern + "' (box, noise, labels)"));
  options.pattern = *parsed_pattern;
  options.seed = seed;
  options.chunk_shape = shape_of(chunks);
  options.compression = value_or_raise(storage::parse_compression(compression));
  options.overwrite = overwrite;
  options.threads = threads;
  Files files = named_files({}, {&options.output});
  return std::make_unique<FileRun>(
      [options](const std::atomic<bool>* cancel, ProgressCallback) mutable {
        options.cancel = cancel;
        return outcome_of(generate_dataset(options));
      },
      std::move(files));
}

}  // namespace

void register_file_runs(nb::module_& m) {
  nb::class_<FileRun>(m, "FileRun", "A run of the core on its own thread, polled from Python.")
      .def("wait", &FileRun::wait, "seconds"_a,
           "Waits up to `seconds` (forever when negative) without the GIL; True once finished.")
      .def("cancel", &FileRun::cancel, "Asks the run to stop; it removes its temporary output.")
      .def("progress", &FileRun::progress, "The latest progress, or None before the first block.")
      .def("report", &FileRun::report, "The report of the finished run, or its error raised.");

  m.def("start_resample", &start_resample, "src"_a, "dst"_a, "zoom"_a, "shape"_a, "order"_a,
        "mode"_a, "cval"_a, "prefilter"_a, "grid"_a, "backend"_a, "memory_limit"_a, "chunks"_a,
        "shards"_a, "format"_a, "compression"_a, "overwrite"_a, "threads"_a, "blocks"_a, "method"_a,
        "factors"_a, "antialias"_a);
  m.def("start_pyramid", &start_pyramid, "src"_a, "dst"_a, "method"_a, "levels"_a, "factors"_a,
        "memory_limit"_a, "chunks"_a, "shards"_a, "format"_a, "compression"_a, "overwrite"_a,
        "threads"_a);
  m.def("start_pipeline", &start_pipeline, "src"_a, "dst"_a, "steps"_a, "memory_limit"_a,
        "chunks"_a, "shards"_a, "format"_a, "compression"_a, "overwrite"_a, "threads"_a);
  m.def("start_stats", &start_stats, "path"_a, "threads"_a);
  m.def("start_compare", &start_compare, "a"_a, "b"_a, "threads"_a);
  m.def("start_generate", &start_generate, "path"_a, "shape"_a, "dtype"_a, "pattern"_a, "seed"_a,
        "chunks"_a, "compression"_a, "overwrite"_a, "threads"_a);
  m.def("info", &info, "path"_a);
}

}  // namespace zoomflow::python
