// The HDF5 zstd filter (id 32015, cd_values[0] = level) as an H5Z class: registered in-process by
// the storage layer and exported by the plugin library, one implementation for both.
#pragma once

#include <H5Ipublic.h>
#include <H5Zpublic.h>
#include <H5public.h>

namespace zoomflow::storage {

// The filter's class description (static storage).
const H5Z_class2_t* zstd_filter_class();

}  // namespace zoomflow::storage
