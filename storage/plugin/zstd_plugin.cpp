// The HDF5 plugin: HDF5 loads this library from HDF5_PLUGIN_PATH when it meets filter 32015
// (zstd) and asks it for the filter class, the one the storage layer registers in-process.
#include <H5PLextern.h>

#include "../src/hdf5/zstd_hdf5_filter.hpp"

extern "C" {

H5PL_type_t H5PLget_plugin_type(void) {
  return H5PL_TYPE_FILTER;
}

const void* H5PLget_plugin_info(void) {
  return zoomflow::storage::zstd_filter_class();
}
}
