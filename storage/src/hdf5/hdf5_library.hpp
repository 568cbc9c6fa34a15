// The one door into HDF5. The serial library is not thread-safe, so every HDF5 call, from any
// thread, holds the process-wide lock that lock_hdf5() returns; functions that call HDF5 take
// the lock as a parameter, proof that the caller holds it:
//
//   const Hdf5Lock lock = lock_hdf5();
//   ZF_ASSIGN_OR_RETURN(FileHandle file, open_hdf5_file(lock, path, /*writable=*/false));
//
// The first lock initialises the library once (H5dont_atexit before any other HDF5 call, the
// zstd filter registered); every lock silences HDF5's own error printing on its thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

class [[nodiscard]] Hdf5Lock {
 public:
  Hdf5Lock(Hdf5Lock&&) noexcept = default;
  Hdf5Lock& operator=(Hdf5Lock&&) noexcept = default;
  Hdf5Lock(const Hdf5Lock&) = delete;
  Hdf5Lock& operator=(const Hdf5Lock&) = delete;

 private:
  friend Hdf5Lock lock_hdf5();
  explicit Hdf5Lock(std::recursive_mutex& mutex) : lock_(mutex) {}
  // Recursive, so that an RAII handle may close itself while its owner holds the lock.
  std::unique_lock<std::recursive_mutex> lock_;
};

Hdf5Lock lock_hdf5();

// The innermost message on this thread's HDF5 error stack (after a failed call), or "".
std::string hdf5_error_detail(const Hdf5Lock& lock);

// Where this thread's HDF5 error stack says the last call failed, entry by entry (function, line,
// major and minor error number), without the messages: two failures with the same signature
// failed the same way. Compared, never shown.
std::vector<std::string> hdf5_error_signature(const Hdf5Lock& lock);

// `what` failed in HDF5: the message, with HDF5's innermost reason appended when there is one.
Error hdf5_error(const Hdf5Lock& lock, ErrorCode code, const std::string& what);

}  // namespace zoomflow::storage
