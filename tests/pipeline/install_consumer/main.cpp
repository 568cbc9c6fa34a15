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
  // A per-block step with a halo of 1: the mean of each voxel's 3-voxel neighbourhood along x.
  auto smooth_x =
      zoomflow::block_step("smooth-x", {0, 0, 1},
                           [](zoomflow::ConstArrayView in, const zoomflow::Box& in_box,
                              zoomflow::ArrayView out, const zoomflow::Box& out_box) {
                             const auto v = in.as<double>();
                             const auto o = out.as<double>();
                             for (zoomflow::Index z = 0; z < out_box.extent[0]; ++z)
                               for (zoomflow::Index y = 0; y < out_box.extent[1]; ++y)
                                 for (zoomflow::Index x = 0; x < out_box.extent[2]; ++x) {
                                   const zoomflow::Index g = out_box.origin[2] + x;  // global x
                                   double sum = 0;
                                   int n = 0;
                                   for (zoomflow::Index d = -1; d <= 1; ++d) {
                                     const zoomflow::Index xi = g + d - in_box.origin[2];
                                     if (xi < 0 || xi >= in_box.extent[2]) continue;
                                     sum += v[{out_box.origin[0] - in_box.origin[0] + z,
                                               out_box.origin[1] - in_box.origin[1] + y, xi}];
                                     ++n;
                                   }
                                   o[{z, y, x}] = sum / n;
                                 }
                             return zoomflow::ok_status();
                           });
  chain.steps = {
      zoomflow::clip_step(0, 2000), smooth_x,
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
