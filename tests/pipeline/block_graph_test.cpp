// The block graph: every block through every stage once, in stage order; the in-flight bound
// holds; an ordered stage sees blocks in order; the first error, an exception or a cancel stops
// the run and is reported with its stage and block.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <tbb/task_arena.h>

#include "zoomflow/pipeline/block_graph.hpp"

using namespace zoomflow;

namespace {

struct Work {
  std::size_t sequence = 0;
  Box box;
};

BlockGrid grid_of(Index blocks) {
  return BlockGrid(Shape{blocks * 4, 8}, Shape{4, 8});
}

}  // namespace

TEST_CASE("every block passes every stage once, in order, within the in-flight bound") {
  const BlockGrid grid = grid_of(200);
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  std::mutex mutex;
  std::vector<std::vector<std::string>> visits(std::size_t(grid.count()));
  auto record = [&](const char* name) {
    return [&, name](Work& work) {
      std::lock_guard lock(mutex);
      visits[work.sequence].push_back(name);
      return ok_status();
    };
  };
  std::vector<std::size_t> merged;
  const std::vector<Stage<Work>> stages = {
      {"first", StageMode::kParallel,
       [&](Work& work) {
         const int now = ++in_flight;
         int seen = most_in_flight.load();
         while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
         }
         // Later blocks finish first, so an ordered stage has something to reorder.
         if (work.sequence % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
         return record("first")(work);
       }},
      {"second", StageMode::kParallel, record("second")},
      {"merge", StageMode::kOrdered,
       [&](Work& work) {
         merged.push_back(work.sequence);
         return record("merge")(work);
       }},
  };
  int done = 0;
  const std::function<void(Work&)> finished = [&](Work&) {
    --in_flight;
    ++done;
  };
  Status status;
  run_with_threads(4, [&] {
    status = run_block_graph<Work>(grid, stages, {.max_in_flight = 3, .cancel = CancelToken()},
                                   finished);
  });
  REQUIRE(status.ok());
  CHECK(done == 200);
  CHECK(most_in_flight.load() <= 3);
  for (const auto& v : visits) CHECK(v == std::vector<std::string>{"first", "second", "merge"});
  REQUIRE(merged.size() == 200);
  for (std::size_t i = 0; i < merged.size(); ++i) CHECK(merged[i] == i);
}

TEST_CASE("a failing stage stops the run and names the stage and the block") {
  const BlockGrid grid = grid_of(500);
  std::atomic<int> processed{0};
  std::atomic<int> processed_at_failure{-1};
  const std::vector<Stage<Work>> stages = {
      {"decoding", StageMode::kParallel,
       [&](Work& work) -> Status {
         const int count = ++processed;
         if (work.sequence == 20) {
           processed_at_failure = count;
           return make_error(ErrorCode::kCorrupt, "bad chunk");
         }
         return ok_status();
       }},
      {"writing", StageMode::kSerial, [](Work&) { return ok_status(); }},
  };
  // One thread, so that nothing runs between the failing block's count and its error; TBB runs
  // tasks in no fixed order, so the failing block may still come late (last, even).
  Status status;
  run_with_threads(1, [&] {
    status = run_block_graph<Work>(grid, stages, {.max_in_flight = 2, .cancel = CancelToken()});
  });
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kCorrupt);
  CHECK(status.error().message.find("decoding") != std::string::npos);
  CHECK(status.error().message.find("[80:84, 0:8]") != std::string::npos);
  CHECK(status.error().message.find("bad chunk") != std::string::npos);
  // Stopped, not run to the end: after the failure only the other block already admitted (the
  // limit is 2 in flight) may still be processed.
  REQUIRE(processed_at_failure.load() > 0);
  CHECK(processed.load() <= processed_at_failure.load() + 1);
}

TEST_CASE("an exception in a stage or in the done callback is an error, not a crash") {
  const BlockGrid grid = grid_of(100);
  const std::vector<Stage<Work>> throwing = {{"allocating", StageMode::kParallel, [](Work& work) {
                                                if (work.sequence == 5) throw std::bad_alloc();
                                                return ok_status();
                                              }}};
  const Status out_of_memory = run_block_graph<Work>(grid, throwing, {});
  REQUIRE_FALSE(out_of_memory.ok());
  CHECK(out_of_memory.error().code == ErrorCode::kOutOfMemory);
  CHECK(out_of_memory.error().message.find("allocating of block [20:24, 0:8]") !=
        std::string::npos);
  CHECK(out_of_memory.error().message.find("--memory-limit") != std::string::npos);

  const std::vector<Stage<Work>> fine = {
      {"working", StageMode::kParallel, [](Work&) { return ok_status(); }}};
  const std::function<void(Work&)> callback = [](Work& work) {
    if (work.sequence == 3) throw std::runtime_error("the progress bar broke");
  };
  const Status reported = run_block_graph<Work>(grid, fine, {}, callback);
  REQUIRE_FALSE(reported.ok());
  CHECK(reported.error().message.find("the progress bar broke") != std::string::npos);
}

TEST_CASE("setting the cancel flag stops the run with kCancelled") {
  const BlockGrid grid = grid_of(500);
  std::atomic<bool> cancel{false};
  std::atomic<int> processed{0};
  const std::vector<Stage<Work>> stages = {{"work", StageMode::kParallel, [&](Work&) {
                                              if (++processed == 10) cancel = true;
                                              return ok_status();
                                            }}};
  const Status status = run_block_graph<Work>(grid, stages, {.cancel = CancelToken(&cancel)});
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kCancelled);
  CHECK(processed.load() < 500);
}
