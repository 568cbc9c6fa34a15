// The first check on a path zoomflow reads (any format), before anything opens it: it must be a
// regular file or a folder that this process may read. A FIFO, a device or a socket is refused
// (opening a FIFO for reading would wait for a writer forever), and so is a path without read
// permission, with a line that says so rather than "not an HDF5 file".
#pragma once

#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

enum class PathKind { kFile, kFolder };

// Regular file or folder, readable (a folder also searchable); `writable`: a regular file must
// be writable too (an existing HDF5 file that a new dataset goes into).
Result<PathKind> check_input_path(const std::string& path, bool writable = false);

}  // namespace zoomflow::storage
