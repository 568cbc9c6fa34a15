// The parts of the nanobind module zoomflow._core, one registration function per file.
#pragma once

#include <nanobind/nanobind.h>

namespace zoomflow::python {

// arrays.cpp: in-memory resampling of numpy arrays (zoom_into, resample_box, the spec).
void register_arrays(nanobind::module_& m);
// file_runs.cpp: out-of-core runs on datasets (resample, pipeline) and the dataset tools.
void register_file_runs(nanobind::module_& m);

}  // namespace zoomflow::python
