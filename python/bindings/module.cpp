// zoomflow._core: the nanobind module under the Python package zoomflow. The package's public
// functions (zoomflow.zoom, zoomflow.resample, zoomflow.dask.zoom, ...) are Python code over it.
#include <nanobind/nanobind.h>

#include "bindings.hpp"
#include "zoomflow/version.hpp"

NB_MODULE(_core, m) {
  m.doc() =
      "zoomflow's C++ core (kernels, storage, pipeline), bound thinly; use the zoomflow package";
  m.attr("__version__") = ZOOMFLOW_VERSION;
  m.attr("HAS_CUDA") = bool(ZOOMFLOW_HAS_CUDA);
  zoomflow::python::register_arrays(m);
  zoomflow::python::register_file_runs(m);
}
