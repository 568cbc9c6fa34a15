#include "zoomflow/pipeline/resample.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include "graph_run.hpp"
#include "output_request.hpp"
#include "resample_stages.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/cuda_resample_stage.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow {
namespace {

BlockFootprint footprint_of(const BlockPlan& plan, const ResampleSpec& spec, DType dtype) {
  BlockFootprint footprint;
  const std::size_t element = dtype_size(dtype);
  for (const PlannedBlock& block : plan.blocks) {
    footprint.input_bytes =
        std::max(footprint.input_bytes, std::size_t(block.input_box.num_elements()) * element);
    footprint.output_bytes =
        std::max(footprint.output_bytes, std::size_t(block.output_box.num_elements()) * element);
  }
  if (spec.interpolation == Interpolation::kLinear) {
    // Two double buffers, each at most the larger of the input box and the output block.
    const std::size_t elements = std::max(footprint.input_bytes, footprint.output_bytes) / element;
    footprint.scratch_bytes = 2 * elements * sizeof(double);
  }
  return footprint;
}

Status check_sink(const storage::InputDataset& source, const storage::OutputDataset& sink,
                  const ResampleSpec& spec) {
  ZF_RETURN_IF_ERROR(spec.validate_for(source.info().dtype));
  if (!(source.info().shape == spec.input_shape))
    return make_error(ErrorCode::kInvalidArgument, "input shape " + to_string(source.info().shape) +
                                                       " differs from the spec's " +
                                                       to_string(spec.input_shape));
  if (!(sink.shape() == spec.output_shape) || sink.dtype() != source.info().dtype)
    return make_error(ErrorCode::kInvalidArgument,
                      "output dataset shape or dtype does not match the resampling");
  return ok_status();
}

}  // namespace

Result<ResampleReport> resample(const storage::InputDataset& source, storage::OutputDataset& sink,
                                const ResampleSpec& spec, const ResampleOptions& options) {
  ZF_RETURN_IF_ERROR(check_sink(source, sink, spec));
  ZF_ASSIGN_OR_RETURN(BackendChoice choice, choose_backend(options.backend));
  const auto start = std::chrono::steady_clock::now();
  const DType dtype = source.info().dtype;
  const int threads = detail::resolve_threads(options.threads);
  const MemoryBudget budget = split_memory_budget(options.memory_limit, threads);
  const Shape block_shape =
      choose_block_shape(spec.output_shape, sink.write_shape(), dtype_size(dtype),
                         budget.block_target_bytes, options.layout);
  const BlockPlan plan = plan_blocks(spec, sink.write_shape(), block_shape);

  ResampleReport report;
  report.blocks = std::int64_t(plan.blocks.size());
  report.block_shape = block_shape;
  report.blocks_in_flight =
      blocks_in_flight(options.memory_limit, budget, footprint_of(plan, spec, dtype), threads);
  report.output_bytes = std::uint64_t(num_elements(spec.output_shape)) * dtype_size(dtype);

  // The CUDA stage sizes its device buffers from the plan; if that fails, auto falls back.
  std::unique_ptr<CudaResampleStage> gpu;
  if (choice.backend == Backend::kCuda) {
    auto created = CudaResampleStage::create(spec, dtype, plan,
                                             {options.gpu_memory_limit, report.blocks_in_flight});
    if (created.ok()) {
      gpu = std::move(*created);
    } else if (options.backend == Backend::kCuda) {
      return created.error();
    } else {
      choice.note = "the CUDA backend could not start (" + created.error().message +
                    "); resampling on the CPU";
    }
  }
  report.backend = gpu ? "cuda" : "cpu";
  report.backend_note = choice.note;
  if (!choice.note.empty() && options.notice) options.notice(choice.note);

  // With the GPU, block buffers are page-locked: the read stage fills the upload's source and
  // the download lands where the compress stage reads, with no staging copy.
  BufferPool pool(gpu ? pinned_buffer_allocator() : BufferAllocator{});
  const detail::ResampleCpuStage cpu_stage{spec, dtype, pool};
  const std::vector<BlockStage> stages = {
      {"reading input", false, detail::ReadInputStage{source, spec, pool}},
      gpu ? gpu->block_stage(pool, cpu_stage) : BlockStage{"resampling", false, cpu_stage},
      {"compressing", false, detail::CompressStage{sink}},
      {"writing", !sink.parallel_writes(), detail::WriteStage{sink}},
  };

  ZF_RETURN_IF_ERROR(detail::run_with_progress(plan, stages, pool, dtype, options, start, report));
  if (gpu) {
    report.gpu_streams = gpu->streams();
    report.gpu_peak_streams_busy = gpu->peak_streams_busy();
    report.gpu_memory_bytes = gpu->device_bytes();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

namespace {

Result<Shape> requested_output_shape(const ResampleRequest& request, const Shape& input_shape) {
  if (!request.zoom.empty() && request.output_shape.rank() > 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape, not both");
  if (request.zoom.size() == 1) {
    // One factor for every axis.
    const std::vector<double> every_axis(std::size_t(input_shape.rank()), request.zoom[0]);
    return zoomed_shape(input_shape, every_axis);
  }
  if (!request.zoom.empty()) return zoomed_shape(input_shape, request.zoom);
  if (request.output_shape.rank() == 0)
    return make_error(ErrorCode::kInvalidArgument, "give --zoom or --shape");
  if (request.output_shape.rank() != input_shape.rank())
    return make_error(ErrorCode::kInvalidArgument,
                      "--shape " + to_string(request.output_shape) + " has rank " +
                          std::to_string(request.output_shape.rank()) + " but the input has rank " +
                          std::to_string(input_shape.rank()));
  return request.output_shape;
}

std::string format_factors(const ResampleSpec& spec) {
  std::string text;
  for (int a = 0; a < spec.rank(); ++a) {
    if (a > 0) text += ",";
    text += std::to_string(double(spec.output_shape[a]) / double(spec.input_shape[a]));
  }
  return text;
}

}  // namespace

Result<ResampleReport> resample_dataset(const ResampleRequest& request,
                                        const ResampleOptions& options) {
  ZF_RETURN_IF_ERROR(detail::check_output_path(request.input, request.output));

  const std::size_t cache =
      split_memory_budget(options.memory_limit, detail::resolve_threads(options.threads))
          .chunk_cache_bytes;
  ZF_ASSIGN_OR_RETURN(storage::InputDataset source,
                      storage::InputDataset::open(request.input, {.chunk_cache_bytes = cache}));
  const storage::DatasetInfo& info = source.info();
  ZF_ASSIGN_OR_RETURN(Shape output_shape, requested_output_shape(request, info.shape));
  const ResampleSpec spec{info.shape, output_shape, request.interpolation, request.grid};
  ZF_RETURN_IF_ERROR(spec.validate_for(info.dtype));
  ZF_ASSIGN_OR_RETURN(Shape chunk_shape,
                      detail::output_chunk_shape(request.chunk_shape, output_shape));

  storage::OutputOptions output;
  output.shape = output_shape;
  output.dtype = info.dtype;
  output.chunk_shape = chunk_shape;
  output.compression = request.compression;
  output.overwrite = request.overwrite;
  output.format = request.format;
  output.shard_shape = request.shard_shape;
  output.copy_attributes_from = &source;
  for (int a = 0; a < spec.rank(); ++a)
    output.voxel_size_scale.push_back(double(info.shape[a]) / double(output_shape[a]));
  output.provenance = {
      {"zoomflow_version", ZOOMFLOW_VERSION},
      {"zoomflow_zoom", format_factors(spec)},
      {"zoomflow_order", std::to_string(int(spec.interpolation))},
      {"zoomflow_grid", spec.grid == Grid::kCenters ? "centers" : "corners"},
      {"zoomflow_source", request.input.to_string()},
  };
  ZF_ASSIGN_OR_RETURN(storage::OutputDataset sink,
                      storage::OutputDataset::create(request.output, output));
  ZF_ASSIGN_OR_RETURN(ResampleReport report, resample(source, sink, spec, options));
  ZF_RETURN_IF_ERROR(sink.commit());
  return report;
}

}  // namespace zoomflow
