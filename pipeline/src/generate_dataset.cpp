#include "zoomflow/pipeline/generate_dataset.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <tbb/enumerable_thread_specific.h>

#include "dataset_graph.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow {
namespace {

struct GenerateWork {
  std::size_t sequence = 0;
  Box box;  // one chunk
  storage::EncodedChunk chunk;
};

}  // namespace

Result<GenerateReport> generate_dataset(const GenerateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.shape.rank() < 1 || options.shape.rank() > kMaxRank)
    return make_error(ErrorCode::kInvalidArgument, "--shape must have 1 to 8 axes");
  Index elements = 1;
  for (Index n : options.shape) {
    if (n < 1 || n >= kMaxAxisLength)
      return make_error(ErrorCode::kInvalidArgument, "--shape " + to_string(options.shape) +
                                                         ": every axis must be 1 to 2^31 - 1");
    if (elements > kMaxOutputElements / n)
      return make_error(ErrorCode::kInvalidArgument,
                        "--shape " + to_string(options.shape) +
                            " is over 2^50 voxels, likely a typo; zoomflow refuses outputs that "
                            "large");
    elements *= n;
  }
  storage::OutputOptions output_options;
  output_options.shape = options.shape;
  output_options.dtype = options.dtype;
  output_options.chunk_shape = options.chunk_shape;
  output_options.compression = options.compression;
  output_options.overwrite = options.overwrite;
  output_options.provenance = {{"zoomflow_pattern", std::string(pattern_name(options.pattern))},
                               {"zoomflow_seed", std::to_string(options.seed)}};
  ZF_ASSIGN_OR_RETURN(storage::OutputDataset output,
                      storage::OutputDataset::create(options.output, output_options));

  // One chunk per block: each is filled, compressed and handed to the writer on its own.
  const std::size_t element_size = dtype_size(options.dtype);
  const BlockGrid blocks(output.shape(), output.write_shape());
  const int threads = resolve_threads(options.threads);
  const std::uint64_t chunk_bytes =
      std::uint64_t(num_elements(blocks.block_shape())) * element_size;
  GenerateReport report;
  report.chunk_shape = output.chunk_shape();
  report.chunks = blocks.count();
  report.notice = output.notice();

  tbb::enumerable_thread_specific<std::vector<std::byte>> buffers;
  const std::vector<Stage<GenerateWork>> stages = {
      {"generating", StageMode::kParallel,
       [&](GenerateWork& work) -> Status {
         std::vector<std::byte>& buffer = buffers.local();
         buffer.resize(std::size_t(work.box.num_elements()) * element_size);
         const ArrayView values(buffer.data(), options.dtype, work.box.extent);
         ZF_RETURN_IF_ERROR(
             fill_pattern(options.pattern, options.shape, work.box, values, options.seed));
         ZF_ASSIGN_OR_RETURN(work.chunk, output.encode_chunk(work.box.origin, values));
         return ok_status();
       }},
      {"writing", StageMode::kSerial,
       [&](GenerateWork& work) -> Status {
         if (!work.chunk.is_fill()) {
           ++report.chunks_written;
           report.bytes_written += work.chunk.bytes.size();
         }
         return output.write_chunk(work.chunk);
       }},
  };
  ZF_RETURN_IF_ERROR(detail::run_dataset_graph<GenerateWork>(
      blocks, stages, threads, options.memory_limit_bytes, chunk_bytes, options.cancel));
  ZF_RETURN_IF_ERROR(output.commit());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace zoomflow
