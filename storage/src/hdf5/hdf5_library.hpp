// The one door into HDF5. The serial library is not thread-safe, so every HDF5 call, from any
// thread, holds the process-wide lock that lock_hdf5() returns. Taking it also silences HDF5's
// own error printing on this thread and registers the zstd filter once.
#pragma once

#include <mutex>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// Recursive, so that an RAII handle may close itself while its owner holds the lock.
using Hdf5Lock = std::unique_lock<std::recursive_mutex>;
[[nodiscard]] Hdf5Lock lock_hdf5();

// The innermost message on this thread's HDF5 error stack (after a failed call), or "".
std::string hdf5_error_detail();

// `what` failed in HDF5: the message, with HDF5's innermost reason appended when there is one.
Error hdf5_error(ErrorCode code, const std::string& what);

}  // namespace zoomflow::storage
