#include "zoomflow/pipeline/chain.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "graph_run.hpp"
#include "output_request.hpp"
#include "resample_stages.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"
#include "zoomflow/pipeline/memory_budget.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow {
namespace {

// Reads the block's input box (the chain's first box) into a pooled buffer.
struct ReadChainInputStage {
  const storage::InputDataset& source;
  BufferPool& pool;
  Status operator()(BlockWork& work) const {
    const DType dtype = source.info().dtype;
    const Box& box = work.block.input_box;
    work.input_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
    work.input = ArrayView(work.input_buffer.bytes.get(), dtype, box.extent);
    return source.read_box(box, work.input);
  }
};

// Runs every step on the block in doubles, then stores the output dtype.
struct RunChainStage {
  const std::vector<ChainStepPtr>& steps;
  const std::vector<StepGeometry>& geometry;
  BufferPool& pool;
  Status operator()(BlockWork& work) const {
    const std::vector<Box> boxes = chain_boxes(steps, geometry, work.block.output_box);
    thread_local std::vector<double> values[2];
    int current = 0;
    values[0].resize(std::size_t(boxes.front().num_elements()));
    visit_dtype(work.input.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = reinterpret_cast<const T*>(work.input.data());
      for (std::size_t i = 0; i < values[0].size(); ++i) values[0][i] = double(in[i]);
    });
    for (std::size_t k = 0; k < steps.size(); ++k) {
      auto& out = values[1 - current];
      out.resize(std::size_t(boxes[k + 1].num_elements()));
      ZF_RETURN_IF_ERROR(
          steps[k]->apply(geometry[k], boxes[k], values[current], boxes[k + 1], out));
      current = 1 - current;
    }
    const DType dtype = geometry.back().dtype;
    const Box& box = work.block.output_box;
    work.output_buffer = pool.acquire(std::size_t(box.num_elements()) * dtype_size(dtype));
    work.output = ArrayView(work.output_buffer.bytes.get(), dtype, box.extent);
    visit_dtype(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = reinterpret_cast<T*>(work.output.data());
      const std::vector<double>& result = values[current];
      for (std::size_t i = 0; i < result.size(); ++i)
        out[i] = dtype == DType::kBool ? T(result[i] != 0) : saturate_cast<T>(result[i]);
    });
    return ok_status();
  }
};

std::string describe_chain(const std::vector<ChainStepPtr>& steps) {
  std::string text;
  for (const auto& step : steps) {
    if (!text.empty()) text += ' ';
    text += step->describe();
  }
  return text;
}

}  // namespace

Result<std::vector<StepGeometry>> chain_geometry(const StepGeometry& input,
                                                 const std::vector<ChainStepPtr>& steps) {
  if (steps.empty()) return make_error(ErrorCode::kInvalidArgument, "the chain has no step");
  std::vector<StepGeometry> geometry{input};
  for (const ChainStepPtr& step : steps) {
    ZF_ASSIGN_OR_RETURN(StepGeometry next, step->output(geometry.back()));
    geometry.push_back(next);
  }
  return geometry;
}

std::vector<Box> chain_boxes(const std::vector<ChainStepPtr>& steps,
                             const std::vector<StepGeometry>& geometry, const Box& output_box) {
  std::vector<Box> boxes(steps.size() + 1);
  boxes.back() = output_box;
  for (std::size_t k = steps.size(); k-- > 0;)
    boxes[k] = steps[k]->input_box(boxes[k + 1], geometry[k]);
  return boxes;
}

Result<ResampleReport> run_chain(const ChainRequest& request, const ResampleOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ZF_RETURN_IF_ERROR(detail::check_output_path(request.input, request.output));
  const int threads = detail::resolve_threads(options.threads);
  const MemoryBudget budget = split_memory_budget(options.memory_limit, threads);
  ZF_ASSIGN_OR_RETURN(
      storage::InputDataset source,
      storage::InputDataset::open(request.input, {.chunk_cache_bytes = budget.chunk_cache_bytes}));
  const storage::DatasetInfo& info = source.info();
  ZF_ASSIGN_OR_RETURN(const std::vector<StepGeometry> geometry,
                      chain_geometry({info.shape, info.dtype}, request.steps));
  const StepGeometry& result = geometry.back();
  ZF_ASSIGN_OR_RETURN(Shape chunk_shape,
                      detail::output_chunk_shape(request.chunk_shape, result.shape));

  storage::OutputOptions output;
  output.shape = result.shape;
  output.dtype = result.dtype;
  output.chunk_shape = chunk_shape;
  output.compression = request.compression;
  output.overwrite = request.overwrite;
  output.format = request.format;
  output.shard_shape = request.shard_shape;
  output.copy_attributes_from = &source;
  for (int a = 0; a < info.shape.rank(); ++a)
    output.voxel_size_scale.push_back(double(info.shape[a]) / double(result.shape[a]));
  output.provenance = {{"zoomflow_version", ZOOMFLOW_VERSION},
                       {"zoomflow_chain", describe_chain(request.steps)},
                       {"zoomflow_source", request.input.to_string()}};
  ZF_ASSIGN_OR_RETURN(storage::OutputDataset sink,
                      storage::OutputDataset::create(request.output, output));

  // Blocks of the output's chunk grid; each one's input box comes from walking the chain back.
  const Shape block_shape =
      choose_block_shape(result.shape, sink.write_shape(), dtype_size(result.dtype),
                         budget.block_target_bytes, options.layout);
  BlockPlan plan =
      plan_blocks(ResampleSpec{result.shape, result.shape}, sink.write_shape(), block_shape);
  BlockFootprint footprint;
  for (PlannedBlock& block : plan.blocks) {
    const std::vector<Box> boxes = chain_boxes(request.steps, geometry, block.output_box);
    block.input_box = boxes.front();
    std::size_t doubles = 0;
    for (const Box& box : boxes) doubles = std::max(doubles, std::size_t(box.num_elements()));
    footprint.input_bytes =
        std::max(footprint.input_bytes,
                 std::size_t(block.input_box.num_elements()) * dtype_size(info.dtype));
    footprint.output_bytes =
        std::max(footprint.output_bytes,
                 std::size_t(block.output_box.num_elements()) * dtype_size(result.dtype));
    footprint.scratch_bytes = std::max(footprint.scratch_bytes, 2 * doubles * sizeof(double));
  }

  ResampleReport report;
  report.blocks = std::int64_t(plan.blocks.size());
  report.block_shape = block_shape;
  report.blocks_in_flight = blocks_in_flight(options.memory_limit, budget, footprint, threads);
  report.output_bytes = std::uint64_t(num_elements(result.shape)) * dtype_size(result.dtype);
  BufferPool pool;
  const std::vector<BlockStage> stages = {
      {"reading input", false, ReadChainInputStage{source, pool}},
      {"running the chain", false, RunChainStage{request.steps, geometry, pool}},
      {"compressing", false, detail::CompressStage{sink}},
      {"writing", !sink.parallel_writes(), detail::WriteStage{sink}},
  };
  ZF_RETURN_IF_ERROR(
      detail::run_with_progress(plan, stages, pool, result.dtype, options, start, report));
  ZF_RETURN_IF_ERROR(sink.commit());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace zoomflow
