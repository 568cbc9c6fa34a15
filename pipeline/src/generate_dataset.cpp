#include "zoomflow/pipeline/generate_dataset.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "dataset_blocks.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::pipeline {

Result<GenerateReport> generate_dataset(const GenerateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
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
  const detail::DatasetTiling plan =
      detail::tile_dataset(output.shape(), output.write_shape(), element_size, 0);
  const int threads = detail::resolve_threads(options.threads);
  const std::uint64_t chunk_bytes = plan.block_bytes(element_size);
  GenerateReport report;
  report.chunk_shape = output.chunk_shape();
  report.chunks = plan.count();

  const auto work = [&](const Box& box) -> Result<storage::EncodedChunk> {
    thread_local std::vector<std::byte> buffer;
    buffer.resize(std::size_t(box.num_elements()) * element_size);
    const ArrayView values(buffer.data(), options.dtype, box.extent);
    ZF_RETURN_IF_ERROR(fill_pattern(options.pattern, options.shape, box, values, options.seed));
    return output.encode_chunk(box.origin, values);
  };
  const auto merge = [&](Index, storage::EncodedChunk&& chunk) -> Status {
    if (!chunk.is_fill()) {
      ++report.chunks_written;
      report.bytes_written += chunk.bytes.size();
    }
    return output.write_chunk(chunk);
  };
  ZF_RETURN_IF_ERROR(detail::run_blocks<storage::EncodedChunk>(
      plan, threads, detail::blocks_in_flight(threads, chunk_bytes, options.memory_limit_bytes),
      work, merge));
  ZF_RETURN_IF_ERROR(output.commit());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace zoomflow::pipeline
