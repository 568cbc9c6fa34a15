#include "zoomflow/storage/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <mutex>
#include <string>

namespace zoomflow::storage {
namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_installed{false};
std::atomic<bool> g_keep{false};
static_assert(std::atomic<int>::is_always_lock_free, "the handler needs a lock-free flag");

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_signal(int signal) {
  g_signal.store(signal, std::memory_order_relaxed);
}

void install(int signal) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // A second signal of the same kind takes the default action: a user who presses Ctrl-C twice
  // gets the process ended at once (not under MPI: keep_stop_handlers).
  action.sa_flags = g_keep.load() ? 0 : SA_RESETHAND;
  sigaction(signal, &action, nullptr);
}

void ignore(int signal) {
  struct sigaction action {};
  action.sa_handler = SIG_IGN;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, nullptr);
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int signal : kStopSignals) install(signal);
    ignore(SIGPIPE);
    ignore(SIGXFSZ);
    g_installed.store(true);
  });
}

void keep_stop_handlers() {
  g_keep.store(true);
}

bool interrupt_requested() {
  return g_signal.load(std::memory_order_relaxed) != 0;
}

int interrupt_signal() {
  return g_signal.load(std::memory_order_relaxed);
}

void reset_interrupt() {
  g_signal.store(0, std::memory_order_relaxed);
  if (g_installed.load())
    for (int signal : kStopSignals) install(signal);
}

Error interrupted_error() {
  const int signal = interrupt_signal();
  return make_error(ErrorCode::kCancelled, "interrupted by signal " + std::to_string(signal) +
                                               " (" + signal_name(signal) + ")");
}

}  // namespace zoomflow::storage
