#include "errors.hpp"

#include <filesystem>

#include <Python.h>
#include <nanobind/nanobind.h>

namespace nb = nanobind;

namespace zoomflow::python {
namespace {

bool any_missing(std::span<const std::string> files) {
  for (const std::string& file : files) {
    std::error_code ec;
    if (!file.empty() && !std::filesystem::exists(file, ec)) return true;
  }
  return false;
}

PyObject* exception_type(const Error& error, std::span<const std::string> named_files) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return any_missing(named_files) ? PyExc_FileNotFoundError : PyExc_ValueError;
    case ErrorCode::kNotFound:
      return PyExc_FileNotFoundError;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kAborted:  // another run wrote the same new output first
      return PyExc_FileExistsError;
    case ErrorCode::kUnsupported:
    case ErrorCode::kIoError:
    case ErrorCode::kCorrupt:
      return PyExc_OSError;
    case ErrorCode::kOutOfMemory:
      return PyExc_MemoryError;
    case ErrorCode::kCancelled:
      return PyExc_KeyboardInterrupt;
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      break;
  }
  return PyExc_RuntimeError;
}

}  // namespace

void raise_error(const Error& error, std::span<const std::string> named_files) {
  PyErr_SetString(exception_type(error, named_files), error.message.c_str());
  throw nb::python_error();
}

}  // namespace zoomflow::python
