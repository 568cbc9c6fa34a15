// Whether the calling thread may suspend its current TBB task (internal to pipeline/).
#pragma once

#include <oneapi/tbb/task.h>
#include <oneapi/tbb/task_arena.h>

namespace zoomflow::detail {

// oneTBB's resumable tasks need the platform's support (glibc Linux has it) and a thread that is
// running inside an arena; anywhere else, callers block their thread instead.
inline bool can_suspend_task() {
#if __TBB_RESUMABLE_TASKS
  return tbb::this_task_arena::current_thread_index() != tbb::task_arena::not_initialized;
#else
  return false;
#endif
}

}  // namespace zoomflow::detail
