// Core errors as Python exceptions of the fitting built-in type, carrying the message the command
// line prints after "zoomflow: error: ".
#pragma once

#include <span>
#include <string>
#include <utility>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::python {

// Sets the Python error for `error` and throws nanobind::python_error. kInvalidArgument becomes
// FileNotFoundError when one of `named_files` (files the call names) does not exist, as the
// storage layer reports a missing file as an invalid argument; ValueError otherwise.
[[noreturn]] void raise_error(const Error& error, std::span<const std::string> named_files = {});

// The value of a Result, or its error raised.
template <class T>
T value_or_raise(Result<T> result, std::span<const std::string> named_files = {}) {
  if (!result.ok()) raise_error(result.error(), named_files);
  return std::move(result).value();
}

inline void ok_or_raise(const Status& status, std::span<const std::string> named_files = {}) {
  if (!status.ok()) raise_error(status.error(), named_files);
}

}  // namespace zoomflow::python
