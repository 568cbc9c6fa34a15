// The README's library example: resample a dataset with progress and a cancel flag.
#include <atomic>
#include <cstdio>
#include <cstring>

#include <cmath>

#include <zoomflow/pipeline/builtin_steps.hpp>
#include <zoomflow/pipeline/chain.hpp>
#include <zoomflow/pipeline/resample.hpp>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  auto input = zoomflow::storage::parse_dataset_path(argv[1]);
  auto output = zoomflow::storage::parse_dataset_path(argv[2]);
  if (!input.ok() || !output.ok()) return 2;

  zoomflow::ResampleRequest request;
  request.input = *input;
  request.output = *output;
  request.zoom = {2.0, 2.0, 2.0};
  request.interpolation = zoomflow::Interpolation::kLinear;

  std::atomic<bool> cancel{false};
  zoomflow::RunOptions options;
  options.memory_limit = std::uint64_t(256) << 20;
  options.cancel = &cancel;
  options.progress = [](const zoomflow::Progress& p) {
    std::printf("%lld/%lld blocks\n", static_cast<long long>(p.blocks_done),
                static_cast<long long>(p.blocks_total));
  };
  auto report = zoomflow::resample_dataset(request, options);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.error().message.c_str());
    return 1;
  }
  // A chain with a user's own step: gamma correction between a clip and a cast.
  zoomflow::ChainRequest chain;
  chain.input = *output;
  chain.output = *output;
  chain.output.file += ".gamma.h5";  // HDF5 cannot write a file it is reading
  chain.steps = {
      zoomflow::clip_step(0, 2000),
      zoomflow::pointwise_step("gamma", [](double v) { return 255 * std::pow(v / 2000, 0.5); }),
      zoomflow::cast_step(zoomflow::DType::kUInt8)};
  auto chained = zoomflow::run_chain(chain, options);
  if (!chained.ok()) {
    std::fprintf(stderr, "%s\n", chained.error().message.c_str());
    return 1;
  }
  std::printf("wrote %llu bytes in %lld blocks\n",
              static_cast<unsigned long long>(report->bytes_written),
              static_cast<long long>(report->blocks));
  return 0;
}
