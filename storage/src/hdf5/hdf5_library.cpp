#include "hdf5_library.hpp"

#include <hdf5.h>

#include "zstd_hdf5_filter.hpp"

namespace zoomflow::storage {
namespace {

std::recursive_mutex& hdf5_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

// HDF5 keeps its error stack and its automatic printing per thread (this build is compiled
// thread-safe, and a serial build has one stack anyway): silence it once on every thread.
void silence_this_thread() {
  thread_local bool silenced = false;
  if (silenced) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  silenced = true;
}

void initialise_library() {
  // No HDF5 clean-up at exit: zoomflow closes every file it commits itself, and HDF5 1.10 crashes
  // in its exit handler on a file whose close failed (a full disk), where the file is a
  // temporary that is being removed anyway.
  H5dont_atexit();
  H5open();
  // Registered in-process, so that HDF5 itself reads and writes zstd chunks (fallback reads,
  // h5py-style filter pipelines) without the plugin; a failure only loses that fallback.
  H5Zregister(zstd_filter_class());
}

herr_t innermost(unsigned, const H5E_error2_t* error, void* client) {
  auto* text = static_cast<std::string*>(client);
  if (text->empty() && error->desc != nullptr) *text = error->desc;
  return 0;
}

}  // namespace

Hdf5Lock lock_hdf5() {
  Hdf5Lock lock(hdf5_mutex());
  // Once, under the lock, before any other HDF5 call (H5dont_atexit must come first).
  static std::once_flag initialised;
  std::call_once(initialised, initialise_library);
  silence_this_thread();
  return lock;
}

namespace {

// One line: HDF5's low-level messages span lines and carry buffer addresses and times; of
// "file write failed: time = ..., error message = 'File too large', ..." keep the first clause
// and the system's message.
std::string tidy(const std::string& detail) {
  std::string text = detail.substr(0, detail.find(": time = "));
  const std::string marker = "error message = '";
  if (const std::size_t at = detail.find(marker); at != std::string::npos) {
    const std::size_t start = at + marker.size();
    text += ": " + detail.substr(start, detail.find('\'', start) - start);
  }
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

}  // namespace

std::string hdf5_error_detail(const Hdf5Lock&) {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &text);
  return tidy(text);
}

namespace {

herr_t signature_entry(unsigned, const H5E_error2_t* error, void* client) {
  auto* entries = static_cast<std::vector<std::string>*>(client);
  entries->push_back(std::string(error->func_name ? error->func_name : "") + ":" +
                     std::to_string(error->line) + ":" + std::to_string(error->maj_num) + ":" +
                     std::to_string(error->min_num));
  return 0;
}

}  // namespace

std::vector<std::string> hdf5_error_signature(const Hdf5Lock&) {
  std::vector<std::string> entries;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, signature_entry, &entries);
  return entries;
}

Error hdf5_error(const Hdf5Lock& lock, ErrorCode code, const std::string& what) {
  const std::string detail = hdf5_error_detail(lock);
  return make_error(code, detail.empty() ? what : what + " (HDF5: " + detail + ")");
}

}  // namespace zoomflow::storage
