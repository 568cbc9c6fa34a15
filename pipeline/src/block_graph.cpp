#include "zoomflow/pipeline/block_graph.hpp"

#include <new>
#include <stdexcept>

namespace zoomflow {

Error error_from_exception(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kOutOfMemory,
                      "out of memory; lower --memory-limit (smaller blocks) or --threads, or free "
                      "memory for the run");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("unexpected error: ") + e.what());
  } catch (...) {
    return make_error(ErrorCode::kInternal, "unexpected error (an unknown exception)");
  }
}

namespace detail {

void FirstError::record(Error error) {
  std::lock_guard lock(mutex_);
  if (!error_) error_ = std::move(error);
  graph_.cancel();
}

bool FirstError::failed() const {
  std::lock_guard lock(mutex_);
  return error_.has_value();
}

std::optional<Error> FirstError::take() {
  std::lock_guard lock(mutex_);
  return std::move(error_);
}

Status run_stage_body(const std::function<Status()>& body, const std::string& stage,
                      const Box& box) {
  Status status;
  try {
    status = body();
  } catch (...) {
    status = error_from_exception(std::current_exception());
  }
  if (status.ok() || status.error().code == ErrorCode::kCancelled) return status;
  Error error = status.error();
  error.message = stage + " of block " + to_string(box) + ": " + error.message;
  return error;
}

}  // namespace detail
}  // namespace zoomflow
