#include "zoomflow/storage/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <mutex>

namespace zoomflow::storage {
namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the handler needs a lock-free flag");

extern "C" void on_signal(int signal) {
  g_signal.store(signal, std::memory_order_relaxed);
}

void install(int signal) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // A second signal of the same kind takes the default action: a user who presses Ctrl-C twice
  // gets the process ended at once.
  action.sa_flags = SA_RESETHAND;
  sigaction(signal, &action, nullptr);
}

}  // namespace

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    install(SIGINT);
    install(SIGTERM);
  });
}

bool interrupt_requested() {
  return g_signal.load(std::memory_order_relaxed) != 0;
}

int interrupt_signal() {
  return g_signal.load(std::memory_order_relaxed);
}

}  // namespace zoomflow::storage
