// Waiting for work that runs outside TBB (a GPU stream) without holding a worker thread: the
// calling task is suspended (oneTBB resumable tasks) and its thread runs other tasks of the arena
// (reading, compressing other blocks) until the completion signal resumes it. Outside a TBB
// arena, or where resumable tasks are unavailable, the calling thread blocks instead.
#pragma once

#include <functional>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow {

// Called once when the outside work is complete; from any thread, even before `start` returns.
using CompletionSignal = std::function<void()>;

// Calls start(done), then returns once `done` has been called. When `start` fails, returns its
// error at once; `start` must then guarantee that `done` is never called.
Status await_completion(const std::function<Status(CompletionSignal done)>& start);

}  // namespace zoomflow
