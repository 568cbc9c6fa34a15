// In-memory resampling of numpy arrays: the whole array (zoom_into, all threads) or one box of it
// (resample_box, one thread; what zoomflow.dask runs per output block), and the spec and index
// arithmetic between them. The GIL is released while the core runs.
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
#include <tbb/task_arena.h>

#include "bindings.hpp"
#include "errors.hpp"
#include "zoomflow/kernels/boundary_mode.hpp"
#include "zoomflow/kernels/resample_cpu.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/workspace.hpp"
#include "zoomflow/kernels/zoom.hpp"

namespace nb = nanobind;

namespace zoomflow::python {
namespace {

// scipy's spline orders that the core computes, by scipy's order number (the modes are the
// core's own list, kAllBoundaryModes).
constexpr std::pair<int, Interpolation> kOrders[] = {
    {0, Interpolation::kNearest}, {1, Interpolation::kLinear},  {2, Interpolation::kQuadratic},
    {3, Interpolation::kCubic},   {4, Interpolation::kQuartic}, {5, Interpolation::kQuintic},
};

using InputArray = nb::ndarray<nb::ro, nb::device::cpu>;
using OutputArray = nb::ndarray<nb::device::cpu>;
using IndexList = std::vector<Index>;
// The constructor's arguments, which are also the pickled state.
using SpecState = std::tuple<IndexList, IndexList, int, std::string, std::string, double, bool>;

Interpolation interpolation_of(int order) {
  for (const auto& [number, interpolation] : kOrders)
    if (number == order) return interpolation;
  raise_error(make_error(ErrorCode::kInvalidArgument,
                         "order " + std::to_string(order) + " is not available in zoomflow"));
}

Grid grid_of(std::string_view name) {
  if (name == "centers") return Grid::kCenters;
  if (name == "corners") return Grid::kCorners;
  raise_error(make_error(ErrorCode::kInvalidArgument,
                         "grid '" + std::string(name) + "' must be 'centers' or 'corners'"));
}

BoundaryMode mode_of(std::string_view name) {
  const std::optional<BoundaryMode> mode = parse_boundary_mode(name);
  if (!mode)
    raise_error(
        make_error(ErrorCode::kInvalidArgument,
                   "mode '" + std::string(name) + "' is not one of " + boundary_mode_names()));
  return *mode;
}

std::string grid_name(Grid grid) {
  return grid == Grid::kCenters ? "centers" : "corners";
}

IndexVector index_vector(const IndexList& values, const char* what) {
  if (values.size() > std::size_t(kMaxRank))
    raise_error(make_error(ErrorCode::kInvalidArgument,
                           std::string(what) + " has rank " + std::to_string(values.size()) +
                               "; zoomflow takes ranks 1 to " + std::to_string(kMaxRank)));
  return IndexVector(std::span<const Index>(values));
}

IndexList index_list(const IndexVector& v) {
  return IndexList(v.begin(), v.end());
}

ResampleSpec make_spec(const SpecState& state) {
  const auto& [input_shape, output_shape, order, mode, grid, cval, prefilter] = state;
  ResampleSpec spec;
  spec.input_shape = index_vector(input_shape, "input shape");
  spec.output_shape = index_vector(output_shape, "output shape");
  spec.interpolation = interpolation_of(order);
  spec.mode = mode_of(mode);
  spec.grid = grid_of(grid);
  spec.cval = cval;
  spec.prefilter = prefilter;
  ok_or_raise(spec.validate());
  return spec;
}

SpecState state_of(const ResampleSpec& s) {
  return {index_list(s.input_shape),
          index_list(s.output_shape),
          s.order(),
          std::string(boundary_mode_name(s.mode)),
          grid_name(s.grid),
          s.cval,
          s.prefilter};
}

std::optional<DType> dtype_of(const nb::dlpack::dtype& dtype) {
  using Code = nb::dlpack::dtype_code;
  if (dtype.lanes != 1) return std::nullopt;
  const auto code = Code(dtype.code);
  if (code == Code::Bool && dtype.bits == 8) return DType::kBool;
  if (code == Code::Float && dtype.bits == 32) return DType::kFloat32;
  if (code == Code::Float && dtype.bits == 64) return DType::kFloat64;
  if (code == Code::Int || code == Code::UInt) {
    const bool is_signed = code == Code::Int;
    switch (dtype.bits) {
      case 8:
        return is_signed ? DType::kInt8 : DType::kUInt8;
      case 16:
        return is_signed ? DType::kInt16 : DType::kUInt16;
      case 32:
        return is_signed ? DType::kInt32 : DType::kUInt32;
      case 64:
        return is_signed ? DType::kInt64 : DType::kUInt64;
      default:
        break;
    }
  }
  return std::nullopt;
}

// The array's dtype, shape and element strides (any sign) as the core's view.
template <class View, class Array>
View view_of(const Array& array, const char* what) {
  const std::optional<DType> dtype = dtype_of(array.dtype());
  if (!dtype) {
    PyErr_SetString(
        PyExc_TypeError,
        (std::string(what) + " has an element type zoomflow does not resample (bool, int8..int64, "
                             "uint8..uint64, float32, float64)")
            .c_str());
    throw nb::python_error();
  }
  IndexList shape(array.ndim()), strides(array.ndim());
  for (std::size_t a = 0; a < array.ndim(); ++a) {
    shape[a] = Index(array.shape(a));
    strides[a] = Index(array.stride(a));
  }
  using Byte = std::remove_pointer_t<decltype(std::declval<View>().data())>;
  return View(static_cast<Byte*>(const_cast<void*>(static_cast<const void*>(array.data()))), *dtype,
              index_vector(shape, what), index_vector(strides, what));
}

// zoom_into on `threads` threads (0: all), without the GIL.
void zoom_array(const ResampleSpec& spec, const InputArray& input, const OutputArray& output,
                int threads) {
  const auto in = view_of<ConstArrayView>(input, "the input");
  const auto out = view_of<ArrayView>(output, "the output");
  Status status;
  {
    nb::gil_scoped_release release;
    const auto run = [&] { status = zoom_into(in, out, spec); };
    if (threads > 0) {
      tbb::task_arena arena(threads);
      arena.execute(run);
    } else {
      run();
    }
  }
  ok_or_raise(status);
}

// resample_box on the calling thread, without the GIL: `output` holds the output box starting at
// `output_origin`, `input` the input box starting at `input_origin`.
void resample_array_box(const ResampleSpec& spec, const InputArray& input,
                        const IndexList& input_origin, const OutputArray& output,
                        const IndexList& output_origin, Workspace& workspace) {
  const auto in = view_of<ConstArrayView>(input, "the input");
  const auto out = view_of<ArrayView>(output, "the output");
  Box box{index_vector(output_origin, "the output origin"), out.shape()};
  const IndexVector origin = index_vector(input_origin, "the input origin");
  Status status;
  {
    nb::gil_scoped_release release;
    status = resample_box(spec, in, origin, out, box, workspace);
  }
  ok_or_raise(status);
}

std::string spec_repr(const ResampleSpec& spec) {
  return "ResampleSpec(input_shape=" + to_string(spec.input_shape) +
         ", output_shape=" + to_string(spec.output_shape) +
         ", order=" + std::to_string(spec.order()) + ", mode='" +
         std::string(boundary_mode_name(spec.mode)) + "', grid='" + grid_name(spec.grid) +
         "', cval=" + std::to_string(spec.cval) +
         ", prefilter=" + (spec.prefilter ? "True" : "False") + ")";
}

}  // namespace

void register_arrays(nb::module_& m) {
  nb::list orders;
  for (const auto& entry : kOrders) orders.append(entry.first);
  m.attr("ORDERS") = nb::tuple(orders);
  nb::list modes;
  for (BoundaryMode mode : kAllBoundaryModes) {
    const std::string_view name = boundary_mode_name(mode);
    modes.append(nb::str(name.data(), name.size()));
  }
  m.attr("MODES") = nb::tuple(modes);
  m.attr("MAX_RANK") = kMaxRank;
  nb::list dtypes;
  for (DType dtype : kAllDTypes) {
    const std::string_view name = dtype_name(dtype);
    dtypes.append(nb::str(name.data(), name.size()));
  }
  m.attr("DTYPES") = nb::tuple(dtypes);

  nb::class_<ResampleSpec>(m, "ResampleSpec",
                           "What a resampling computes: input and output shapes, spline order, "
                           "mode, grid ('centers' is scipy's grid_mode=True), cval, prefilter.")
      .def(
          "__init__",
          [](ResampleSpec* self, const IndexList& input_shape, const IndexList& output_shape,
             int order, const std::string& mode, const std::string& grid, double cval,
             bool prefilter) {
            new (self) ResampleSpec(
                make_spec({input_shape, output_shape, order, mode, grid, cval, prefilter}));
          },
          nb::arg("input_shape"), nb::arg("output_shape"), nb::arg("order") = 0,
          nb::arg("mode") = "nearest", nb::arg("grid") = "centers", nb::arg("cval") = 0.0,
          nb::arg("prefilter") = true)
      .def_prop_ro(
          "input_shape",
          [](const ResampleSpec& s) { return nb::tuple(nb::cast(index_list(s.input_shape))); })
      .def_prop_ro(
          "output_shape",
          [](const ResampleSpec& s) { return nb::tuple(nb::cast(index_list(s.output_shape))); })
      .def_prop_ro("order", &ResampleSpec::order)
      .def_prop_ro("mode",
                   [](const ResampleSpec& s) { return std::string(boundary_mode_name(s.mode)); })
      .def_prop_ro("grid", [](const ResampleSpec& s) { return grid_name(s.grid); })
      .def_ro("cval", &ResampleSpec::cval)
      .def_ro("prefilter", &ResampleSpec::prefilter)
      .def("__repr__", &spec_repr)
      // Pickled for dask.distributed: the constructor's arguments.
      .def("__getstate__", &state_of)
      .def("__setstate__",
           [](ResampleSpec* self, const SpecState& state) {
             new (self) ResampleSpec(make_spec(state));
           })
      .def(
          "required_input_box",
          [](const ResampleSpec& spec, const IndexList& origin, const IndexList& extent) {
            const Box box{index_vector(origin, "the output origin"),
                          index_vector(extent, "the output extent")};
            if (box.rank() != spec.rank() || extent.size() != origin.size() ||
                !Box::from_shape(spec.output_shape).contains(box))
              raise_error(make_error(ErrorCode::kInvalidArgument,
                                     "output box " + to_string(box) + " lies outside " +
                                         to_string(spec.output_shape)));
            const Box input = required_input_box(spec, box);
            return std::make_pair(index_list(input.origin), index_list(input.extent));
          },
          nb::arg("origin"), nb::arg("extent"),
          "The input box (origin, extent) whose voxels the output box depends on: the spline's "
          "taps and, for prefiltered orders, the prefilter's halo.");

  m.def(
      "zoomed_shape",
      [](const IndexList& shape, const std::vector<double>& zoom) {
        return index_list(value_or_raise(zoomed_shape(index_vector(shape, "the input"), zoom)));
      },
      nb::arg("shape"), nb::arg("zoom"),
      "scipy's output shape: round-half-even(n * zoom) per axis, at least 1.");
  m.def("zoom_into", &zoom_array, nb::arg("spec"), nb::arg("input"), nb::arg("output"),
        nb::arg("threads") = 0,
        "Resamples the whole input into output (shape the spec's, any dtype), on `threads` "
        "threads (0: all).");
  nb::class_<Workspace>(m, "Workspace",
                        "Scratch memory resample_box borrows, kept between calls: one per thread "
                        "(fresh pages for every block would cost a page fault each).")
      .def(nb::init<>())
      .def_prop_ro("bytes_held", &Workspace::bytes_held);
  m.def("resample_box", &resample_array_box, nb::arg("spec"), nb::arg("input"),
        nb::arg("input_origin"), nb::arg("output"), nb::arg("output_origin"), nb::arg("workspace"),
        "Fills output (the output box at output_origin, any dtype) from input (the input box at "
        "input_origin, covering required_input_box), on the calling thread, with scratch from "
        "`workspace` (one per thread).");
}

}  // namespace zoomflow::python
