#include "zoomflow/pipeline/chain.hpp"

#include <chrono>
#include <memory>
#include <string>

#include "chain_job.hpp"
#include "chain_stages.hpp"
#include "output_request.hpp"
#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/pipeline/chain_plan.hpp"
#include "zoomflow/pipeline/cuda_resample_stage.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Chunks of the input's grid (edge chunks included); 1 for a contiguous dataset.
std::int64_t input_chunk_count(const storage::DatasetInfo& info) {
  return info.chunked ? storage::ChunkGrid(info.shape, info.chunk_shape).num_chunks() : 1;
}

Status check_sink(const ChainPlan& plan, const storage::OutputDataset& sink) {
  if (!(sink.shape() == plan.output().shape) || sink.dtype() != plan.output().dtype)
    return make_error(ErrorCode::kInvalidArgument,
                      "the output dataset is " + to_string(sink.shape()) + " " +
                          std::string(dtype_name(sink.dtype())) + " but the chain gives " +
                          to_string(plan.output().shape) + " " +
                          std::string(dtype_name(plan.output().dtype)));
  return ok_status();
}

// Reads a block's whole input box into a buffer of the pool (page-locked on the GPU path) and
// notes whether it holds one value.
struct ReadBlockStage {
  const ChainPlan& plan;
  const detail::BoxReader& read;
  BufferPool& pool;
  Status operator()(BlockWork& work) const {
    const DType dtype = plan.input().dtype;
    const std::vector<Box> boxes = plan.boxes(work.box);
    work.input_box = boxes.front();
    work.input_buffer =
        pool.acquire(std::size_t(work.input_box.num_elements()) * dtype_size(dtype));
    work.input = ArrayView(work.input_buffer.bytes.get(), dtype, work.input_box.extent);
    ZF_RETURN_IF_ERROR(read(work.input_box, work.input));
    if (!all_same_bytes(work.input)) return ok_status();
    ZF_ASSIGN_OR_RETURN(const std::optional<Scalar> constant,
                        detail::chain_constant(plan, Scalar::first_of(work.input), boxes));
    if (constant) {
      work.constant = true;
      work.constant_value = *constant;
      work.all_fill = constant->is_zero();
    }
    return ok_status();
  }
};

// Fills a constant block's output (the GPU stage hands constant blocks here: the CPU fills them
// faster than a round trip).
struct FillConstantStage {
  DType dtype;
  BufferPool& pool;
  Status operator()(BlockWork& work) const {
    const std::size_t bytes = std::size_t(work.box.num_elements()) * dtype_size(dtype);
    work.output_buffer = pool.acquire(bytes);
    work.output = ArrayView(work.output_buffer.bytes.get(), dtype, work.box.extent);
    const Scalar& value = work.constant_value;
    return convert_array(ConstArrayView(value.bytes.data(), value.dtype, work.box.extent,
                                        IndexVector::filled(work.box.rank(), 0)),
                         work.output);
  }
};

// The one resample step of a chain the GPU can run, or nullopt.
std::optional<ResampleSpec> gpu_resample_spec(const ChainPlan& plan) {
  if (plan.steps.size() != 1 || !plan.writes_output_directly()) return std::nullopt;
  return resample_step_spec(*plan.steps.front(), plan.input().shape);
}

}  // namespace

Result<RunReport> run_chain(const storage::InputDataset& source, storage::OutputDataset& sink,
                            const std::vector<ChainStepPtr>& steps, const RunOptions& options) {
  return detail::run_chain_blocks(source, sink, steps, options, {});
}

Result<RunReport> detail::run_chain_blocks(const storage::InputDataset& source,
                                           storage::OutputDataset& sink,
                                           const std::vector<ChainStepPtr>& steps,
                                           const RunOptions& options, const BlockHooks& hooks) {
  const auto start = Clock::now();
  const storage::DatasetInfo& info = source.info();
  ZF_ASSIGN_OR_RETURN(const ChainPlan plan, plan_chain({info.shape, info.dtype}, steps));
  ZF_RETURN_IF_ERROR(check_sink(plan, sink));
  ZF_ASSIGN_OR_RETURN(BackendChoice choice, choose_backend(options.backend));
  const CancelToken cancel(options.cancel);
  const std::optional<std::uint64_t> decoded_before = source.chunks_decoded();

  RunReport report;
  report.input_chunks = input_chunk_count(info);
  report.threads = resolve_threads(options.threads);
  MemoryRequest memory{options.memory_limit, report.threads, options.layout};
  const std::optional<ResampleSpec> gpu_spec = gpu_resample_spec(plan);
  if (choice.backend == Backend::kCuda && !gpu_spec) {
    if (options.backend == Backend::kCuda)
      return make_error(ErrorCode::kUnsupported,
                        "--backend cuda runs a single resample step; this chain (" +
                            plan.describe() + ") runs on the CPU: use --backend auto or cpu");
    choice = BackendChoice{};
  }
  memory.blocks_hold_input = choice.backend == Backend::kCuda;
  memory.block_shape = hooks.block_shape;
  ZF_ASSIGN_OR_RETURN(const MemoryPlan memory_plan, plan_memory(plan, sink.write_shape(), memory));
  const BlockGrid blocks(plan.output().shape, memory_plan.block_shape);

  report.blocks = blocks.count();
  report.block_shape = memory_plan.block_shape;
  report.tile_shape = memory_plan.tile_shape;
  report.blocks_in_flight = memory_plan.blocks_in_flight;
  report.planned_memory_bytes = memory_plan.planned_bytes(report.threads);
  report.output_bytes =
      std::uint64_t(num_elements(plan.output().shape)) * dtype_size(plan.output().dtype);

  // The CUDA stage sizes its device buffers from the blocks; if that fails, auto falls back.
  std::unique_ptr<CudaResampleStage> gpu;
  if (choice.backend == Backend::kCuda) {
    auto created = CudaResampleStage::create(*gpu_spec, info.dtype, blocks,
                                             {options.gpu_memory_limit, report.blocks_in_flight});
    if (created.ok()) {
      gpu = std::move(*created);
    } else if (options.backend == Backend::kCuda) {
      return created.error();
    } else {
      choice.note =
          "the CUDA backend could not start (" + created.error().message + "); running on the CPU";
    }
  }
  report.backend = gpu ? "cuda" : "cpu";
  report.backend_note = choice.note;
  if (!choice.note.empty() && options.notice) options.notice(choice.note);

  const detail::BoxReader read = [&source](const Box& box, ArrayView out) {
    return source.read_box(box, out);
  };
  // With the GPU, block buffers are page-locked: the read stage fills the upload's source and
  // the download lands where the encode stage reads, with no staging copy.
  BufferPool pool(gpu ? pinned_buffer_allocator() : BufferAllocator{});
  const StageMode write_mode = sink.parallel_writes() ? StageMode::kParallel : StageMode::kSerial;
  std::vector<BlockStage> stages;
  std::unique_ptr<detail::ComputeStage> compute;
  if (gpu) {
    stages.push_back({"reading input", StageMode::kParallel, ReadBlockStage{plan, read, pool}});
    stages.push_back(gpu->block_stage(pool, FillConstantStage{plan.output().dtype, pool}));
  } else {
    const detail::KnownValue known = [&source](const Box& box) -> Result<std::optional<Scalar>> {
      ZF_ASSIGN_OR_RETURN(const bool unwritten, source.is_unwritten(box));
      if (!unwritten) return std::optional<Scalar>();
      const ConstArrayView fill(source.fill_value().data(), source.info().dtype, Shape{1});
      return std::optional<Scalar>(Scalar::first_of(fill));
    };
    compute = std::make_unique<detail::ComputeStage>(plan, memory_plan.tile_shape, read, pool,
                                                     cancel, known);
    stages.push_back({"computing", StageMode::kParallel, std::ref(*compute)});
  }
  stages.push_back({"compressing", StageMode::kParallel, detail::EncodeStage{sink}});
  stages.push_back({"writing", write_mode, detail::WriteStage{sink}});
  if (hooks.record)
    stages.push_back({"recording", StageMode::kSerial, [&](BlockWork& work) {
                        return hooks.record(blocks.index_of(work.box.origin), work);
                      }});

  Progress progress;
  progress.blocks_total = report.blocks;
  progress.blocks_done = hooks.blocks_done_before;
  progress.output_bytes_total = report.output_bytes;
  const std::size_t element = dtype_size(plan.output().dtype);
  const std::function<void(BlockWork&)> done = [&](BlockWork& work) {
    ++progress.blocks_done;
    ++report.blocks_computed;
    if (work.constant) ++report.constant_blocks;
    progress.output_bytes_done += std::uint64_t(work.box.num_elements()) * element;
    for (const auto& chunk : work.chunks) progress.bytes_written += chunk.bytes.size();
    progress.seconds = seconds_since(start);
    pool.release(std::move(work.input_buffer));
    pool.release(std::move(work.output_buffer));
    work.chunks.clear();
    if (!options.progress) return;
    if (!hooks.add_progress) return options.progress(progress);
    Progress job = progress;
    hooks.add_progress(job);
    options.progress(job);
  };
  Status status;
  run_with_threads(report.threads, [&] {
    status = run_block_graph<BlockWork>(blocks, stages,
                                        {.max_in_flight = memory_plan.blocks_in_flight,
                                         .cancel = cancel,
                                         .selection = hooks.selection,
                                         .skip = hooks.skip},
                                        done);
  });
  // Each thread's compute buffers go now, not at the end of the process.
  compute.reset();
  ZF_RETURN_IF_ERROR(status);
  report.bytes_written = progress.bytes_written;
  if (const auto decoded = source.chunks_decoded(); decoded && decoded_before)
    report.input_chunks_decoded = std::int64_t(*decoded - *decoded_before);
  if (gpu) {
    report.gpu_streams = gpu->streams();
    report.gpu_peak_streams_busy = gpu->peak_streams_busy();
    report.gpu_memory_bytes = gpu->device_bytes();
  }
  report.seconds = seconds_since(start);
  return report;
}

Result<std::unique_ptr<detail::PreparedChain>> detail::prepare_chain(const ChainRequest& request,
                                                                     const RunOptions& options) {
  ZF_RETURN_IF_ERROR(detail::check_output_path(request.input, request.output));
  const std::uint64_t cache = chunk_cache_bytes(options.memory_limit);
  ZF_ASSIGN_OR_RETURN(storage::InputDataset opened,
                      storage::InputDataset::open(
                          request.input, {.chunk_cache_bytes = cache, .max_chunk_bytes = cache}));
  auto prepared = std::unique_ptr<PreparedChain>(new PreparedChain{std::move(opened), {}, {}});
  const storage::InputDataset& source = prepared->source;
  const storage::DatasetInfo& info = source.info();
  ZF_ASSIGN_OR_RETURN(prepared->plan, plan_chain({info.shape, info.dtype}, request.steps));
  const ChainPlan& plan = prepared->plan;
  ZF_ASSIGN_OR_RETURN(const Shape chunk_shape,
                      detail::output_chunk_shape(request.chunk_shape, plan.output().shape));

  storage::OutputOptions& output = prepared->output;
  output.shape = plan.output().shape;
  output.dtype = plan.output().dtype;
  output.chunk_shape = chunk_shape;
  output.compression = request.compression;
  output.overwrite = request.overwrite;
  output.format = request.format;
  output.shard_shape = request.shard_shape;
  output.copy_attributes_from = &source;
  for (int a = 0; a < info.shape.rank(); ++a)
    output.voxel_size_scale.push_back(double(info.shape[a]) / double(plan.output().shape[a]));
  output.provenance = {{"zoomflow_version", ZOOMFLOW_VERSION},
                       {"zoomflow_chain", plan.describe()},
                       {"zoomflow_source", request.input.to_string()}};
  output.resume = request.resume;
  return prepared;
}

}  // namespace zoomflow
