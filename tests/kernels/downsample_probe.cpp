// Not a test: runs downsample_box on a raw C-order file so Python scripts can compare the
// kernel with TensorStore.
//
//   zoomflow_downsample_probe DTYPE METHOD SHAPE FACTORS IN.raw OUT.raw [BOX_EDGE]
//
// SHAPE and FACTORS are comma-separated ("31,40,7"); the output is cut into boxes of BOX_EDGE
// voxels per axis (default: one box), each computed from just the input it needs.
// FACTORS with semicolons ("2,2,2;3,1,2") is a pyramid (downsample_levels): level k goes to
// OUT.raw.k, the deepest level is cut into boxes and each call gets the nested boxes above.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "zoomflow/kernels/downsample.hpp"
#include "zoomflow/kernels/downsample_levels.hpp"

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

// Calls `visit(box)` for each box of a grid of `edge`-voxel boxes over `shape`.
template <class Visit>
bool for_each_box(const Shape& shape, Index edge, Visit visit) {
  IndexVector corner = IndexVector::filled(shape.rank(), 0);
  for (;;) {
    Box box{IndexVector::filled(shape.rank(), 0), IndexVector::filled(shape.rank(), 0)};
    for (int a = 0; a < shape.rank(); ++a) {
      box.origin[a] = corner[a] * edge;
      box.extent[a] = std::min(edge, shape[a] - box.origin[a]);
    }
    if (!visit(box)) return false;
    int a = shape.rank() - 1;
    for (; a >= 0; --a) {
      if (++corner[a] * edge < shape[a]) break;
      corner[a] = 0;
    }
    if (a < 0) return true;
  }
}

bool write_file(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return bool(out);
}

int run_levels(DType dtype, ReduceMethod method, const Shape& shape, const std::string& factors,
               const std::vector<std::byte>& input, const std::string& out_path, Index edge) {
  DownsampleLevels levels{shape, {}, method};
  std::size_t start = 0;
  while (start <= factors.size()) {
    const std::size_t semicolon = std::min(factors.find(';', start), factors.size());
    levels.factors.push_back(parse_shape(factors.substr(start, semicolon - start)));
    start = semicolon + 1;
  }
  if (Status s = levels.validate_for(dtype); !s.ok()) return fail(s.error().message);
  const int count = levels.levels();
  std::vector<std::vector<std::byte>> outputs;
  std::vector<ArrayView> views;
  for (int k = 1; k <= count; ++k) {
    const Shape level_shape = levels.direct(k).output_shape();
    outputs.emplace_back(std::size_t(num_elements(level_shape)) * dtype_size(dtype));
    views.emplace_back(outputs.back().data(), dtype, level_shape);
  }
  const ConstArrayView in_view(input.data(), dtype, shape);
  Workspace workspace;
  std::string error;
  for_each_box(levels.direct(count).output_shape(), edge, [&](const Box& deepest) {
    std::vector<Box> boxes(static_cast<std::size_t>(count));
    boxes.back() = deepest;
    for (int k = count - 1; k >= 1; --k)
      boxes[std::size_t(k - 1)] = downsample_input_box(levels.step(k + 1), boxes[std::size_t(k)]);
    std::vector<ArrayView> box_views;
    for (int k = 0; k < count; ++k)
      box_views.push_back(views[std::size_t(k)].subview(boxes[std::size_t(k)]));
    const Box needed = downsample_input_box(levels.direct(1), boxes[0]);
    const Status s = downsample_levels(levels, in_view.subview(needed), needed.origin, box_views,
                                       boxes, workspace);
    if (!s.ok()) error = s.error().message;
    return s.ok();
  });
  if (!error.empty()) return fail(error);
  for (int k = 1; k <= count; ++k)
    if (!write_file(out_path + "." + std::to_string(k), outputs[std::size_t(k - 1)]))
      return fail("cannot write " + out_path + "." + std::to_string(k));
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 7) return fail("usage: DTYPE METHOD SHAPE FACTORS IN.raw OUT.raw [BOX_EDGE]");
  const auto dtype = parse_dtype(argv[1]);
  const auto method = parse_reduce_method(argv[2]);
  if (!dtype || !method) return fail("unknown dtype or method");
  const Shape shape = parse_shape(argv[3]);
  const Index edge = argc > 7 ? std::stoll(argv[7]) : Index(1) << 40;
  std::ifstream in(argv[5], std::ios::binary);
  std::vector<std::byte> input(std::size_t(num_elements(shape)) * dtype_size(*dtype));
  in.read(reinterpret_cast<char*>(input.data()), std::streamsize(input.size()));
  if (!in || in.peek() != EOF)
    return fail(std::string(argv[5]) + " does not hold the shape's bytes");
  const std::string factors = argv[4];
  if (factors.find(';') != std::string::npos)
    return run_levels(*dtype, *method, shape, factors, input, argv[6], edge);

  const DownsampleSpec spec{shape, parse_shape(factors), *method};
  if (Status s = spec.validate_for(*dtype); !s.ok()) return fail(s.error().message);
  const Shape out_shape = spec.output_shape();
  std::vector<std::byte> output(std::size_t(num_elements(out_shape)) * dtype_size(*dtype));
  const ConstArrayView in_view(input.data(), *dtype, spec.input_shape);
  const ArrayView out_view(output.data(), *dtype, out_shape);
  Workspace workspace;
  std::string error;
  for_each_box(out_shape, edge, [&](const Box& box) {
    const Box needed = downsample_input_box(spec, box);
    const Status s = downsample_box(spec, in_view.subview(needed), needed.origin,
                                    out_view.subview(box), box, workspace);
    if (!s.ok()) error = s.error().message;
    return s.ok();
  });
  if (!error.empty()) return fail(error);
  if (!write_file(argv[6], output)) return fail(std::string("cannot write ") + argv[6]);
  return 0;
}
