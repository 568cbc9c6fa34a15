// Out-of-core runs on datasets, bound thinly over pipeline/'s public run API: resample_dataset and
// run_chain (on a thread of their own, polled from Python), and the dataset tools info, stats,
// compare and generate (called with the GIL released). Everything file-related of the module is
// in this one file, so that it follows the run API when that changes.
//
// Why a thread of its own: Python handles SIGINT in its main thread, between bytecodes. The run
// goes on a std::thread while the calling thread waits on it in short slices with the GIL
// released; a KeyboardInterrupt between two slices sets the run's cancel flag and waits for the
// core to stop and remove its temporary output. Progress is stored here and read by the waiting
// thread, so the core's threads never take the GIL.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
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
#include "zoomflow/pipeline/chain.hpp"
#include "zoomflow/pipeline/chain_parse.hpp"
#include "zoomflow/pipeline/dataset_compare.hpp"
#include "zoomflow/pipeline/dataset_stats.hpp"
#include "zoomflow/pipeline/generate_dataset.hpp"
#include "zoomflow/pipeline/resample.hpp"
#include "zoomflow/storage/input_dataset.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace zoomflow::python {
namespace {

using IndexList = std::vector<Index>;
using Files = std::vector<std::string>;

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
std::uint64_t memory_limit_of(const std::variant<std::uint64_t, std::string>& limit) {
  if (const auto* bytes = std::get_if<std::uint64_t>(&limit)) {
    if (*bytes == 0)
      raise_error(make_error(ErrorCode::kInvalidArgument, "memory_limit must be positive"));
    return *bytes;
  }
  return value_or_raise(tools::parse_byte_size(std::get<std::string>(limit)));
}

Backend backend_of(const std::string& name) {
  for (Backend backend : {Backend::kAuto, Backend::kCpu, Backend::kCuda})
    if (backend_name(backend) == name) return backend;
  raise_error(make_error(ErrorCode::kInvalidArgument,
                         "backend '" + name + "' must be 'auto', 'cpu' or 'cuda'"));
}

nb::dict progress_dict(const Progress& p) {
  return dict_of("blocks_done", p.blocks_done, "blocks_total", p.blocks_total, "output_bytes_done",
                 p.output_bytes_done, "output_bytes_total", p.output_bytes_total, "bytes_written",
                 p.bytes_written, "seconds", p.seconds);
}

nb::dict report_dict(const ResampleReport& r) {
  return dict_of("blocks", r.blocks, "constant_blocks", r.constant_blocks, "blocks_in_flight",
                 r.blocks_in_flight, "block_shape", index_list(r.block_shape), "output_bytes",
                 r.output_bytes, "bytes_written", r.bytes_written, "backend", r.backend,
                 "backend_note", r.backend_note, "seconds", r.seconds);
}

// One resample or chain run on its own thread.
class FileRun {
 public:
  using Work = std::function<Result<ResampleReport>(const ResampleOptions&)>;

  FileRun(Work work, ResampleOptions options, Files files)
      : files_(std::move(files)), options_(std::move(options)) {
    options_.cancel = &cancel_;
    options_.progress = [this](const Progress& progress) {
      std::lock_guard lock(mutex_);
      progress_ = progress;
    };
    thread_ = std::thread([this, work = std::move(work)] {
      Result<ResampleReport> result = work(options_);
      std::lock_guard lock(mutex_);
      result_.emplace(std::move(result));
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
    const auto finished = [this] { return result_.has_value(); };
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

  // The report of a finished run, or its error raised.
  nb::dict report() {
    wait(-1);
    std::optional<Result<ResampleReport>> result;
    {
      std::lock_guard lock(mutex_);
      result = *result_;
    }
    return report_dict(value_or_raise(std::move(*result), files_));
  }

 private:
  Files files_;
  ResampleOptions options_;
  std::atomic<bool> cancel_{false};
  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<Progress> progress_;
  std::optional<Result<ResampleReport>> result_;
  std::thread thread_;
};

ResampleOptions run_options(int threads,
                            const std::variant<std::uint64_t, std::string>& memory_limit) {
  ResampleOptions options;
  options.threads = threads;
  options.memory_limit = memory_limit_of(memory_limit);
  return options;
}

std::unique_ptr<FileRun> start_resample(
    const std::string& src, const std::string& dst, const std::vector<double>& zoom,
    const std::optional<IndexList>& shape, int order, const std::string& grid,
    const std::string& backend, const std::variant<std::uint64_t, std::string>& memory_limit,
    const std::optional<IndexList>& chunks, const std::string& compression, bool overwrite,
    int threads, const std::string& blocks) {
  ResampleRequest request;
  request.input = dataset_path(src);
  request.output = dataset_path(dst);
  request.zoom = zoom;
  request.output_shape = shape_of(shape);
  if (order != 0 && order != 1)
    raise_error(make_error(ErrorCode::kInvalidArgument, "order must be 0 or 1"));
  request.interpolation = Interpolation(order);
  if (grid != "centers" && grid != "corners")
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "grid '" + grid + "' must be 'centers' or 'corners'"));
  request.grid = grid == "centers" ? Grid::kCenters : Grid::kCorners;
  request.chunk_shape = shape_of(chunks);
  request.compression = value_or_raise(storage::parse_compression(compression));
  request.overwrite = overwrite;
  ResampleOptions options = run_options(threads, memory_limit);
  options.backend = backend_of(backend);
  if (blocks != "bricks" && blocks != "slabs")
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           "blocks '" + blocks + "' must be 'bricks' or 'slabs'"));
  options.layout = blocks == "slabs" ? BlockLayout::kSlabs : BlockLayout::kBricks;
  Files files = named_files({&request.input}, {&request.output});
  return std::make_unique<FileRun>(
      [request](const ResampleOptions& o) { return resample_dataset(request, o); },
      std::move(options), std::move(files));
}

// Steps as (kind, text): ("text", "clip:lo=0,hi=1") or ("json", "[{...}, ...]").
std::unique_ptr<FileRun> start_pipeline(
    const std::string& src, const std::string& dst,
    const std::vector<std::pair<std::string, std::string>>& steps,
    const std::variant<std::uint64_t, std::string>& memory_limit,
    const std::optional<IndexList>& chunks, const std::string& compression, bool overwrite,
    int threads) {
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
  request.compression = value_or_raise(storage::parse_compression(compression));
  request.overwrite = overwrite;
  Files files = named_files({&request.input}, {&request.output});
  return std::make_unique<FileRun>(
      [request](const ResampleOptions& o) { return run_chain(request, o); },
      run_options(threads, memory_limit), std::move(files));
}

storage::InputDataset open_input(const storage::DatasetPath& path, std::uint64_t cache_bytes) {
  return value_or_raise(storage::InputDataset::open(path, {.chunk_cache_bytes = cache_bytes}),
                        named_files({&path}, {}));
}

nb::dict info(const std::string& text) {
  const storage::DatasetPath path = dataset_path(text);
  const storage::InputDataset input = open_input(path, 0);
  const storage::DatasetInfo& i = input.info();
  nb::list filters;
  for (const auto& f : i.filters)
    filters.append(dict_of("id", f.id, "name", f.name, "parameters", f.parameters));
  nb::dict attributes;
  for (const auto& a : i.attributes) attributes[nb::str(a.name.c_str())] = a.value_text;
  return dict_of("path", i.path.to_string(), "shape", index_list(i.shape), "dtype",
                 std::string(dtype_name(i.dtype)), "chunked", i.chunked, "chunks",
                 index_list(i.chunk_shape), "filters", filters, "attributes", attributes,
                 "storage_bytes", i.storage_bytes, "raw_bytes",
                 std::uint64_t(num_elements(i.shape)) * dtype_size(i.dtype));
}

nb::object stat_number(const std::optional<pipeline::StatNumber>& number) {
  if (!number) return nb::none();
  return std::visit([](auto v) { return nb::cast(v); }, *number);
}

nb::dict stats(const std::string& text, int threads) {
  const storage::DatasetPath path = dataset_path(text);
  // Blocks are made of whole chunks, each decoded once: no cache (as `zoomflow stats`).
  const storage::InputDataset input = open_input(path, 0);
  pipeline::StatsOptions options;
  options.threads = threads;
  std::optional<Result<pipeline::DatasetStats>> result;
  {
    nb::gil_scoped_release release;
    result.emplace(pipeline::compute_dataset_stats(input, options));
  }
  const pipeline::DatasetStats s = value_or_raise(std::move(*result));
  return dict_of("path", input.info().path.to_string(), "shape", index_list(s.shape), "dtype",
                 std::string(dtype_name(s.dtype)), "count", s.count, "nonzero", s.nonzero,
                 "nan_count", s.nan_count, "min", stat_number(s.min), "max", stat_number(s.max),
                 "sum", stat_number(s.sum), "mean", s.mean, "checksum", s.checksum);
}

nb::dict compare(const std::string& text_a, const std::string& text_b, int threads) {
  const storage::DatasetPath path_a = dataset_path(text_a);
  const storage::DatasetPath path_b = dataset_path(text_b);
  // As `zoomflow compare`: blocks follow A's chunks; B's may straddle blocks, so B has a cache.
  const storage::InputDataset a = open_input(path_a, 0);
  const storage::InputDataset b = open_input(path_b, std::uint64_t(64) << 20);
  pipeline::CompareOptions options;
  options.threads = threads;
  std::optional<Result<pipeline::CompareReport>> result;
  {
    nb::gil_scoped_release release;
    result.emplace(pipeline::compare_datasets(a, b, options));
  }
  const pipeline::CompareReport r = value_or_raise(std::move(*result));
  std::optional<IndexList> first;
  if (r.first_difference) first = index_list(*r.first_difference);
  return dict_of("a", a.info().path.to_string(), "b", b.info().path.to_string(), "shape_a",
                 index_list(r.shape_a), "shape_b", index_list(r.shape_b), "dtype_a",
                 std::string(dtype_name(r.dtype_a)), "dtype_b", std::string(dtype_name(r.dtype_b)),
                 "compared", r.compared, "differing", r.differing, "first_difference", first,
                 "value_a", r.value_a, "value_b", r.value_b, "max_abs_difference",
                 r.max_abs_difference, "identical", r.identical());
}

nb::dict generate(const std::string& text, const IndexList& shape, const std::string& dtype,
                  const std::string& pattern, std::uint64_t seed,
                  const std::optional<IndexList>& chunks, const std::string& compression,
                  bool overwrite, int threads) {
  pipeline::GenerateOptions options;
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
  const Files files = named_files({}, {&options.output});
  std::optional<Result<pipeline::GenerateReport>> result;
  {
    nb::gil_scoped_release release;
    result.emplace(pipeline::generate_dataset(options));
  }
  const pipeline::GenerateReport r = value_or_raise(std::move(*result), files);
  return dict_of("chunk_shape", index_list(r.chunk_shape), "chunks", r.chunks, "chunks_written",
                 r.chunks_written, "bytes_written", r.bytes_written, "seconds", r.seconds);
}

}  // namespace

void register_file_runs(nb::module_& m) {
  nb::class_<FileRun>(m, "FileRun", "A resample or pipeline run on its own thread.")
      .def("wait", &FileRun::wait, "seconds"_a,
           "Waits up to `seconds` (forever when negative) without the GIL; True once finished.")
      .def("cancel", &FileRun::cancel, "Asks the run to stop; it removes its temporary output.")
      .def("progress", &FileRun::progress, "The latest progress, or None before the first block.")
      .def("report", &FileRun::report, "The report of the finished run, or its error raised.");

  m.def("start_resample", &start_resample, "src"_a, "dst"_a, "zoom"_a, "shape"_a, "order"_a,
        "grid"_a, "backend"_a, "memory_limit"_a, "chunks"_a, "compression"_a, "overwrite"_a,
        "threads"_a, "blocks"_a);
  m.def("start_pipeline", &start_pipeline, "src"_a, "dst"_a, "steps"_a, "memory_limit"_a,
        "chunks"_a, "compression"_a, "overwrite"_a, "threads"_a);
  m.def("info", &info, "path"_a);
  m.def("stats", &stats, "path"_a, "threads"_a);
  m.def("compare", &compare, "a"_a, "b"_a, "threads"_a);
  m.def("generate", &generate, "path"_a, "shape"_a, "dtype"_a, "pattern"_a, "seed"_a, "chunks"_a,
        "compression"_a, "overwrite"_a, "threads"_a);
}

}  // namespace zoomflow::python
