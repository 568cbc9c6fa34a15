// Errors carried as values to the edge of the program (TensorStore's Result<T> style).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace zoomflow {

// What went wrong, coarsely: the command line maps InvalidArgument, NotFound (a file or folder it
// names does not exist) and AlreadyExists (bad usage) to exit status 2, the others to 1.
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kUnsupported,
  kAlreadyExists,
  // Another run changed the same place meanwhile (two runs writing one new output: the one that
  // finishes second): a runtime failure, not bad usage.
  kAborted,
  kIoError,
  kCorrupt,
  kCancelled,
  kOutOfMemory,
  kUnavailable,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
  return {code, std::move(message)};
}

// A value or the Error that prevented it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const Error& error() const { return std::get<1>(state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

// Success, or the Error that prevented it.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

inline Status ok_status() {
  return {};
}

}  // namespace zoomflow

#define ZF_CONCAT_INNER(a, b) a##b
#define ZF_CONCAT(a, b) ZF_CONCAT_INNER(a, b)

// Returns the error of a failed Status or Result from the enclosing function.
#define ZF_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    auto&& zf_status_ = (expr);                      \
    if (!zf_status_.ok()) return zf_status_.error(); \
  } while (false)

#define ZF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()

// `ZF_ASSIGN_OR_RETURN(auto x, f());` declares x from a Result or returns its error.
#define ZF_ASSIGN_OR_RETURN(lhs, expr) \
  ZF_ASSIGN_OR_RETURN_IMPL(ZF_CONCAT(zf_result_, __LINE__), lhs, expr)
