// A fixed set of interchangeable slots (the CUDA streams with their device buffers) shared by
// the tasks of a flow graph. A task that finds none free is suspended, not its thread: the thread
// goes on with other blocks, and so cannot deadlock against the tasks that hold the slots and
// need a thread to resume.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace zoomflow {

class SlotPool {
 public:
  explicit SlotPool(int count);
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;

  // A free slot in 0 .. size()-1; waits (suspending the calling TBB task where it can) while
  // every slot is taken. Waiters are served first come, first served.
  int acquire();
  // Gives a slot back, to the longest waiter if there is one.
  void release(int slot);

  int size() const { return count_; }
  // The most slots taken at once so far: 2 or more means work on different slots overlapped.
  int peak_in_use() const;

 private:
  struct Waiter {
    int slot = -1;
    std::function<void()> wake;
  };
  int take_locked();

  const int count_;
  mutable std::mutex mutex_;
  std::vector<int> free_;
  std::deque<Waiter*> waiters_;
  int in_use_ = 0;
  int peak_in_use_ = 0;
};

// Holds one slot for a scope.
class SlotLease {
 public:
  explicit SlotLease(SlotPool& pool) : pool_(pool), slot_(pool.acquire()) {}
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;
  ~SlotLease() { pool_.release(slot_); }
  int slot() const { return slot_; }

 private:
  SlotPool& pool_;
  int slot_;
};

}  // namespace zoomflow
