#include "bench_bound.hpp"

#include <mutex>
#include <vector>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "measure.hpp"
#include "zoomflow/kernels/convert.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/kernels/zoom.hpp"
#include "zoomflow/pipeline/block_grid.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::tools {
namespace {

// The first failure of a parallel loop.
class FirstFailure {
 public:
  void record(const Status& status) {
    if (status.ok()) return;
    std::lock_guard lock(mutex_);
    if (status_.ok()) status_ = status;
  }
  Status take() {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  std::mutex mutex_;
  Status status_;
};

// Every chunk of `volume`, gathered into one contiguous buffer each (untimed).
Result<std::vector<std::vector<std::byte>>> chunks_of(const Volume& volume) {
  const BlockGrid grid(volume.shape(), default_chunk_shape(volume.shape()));
  std::vector<std::vector<std::byte>> chunks(std::size_t(grid.count()));
  const std::size_t element = dtype_size(volume.dtype());
  FirstFailure failure;
  tbb::parallel_for(Index(0), grid.count(), [&](Index k) {
    const Box box = grid.block(k);
    auto& chunk = chunks[std::size_t(k)];
    chunk.resize(std::size_t(box.num_elements()) * element);
    failure.record(convert_array(volume.view().subview(box),
                                 ArrayView(chunk.data(), volume.dtype(), box.extent)));
  });
  ZF_RETURN_IF_ERROR(failure.take());
  return chunks;
}

// Compresses every chunk on all threads; the compressed frames when `keep`.
Result<Timing> compress_all(const std::vector<std::vector<std::byte>>& chunks, int level,
                            std::vector<std::vector<std::byte>>* keep) {
  tbb::enumerable_thread_specific<std::vector<std::byte>> scratch;
  if (keep != nullptr) keep->resize(chunks.size());
  FirstFailure failure;
  const TimingWatch watch;
  tbb::parallel_for(std::size_t(0), chunks.size(), [&](std::size_t k) {
    std::vector<std::byte>& out = scratch.local();
    out.resize(storage::zstd_compress_bound(chunks[k].size()));
    auto size = storage::zstd_compress(chunks[k], out, level);
    if (!size.ok()) return failure.record(size.error());
    if (keep != nullptr) (*keep)[k].assign(out.begin(), out.begin() + std::ptrdiff_t(*size));
  });
  const Timing timing = watch.elapsed();
  ZF_RETURN_IF_ERROR(failure.take());
  return timing;
}

}  // namespace

Result<CodecBound> measure_codec_bound(const Shape& shape, double zoom, Interpolation order,
                                       int level) {
  CodecBound bound;
  ZF_ASSIGN_OR_RETURN(Volume input, Volume::allocate(DType::kUInt16, shape));
  ZF_RETURN_IF_ERROR(fill_pattern(Pattern::kNoise, shape, Box::from_shape(shape), input.view(), 0));

  // The input side: its chunks compressed (untimed), then decompressed on all threads.
  {
    ZF_ASSIGN_OR_RETURN(const auto raw, chunks_of(input));
    std::vector<std::vector<std::byte>> frames;
    ZF_RETURN_IF_ERROR(compress_all(raw, level, &frames));
    tbb::enumerable_thread_specific<std::vector<std::byte>> scratch;
    FirstFailure failure;
    const TimingWatch watch;
    tbb::parallel_for(std::size_t(0), frames.size(), [&](std::size_t k) {
      std::vector<std::byte>& out = scratch.local();
      out.resize(raw[k].size());
      failure.record(storage::zstd_decompress(frames[k], out));
    });
    bound.decompress = watch.elapsed();
    ZF_RETURN_IF_ERROR(failure.take());
    bound.input_chunks = raw.size();
  }

  // The output side: the kernel alone into warm memory (the pipeline's buffers are pooled, so
  // its pages are touched once), then the output's chunks compressed on all threads.
  const std::vector<double> factors(std::size_t(shape.rank()), zoom);
  ZF_ASSIGN_OR_RETURN(Volume output, zoomflow::zoom(input.view(), factors, order));
  const ResampleSpec spec{shape, output.shape(), order, Grid::kCenters};
  const TimingWatch kernel;
  ZF_RETURN_IF_ERROR(zoom_into(input.view(), output.view(), spec));
  bound.kernel = kernel.elapsed();
  input = Volume();
  ZF_ASSIGN_OR_RETURN(const auto raw, chunks_of(output));
  output = Volume();
  ZF_ASSIGN_OR_RETURN(bound.compress, compress_all(raw, level, nullptr));
  bound.output_chunks = raw.size();
  return bound;
}

}  // namespace zoomflow::tools
