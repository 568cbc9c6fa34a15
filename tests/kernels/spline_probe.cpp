// A test-only probe: resamples a raw C-order array from a file with zoomflow's kernels and writes
// the raw result, so that Python tests can compare it with scipy.ndimage.zoom.
//
//   spline_probe IN OUT dtype=float32 shape=5,7 out_shape=9,13 order=3 mode=constant cval=0
//                grid=corners prefilter=1 out_dtype=float32 method=zoom|onebox|boxes seed=1
//
// method zoom: zoom_into (in memory, all threads); onebox: resample_box of the whole output;
// boxes: the output cut into random boxes (seed), each from just its required input box, in a
// strided view, with one Workspace reused across boxes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "random_cut.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/zoom.hpp"

using namespace zoomflow;

namespace {

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) shape.push_back(std::stoll(item));
  return shape;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "spline_probe: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: spline_probe IN OUT key=value ...");
  std::map<std::string, std::string> options;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) return fail("not key=value: " + arg);
    options[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  auto get = [&](const std::string& key, const std::string& fallback) {
    const auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  };
  const auto dtype = parse_dtype(get("dtype", "float64"));
  const auto out_dtype = parse_dtype(get("out_dtype", get("dtype", "float64")));
  const auto mode = parse_boundary_mode(get("mode", "nearest"));
  if (!dtype || !out_dtype || !mode) return fail("unknown dtype or mode");
  ResampleSpec spec;
  spec.input_shape = parse_shape(get("shape", ""));
  spec.output_shape = parse_shape(get("out_shape", ""));
  spec.interpolation = Interpolation(std::stoi(get("order", "0")));
  spec.grid = get("grid", "centers") == "corners" ? Grid::kCorners : Grid::kCenters;
  spec.mode = *mode;
  spec.cval = std::stod(get("cval", "0"));
  spec.prefilter = get("prefilter", "1") == "1";
  const std::string method = get("method", "zoom");

  auto input = Volume::allocate(*dtype, spec.input_shape);
  auto output = Volume::zeros(*out_dtype, spec.output_shape);
  if (!input.ok() || !output.ok()) return fail("bad shapes");
  {
    std::ifstream in(argv[1], std::ios::binary);
    in.read(reinterpret_cast<char*>(input->bytes().data()), std::streamsize(input->size_bytes()));
    if (!in) return fail("short input file");
  }
  Status status;
  if (method == "zoom") {
    status = zoom_into(input->view(), output->view(), spec);
  } else if (method == "onebox") {
    const Box whole = Box::from_shape(spec.output_shape);
    const Box needed = required_input_box(spec, whole);
    status =
        resample_box(spec, input->view().subview(needed), needed.origin, output->view(), whole);
  } else if (method == "boxes") {
    std::mt19937_64 rng(std::stoull(get("seed", "1")));
    Workspace workspace;
    for (const Box& box : testing::random_cut(spec.output_shape, rng, 9)) {
      const Box needed = required_input_box(spec, box);
      status = resample_box(spec, input->view().subview(needed), needed.origin,
                            output->view().subview(box), box, workspace);
      if (!status.ok()) break;
      if (workspace.bytes_held() < resample_scratch_bytes(spec, box, *dtype, *out_dtype))
        return fail("resample_scratch_bytes exceeds what the box took");
    }
  } else {
    return fail("unknown method " + method);
  }
  if (!status.ok()) return fail(status.error().message);
  std::ofstream out(argv[2], std::ios::binary);
  out.write(reinterpret_cast<const char*>(output->bytes().data()),
            std::streamsize(output->size_bytes()));
  return out ? 0 : fail("cannot write output");
}
