#include "zoomflow/kernels/reduce_method.hpp"

namespace zoomflow {

std::string_view reduce_method_name(ReduceMethod method) {
  switch (method) {
    case ReduceMethod::kStride:
      return "stride";
    case ReduceMethod::kMean:
      return "mean";
    case ReduceMethod::kMode:
      return "mode";
    case ReduceMethod::kMedian:
      return "median";
    case ReduceMethod::kMin:
      return "min";
    case ReduceMethod::kMax:
      return "max";
  }
  return "unknown";
}

std::optional<ReduceMethod> parse_reduce_method(std::string_view name) {
  for (ReduceMethod m : kAllReduceMethods)
    if (reduce_method_name(m) == name) return m;
  return std::nullopt;
}

}  // namespace zoomflow
