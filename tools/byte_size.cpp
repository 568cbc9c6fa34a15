#include "byte_size.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace zoomflow::tools {

Result<std::uint64_t> parse_byte_size(std::string_view text) {
  const auto invalid = [&] {
    std::string message(text);  // appended, not prefixed: GCC 12 warns falsely on "'" + string
    message.append(" is not a size (examples: 512MiB, 2GiB, 1.5G)");
    return make_error(ErrorCode::kInvalidArgument, message);
  };
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) return invalid();
  std::string suffix(text.substr(digits));
  for (char& c : suffix) c = char(std::toupper(static_cast<unsigned char>(c)));
  double scale = 0;
  const std::string_view units = "KMGT";
  if (suffix.empty() || suffix == "B") {
    scale = 1;
  } else if (const auto power = units.find(suffix[0]); power != std::string_view::npos) {
    const std::string rest = suffix.substr(1);
    if (rest.empty() || rest == "IB")
      scale = std::pow(1024.0, double(power + 1));
    else if (rest == "B")
      scale = std::pow(1000.0, double(power + 1));
  }
  if (scale == 0) return invalid();
  const double bytes = number * scale;
  if (!(bytes >= 1) || bytes > 9.0e18) return invalid();
  return std::uint64_t(bytes);
}

}  // namespace zoomflow::tools
