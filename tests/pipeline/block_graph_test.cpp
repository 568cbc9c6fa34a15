// The flow graph: every block through every stage once, in stage order; the in-flight bound
// holds; the first error or a cancel stops the run and is reported with its block.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <tbb/task_arena.h>

#include "zoomflow/pipeline/block_graph.hpp"

using namespace zoomflow;

namespace {

BlockPlan plan_of(Index blocks) {
  const ResampleSpec spec{
      {blocks * 4, 8}, {blocks * 4, 8}, Interpolation::kNearest, Grid::kCenters};
  return plan_blocks(spec, Shape{4, 8}, Shape{4, 8});
}

}  // namespace

TEST_CASE("every block passes every stage once, in order, within the in-flight bound") {
  const BlockPlan plan = plan_of(200);
  std::atomic<int> in_flight{0};
  std::atomic<int> most_in_flight{0};
  std::mutex mutex;
  std::vector<std::vector<std::string>> visits(plan.blocks.size());
  auto record = [&](const char* name) {
    return [&, name](BlockWork& work) {
      std::lock_guard lock(mutex);
      visits[work.sequence].push_back(name);
      return ok_status();
    };
  };
  std::vector<BlockStage> stages = {
      {"first", false,
       [&](BlockWork& work) {
         const int now = ++in_flight;
         int seen = most_in_flight.load();
         while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
         }
         return record("first")(work);
       }},
      {"second", false, record("second")},
      {"last", true, record("last")},
  };
  BlockGraphOptions options;
  options.max_blocks_in_flight = 3;
  int done = 0;
  options.on_block_done = [&](const BlockWork&) {
    --in_flight;
    ++done;
  };
  Status status;
  tbb::task_arena(2).execute([&] { status = run_block_graph(plan, stages, options); });
  REQUIRE(status.ok());
  CHECK(done == 200);
  CHECK(most_in_flight.load() <= 3);
  for (const auto& v : visits) CHECK(v == std::vector<std::string>{"first", "second", "last"});
}

TEST_CASE("a failing stage stops the run and names the stage and the block") {
  const BlockPlan plan = plan_of(500);
  std::atomic<int> processed{0};
  std::vector<BlockStage> stages = {
      {"decoding", false,
       [&](BlockWork& work) -> Status {
         ++processed;
         if (work.sequence == 20) return make_error(ErrorCode::kCorrupt, "bad chunk");
         return ok_status();
       }},
      {"writing", true, [](BlockWork&) { return ok_status(); }},
  };
  BlockGraphOptions options;
  options.max_blocks_in_flight = 2;
  const Status status = run_block_graph(plan, stages, options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kCorrupt);
  CHECK(status.error().message.find("decoding") != std::string::npos);
  CHECK(status.error().message.find("[80:84, 0:8]") != std::string::npos);
  CHECK(status.error().message.find("bad chunk") != std::string::npos);
  CHECK(processed.load() < 500);  // cancelled, not run to the end
}

TEST_CASE("setting the cancel flag stops the run with kCancelled") {
  const BlockPlan plan = plan_of(500);
  std::atomic<bool> cancel{false};
  std::atomic<int> processed{0};
  std::vector<BlockStage> stages = {{"work", false, [&](BlockWork&) {
                                       if (++processed == 10) cancel = true;
                                       return ok_status();
                                     }}};
  BlockGraphOptions options;
  options.cancel = &cancel;
  const Status status = run_block_graph(plan, stages, options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kCancelled);
  CHECK(processed.load() < 500);
}
