// The one way a run is asked to stop: the caller's flag, or SIGINT/SIGTERM/SIGHUP. Every command
// (resample, pipeline, stats, compare, generate) polls it between blocks, and long steps poll it
// between rows, so a stop takes effect within a fraction of a second.
//
//   std::atomic<bool> stop{false};
//   CancelToken token(&stop);            // or CancelToken() for signals alone
//   if (token.requested()) return token.error();
#pragma once

#include <atomic>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow {

class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(const std::atomic<bool>* flag) : flag_(flag) {}

  bool requested() const {
    return storage::interrupt_requested() ||
           (flag_ != nullptr && flag_->load(std::memory_order_relaxed));
  }
  // kCancelled, saying whether a signal or the caller stopped the run.
  Error error() const {
    if (storage::interrupt_requested()) return storage::interrupted_error();
    return make_error(ErrorCode::kCancelled, "cancelled");
  }

 private:
  const std::atomic<bool>* flag_ = nullptr;
};

// Forgets a signal that stopped an earlier run, so the process can run again.
inline void reset_cancellation() {
  storage::reset_interrupt();
}

}  // namespace zoomflow
