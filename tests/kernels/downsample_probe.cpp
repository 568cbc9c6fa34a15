// Not a test: runs downsample_box on a raw C-order file so Python scripts can compare the
// kernel with TensorStore.
//
//   zoomflow_downsample_probe DTYPE METHOD SHAPE FACTORS IN.raw OUT.raw [BOX_EDGE]
//
// SHAPE and FACTORS are comma-separated ("31,40,7"); the output is cut into boxes of BOX_EDGE
// voxels per axis (default: one box), each computed from just the input it needs.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "zoomflow/kernels/downsample.hpp"

using namespace zoomflow;

namespace {

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    shape.push_back(std::stoll(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return shape;
}

int fail(const std::string& message) {
  std::cerr << "downsample_probe: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) return fail("usage: DTYPE METHOD SHAPE FACTORS IN.raw OUT.raw [BOX_EDGE]");
  const auto dtype = parse_dtype(argv[1]);
  const auto method = parse_reduce_method(argv[2]);
  if (!dtype || !method) return fail("unknown dtype or method");
  const DownsampleSpec spec{parse_shape(argv[3]), parse_shape(argv[4]), *method};
  if (Status s = spec.validate_for(*dtype); !s.ok()) return fail(s.error().message);
  const Index edge = argc > 7 ? std::stoll(argv[7]) : Index(1) << 40;

  std::ifstream in(argv[5], std::ios::binary);
  std::vector<std::byte> input(std::size_t(num_elements(spec.input_shape)) * dtype_size(*dtype));
  in.read(reinterpret_cast<char*>(input.data()), std::streamsize(input.size()));
  if (!in || in.peek() != EOF)
    return fail(std::string(argv[5]) + " does not hold the shape's bytes");

  const Shape out_shape = spec.output_shape();
  std::vector<std::byte> output(std::size_t(num_elements(out_shape)) * dtype_size(*dtype));
  const ConstArrayView in_view(input.data(), *dtype, spec.input_shape);
  const ArrayView out_view(output.data(), *dtype, out_shape);
  Workspace workspace;
  IndexVector corner = IndexVector::filled(spec.rank(), 0);  // box grid position
  for (;;) {
    Box box{IndexVector::filled(spec.rank(), 0), IndexVector::filled(spec.rank(), 0)};
    for (int a = 0; a < spec.rank(); ++a) {
      box.origin[a] = corner[a] * edge;
      box.extent[a] = std::min(edge, out_shape[a] - box.origin[a]);
    }
    const Box needed = downsample_input_box(spec, box);
    if (Status s = downsample_box(spec, in_view.subview(needed), needed.origin,
                                  out_view.subview(box), box, workspace);
        !s.ok())
      return fail(s.error().message);
    int a = spec.rank() - 1;
    for (; a >= 0; --a) {
      if (++corner[a] * edge < out_shape[a]) break;
      corner[a] = 0;
    }
    if (a < 0) break;
  }
  std::ofstream out(argv[6], std::ios::binary);
  out.write(reinterpret_cast<const char*>(output.data()), std::streamsize(output.size()));
  if (!out) return fail(std::string("cannot write ") + argv[6]);
  return 0;
}
