#include "zoomflow/pipeline/slot_pool.hpp"

#include <algorithm>
#include <memory>
#include <semaphore>

#include "task_suspension.hpp"

namespace zoomflow {

SlotPool::SlotPool(int count) : count_(std::max(count, 1)) {
  // Slot 0 is handed out first.
  for (int slot = count_ - 1; slot >= 0; --slot) free_.push_back(slot);
}

int SlotPool::take_locked() {
  const int slot = free_.back();
  free_.pop_back();
  peak_in_use_ = std::max(peak_in_use_, ++in_use_);
  return slot;
}

int SlotPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) return take_locked();
  }
  Waiter waiter;
#if __TBB_RESUMABLE_TASKS
  if (detail::can_suspend_task()) {
    tbb::task::suspend([&](tbb::task::suspend_point tag) {
      std::unique_lock lock(mutex_);
      // A slot may have come back since the check above.
      if (!free_.empty()) {
        waiter.slot = take_locked();
        lock.unlock();
        tbb::task::resume(tag);
        return;
      }
      waiter.wake = [tag] { tbb::task::resume(tag); };
      waiters_.push_back(&waiter);
    });
    return waiter.slot;
  }
#endif
  // Shared with the wake function, which may still be returning when this thread leaves.
  auto woken = std::make_shared<std::binary_semaphore>(0);
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) return take_locked();
    waiter.wake = [woken] { woken->release(); };
    waiters_.push_back(&waiter);
  }
  woken->acquire();
  return waiter.slot;
}

void SlotPool::release(int slot) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      free_.push_back(slot);
      --in_use_;
      return;
    }
    // Handed straight over, so no newcomer can overtake the waiter; `in_use_` is unchanged.
    Waiter* waiter = waiters_.front();
    waiters_.pop_front();
    waiter->slot = slot;
    // Copied out: once woken, the waiter returns and its Waiter is gone.
    wake = std::move(waiter->wake);
  }
  wake();
}

int SlotPool::peak_in_use() const {
  std::lock_guard lock(mutex_);
  return peak_in_use_;
}

}  // namespace zoomflow
