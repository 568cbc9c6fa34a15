#include "zoomflow/pipeline/number.hpp"

#include <charconv>
#include <cmath>

namespace zoomflow {
namespace {

template <class F>
std::string float_text(F value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

}  // namespace

std::string to_string(const Number& number) {
  if (const auto* i = std::get_if<std::int64_t>(&number)) return std::to_string(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&number)) return std::to_string(*u);
  if (const auto* f = std::get_if<float>(&number)) return float_text(*f);
  return float_text(std::get<double>(number));
}

double to_double(const Number& number) {
  return std::visit([](auto v) { return double(v); }, number);
}

}  // namespace zoomflow
