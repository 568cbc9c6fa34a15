// The machinery the CUDA stage waits with, driven by a fake device (a thread that completes
// queued jobs one at a time after a delay, as a GPU stream would): tasks waiting for the device
// free their threads, slots bound the work in flight, and a failed start never hangs.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <oneapi/tbb/task.h>
#include <tbb/task_arena.h>

#include "zoomflow/pipeline/await_completion.hpp"
#include "zoomflow/pipeline/block_work.hpp"
#include "zoomflow/pipeline/slot_pool.hpp"

using namespace zoomflow;

namespace {

// Completes each submitted job `delay` after the previous one, in order, on its own thread.
class FakeDevice {
 public:
  explicit FakeDevice(std::chrono::microseconds delay)
      : delay_(delay), worker_([this] { run(); }) {}
  ~FakeDevice() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    ready_.notify_one();
    worker_.join();
  }
  void submit(CompletionSignal done) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(done));
    }
    ready_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      CompletionSignal job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      std::this_thread::sleep_for(delay_);
      job();
    }
  }

  std::chrono::microseconds delay_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<CompletionSignal> jobs_;
  bool stop_ = false;
  std::thread worker_;
};

BlockGrid plan_of(Index blocks) {
  return BlockGrid(Shape{blocks * 4, 8}, Shape{4, 8});
}

}  // namespace

TEST_CASE("one thread keeps every slot busy: waiting for the device suspends tasks, not threads") {
  FakeDevice device(std::chrono::milliseconds(2));
  SlotPool slots(4);
  const BlockGrid plan = plan_of(60);
  std::vector<std::atomic<int>> visits(std::size_t(plan.count()));
  std::atomic<int> in_device{0};
  std::atomic<int> most_in_device{0};
  const std::vector<BlockStage> stages = {
      {"device", StageMode::kParallel,
       [&](BlockWork& work) -> Status {
         const SlotLease lease(slots);
         CHECK(lease.slot() >= 0);
         CHECK(lease.slot() < 4);
         const int now = ++in_device;
         int seen = most_in_device.load();
         while (now > seen && !most_in_device.compare_exchange_weak(seen, now)) {
         }
         ZF_RETURN_IF_ERROR(await_completion([&](CompletionSignal done) {
           device.submit(std::move(done));
           return ok_status();
         }));
         --in_device;
         ++visits[work.sequence];
         return ok_status();
       }},
      {"after", StageMode::kSerial, [](BlockWork&) { return ok_status(); }},
  };
  Status status;
  tbb::task_arena(1).execute([&] {
    status =
        run_block_graph<BlockWork>(plan, stages, {.max_in_flight = 8, .cancel = CancelToken()});
  });
  REQUIRE(status.ok());
  for (const auto& v : visits) CHECK(v.load() == 1);
  CHECK(most_in_device.load() <= 4);  // the slots bound the work at the device
#if __TBB_RESUMABLE_TASKS
  // With a single thread, more than one block at the device at once is only possible because
  // the waiting tasks gave the thread back.
  CHECK(slots.peak_in_use() == 4);
  CHECK(most_in_device.load() == 4);
#endif
  MESSAGE("slots busy at once with one thread: " << slots.peak_in_use());
}

TEST_CASE("a start that fails returns its error at once, and the graph names the block") {
  FakeDevice device(std::chrono::microseconds(100));
  const BlockGrid plan = plan_of(50);
  const std::vector<BlockStage> stages = {
      {"uploading", StageMode::kParallel, [&](BlockWork& work) -> Status {
         return await_completion([&](CompletionSignal done) -> Status {
           if (work.sequence == 7) return make_error(ErrorCode::kOutOfMemory, "no room");
           device.submit(std::move(done));
           return ok_status();
         });
       }}};
  Status status;
  tbb::task_arena(2).execute([&] {
    status =
        run_block_graph<BlockWork>(plan, stages, {.max_in_flight = 4, .cancel = CancelToken()});
  });
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kOutOfMemory);
  CHECK(status.error().message.find("uploading of block [28:32, 0:8]") != std::string::npos);
  CHECK(status.error().message.find("no room") != std::string::npos);
}

TEST_CASE("await_completion outside any task: in an arena, outside one, on a fresh thread") {
  FakeDevice device(std::chrono::microseconds(200));
  auto submit = [&](CompletionSignal done) {
    device.submit(std::move(done));
    return ok_status();
  };
  CHECK(await_completion(submit).ok());
  tbb::task_arena(2).execute([&] { CHECK(await_completion(submit).ok()); });
  Status on_thread;
  std::thread([&] { on_thread = await_completion(submit); }).join();
  CHECK(on_thread.ok());
  // A signal given before start returns is fine too.
  CHECK(await_completion([](CompletionSignal done) {
          done();
          return ok_status();
        }).ok());
}

TEST_CASE("slots are handed out once each and waiters are served in turn, from plain threads") {
  SlotPool slots(2);
  CHECK(slots.size() == 2);
  std::atomic<int> holders{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const SlotLease lease(slots);
        const int now = ++holders;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(20));
        --holders;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(most.load() <= 2);
  CHECK(slots.peak_in_use() == 2);
}
