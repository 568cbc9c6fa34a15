// The downsampling kernel on one thread, beside a memcpy of its input bytes in the same run.
//
//   zoomflow_downsample_bench --pattern labels --dtype uint32 --shape 1024,1024,512
//       --factors 2,2,2 --method mode [--repeat 3] [--write in.raw] [--write-output out.raw]
//       [--json]
//
// Patterns: zoomflow's `labels` (16-voxel cells, so 2x2x2 blocks never straddle two labels) and
// `noise`; `cells3` (labels in 3-voxel cells: about 70 % of 2x2x2 blocks hold two or more
// labels); `random4` (independent labels 0..3 per voxel: nearly every block mixed, many ties);
// `cells16` (the same hash in 16-voxel cells: the `labels` layout, a control).
// --write and --write-output save the volume and the result (raw, C order) for
// downsample_peers.py; --read takes the volume from such a file instead.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "zoomflow/kernels/downsample.hpp"
#include "zoomflow/kernels/pattern.hpp"
#include "zoomflow/kernels/volume.hpp"

using namespace zoomflow;

namespace {

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) shape.push_back(std::stoll(part));
  return shape;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Labels that change every `cell` voxels along each axis, or every voxel from 0..3 (cell 0).
template <class T>
void fill_cells(StridedView<T> out, Index cell) {
  const Shape& shape = out.shape();
  const int last = shape.rank() - 1;
  IndexVector i = IndexVector::filled(shape.rank(), 0);
  const Index rows = out.num_elements() / shape[last];
  for (Index r = 0; r < rows; ++r) {
    std::uint64_t outer = 0;
    for (int a = 0; a < last; ++a)
      outer = mix(outer + std::uint64_t(cell ? i[a] / cell : i[a]) + 7);
    T* row = &out[i];
    for (Index x = 0; x < shape[last]; ++x) {
      const std::uint64_t h = mix(outer ^ std::uint64_t(cell ? x / cell : x));
      row[x] = cell ? T(1 + h % 1000) : T(h % 4);
    }
    for (int a = last - 1; a >= 0; --a) {
      if (++i[a] < shape[a]) break;
      i[a] = 0;
    }
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zoomflow_downsample_bench: one-thread downsampling kernel against memcpy"};
  std::string pattern = "labels", dtype_text = "uint32", shape_text = "1024,1024,512";
  std::string factors_text = "2,2,2", method_text = "mode", write_path, write_output_path;
  std::string read_path;
  int repeat = 3;
  bool json = false;
  app.add_option("--pattern", pattern, "labels, noise, cells3, cells16 or random4");
  app.add_option("--dtype", dtype_text);
  app.add_option("--shape", shape_text);
  app.add_option("--factors", factors_text);
  app.add_option("--method", method_text);
  app.add_option("--repeat", repeat, "best of N");
  app.add_option("--read", read_path, "take the volume from raw C-order bytes, not a pattern");
  app.add_option("--write", write_path, "save the volume as raw C-order bytes");
  app.add_option("--write-output", write_output_path, "save the downsampled volume the same way");
  app.add_flag("--json", json);
  CLI11_PARSE(app, argc, argv);

  const auto dtype = parse_dtype(dtype_text);
  const auto method = parse_reduce_method(method_text);
  if (!dtype || !method) {
    fmt::print(stderr, "zoomflow_downsample_bench: unknown dtype or method\n");
    return 2;
  }
  const DownsampleSpec spec{parse_shape(shape_text), parse_shape(factors_text), *method};
  if (Status s = spec.validate_for(*dtype); !s.ok()) {
    fmt::print(stderr, "zoomflow_downsample_bench: {}\n", s.error().message);
    return 2;
  }
  Volume input = Volume::allocate(*dtype, spec.input_shape).value();
  if (!read_path.empty()) {
    std::ifstream in(read_path, std::ios::binary);
    in.read(reinterpret_cast<char*>(input.bytes().data()), std::streamsize(input.size_bytes()));
    if (!in) {
      fmt::print(stderr, "zoomflow_downsample_bench: {} does not hold the volume\n", read_path);
      return 1;
    }
  } else if (pattern == "labels" || pattern == "noise") {
    const Status s = fill_pattern(*parse_pattern(pattern), spec.input_shape,
                                  Box::from_shape(spec.input_shape), input.view());
    if (!s.ok()) {
      fmt::print(stderr, "zoomflow_downsample_bench: {}\n", s.error().message);
      return 2;
    }
  } else if (pattern == "cells3" || pattern == "random4" || pattern == "cells16") {
    visit_dtype(*dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      fill_cells(input.view().as<T>(), pattern == "cells3" ? 3 : pattern == "cells16" ? 16 : 0);
    });
  } else {
    fmt::print(stderr, "zoomflow_downsample_bench: unknown pattern {}\n", pattern);
    return 2;
  }
  if (!write_path.empty()) {
    std::ofstream out(write_path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(input.bytes().data()),
              std::streamsize(input.size_bytes()));
    if (!out) {
      fmt::print(stderr, "zoomflow_downsample_bench: cannot write {}\n", write_path);
      return 1;
    }
  }

  // Buffers touched once first: fresh pages cost more than either measurement.
  std::vector<std::byte> copy(input.size_bytes());
  std::memset(copy.data(), 1, copy.size());
  Volume output = Volume::zeros(*dtype, spec.output_shape()).value();
  const Box whole = Box::from_shape(spec.output_shape());
  Workspace workspace;

  double memcpy_s = 1e30, kernel_s = 1e30;
  for (int r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    std::memcpy(copy.data(), input.bytes().data(), copy.size());
    memcpy_s = std::min(memcpy_s, seconds_since(start));
    start = std::chrono::steady_clock::now();
    const Status s = downsample_box(spec, input.view(), IndexVector::filled(spec.rank(), 0),
                                    output.view(), whole, workspace);
    kernel_s = std::min(kernel_s, seconds_since(start));
    if (!s.ok()) {
      fmt::print(stderr, "zoomflow_downsample_bench: {}\n", s.error().message);
      return 1;
    }
  }
  if (!write_output_path.empty()) {
    std::ofstream out(write_output_path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(output.bytes().data()),
              std::streamsize(output.size_bytes()));
    if (!out) {
      fmt::print(stderr, "zoomflow_downsample_bench: cannot write {}\n", write_output_path);
      return 1;
    }
  }
  // A checksum so the work cannot be skipped, and so runs can be compared.
  std::uint64_t checksum = 0;
  for (std::byte b : output.bytes()) checksum = checksum * 31 + std::uint64_t(b);
  const double gb = double(input.size_bytes()) / 1e9;
  if (json) {
    fmt::print(
        "{{\"pattern\": \"{}\", \"dtype\": \"{}\", \"shape\": \"{}\", \"factors\": \"{}\", "
        "\"method\": \"{}\", \"input_gb\": {:.4f}, \"memcpy_s\": {:.4f}, \"kernel_s\": {:.4f}, "
        "\"checksum\": {}}}\n",
        pattern, dtype_text, shape_text, factors_text, method_text, gb, memcpy_s, kernel_s,
        checksum);
  } else {
    fmt::print("{} {} {} {} factors {}: input {:.2f} GB\n", pattern, dtype_text,
               to_string(spec.input_shape), method_text, factors_text, gb);
    fmt::print("  memcpy of the input   {:8.3f} s  {:6.2f} GB/s\n", memcpy_s, gb / memcpy_s);
    fmt::print("  zoomflow, 1 thread    {:8.3f} s  {:6.2f} GB/s of input  ({:.2f}x memcpy)\n",
               kernel_s, gb / kernel_s, kernel_s / memcpy_s);
  }
  return 0;
}
