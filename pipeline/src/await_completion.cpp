#include "zoomflow/pipeline/await_completion.hpp"

#include <memory>
#include <optional>
#include <semaphore>

#include "task_suspension.hpp"

namespace zoomflow {
namespace {

Status blocking_await(const std::function<Status(CompletionSignal)>& start) {
  // Shared with the signal, which may still be returning when this thread wakes and leaves.
  auto done = std::make_shared<std::binary_semaphore>(0);
  ZF_RETURN_IF_ERROR(start([done] { done->release(); }));
  done->acquire();
  return ok_status();
}

}  // namespace

Status await_completion(const std::function<Status(CompletionSignal)>& start) {
#if __TBB_RESUMABLE_TASKS
  if (detail::can_suspend_task()) {
    // Written only when `start` failed, before the resume below; there is no other resume then.
    std::optional<Error> failure;
    // The callable runs on this thread before the task is switched out; a resume that comes
    // early (even from inside `start`) is held by oneTBB until the switch is complete.
    tbb::task::suspend([&](tbb::task::suspend_point tag) {
      Status started = start([tag] { tbb::task::resume(tag); });
      if (!started.ok()) {
        failure = started.error();
        tbb::task::resume(tag);
      }
    });
    if (failure) return *failure;
    return ok_status();
  }
#endif
  return blocking_await(start);
}

}  // namespace zoomflow
