#include <charconv>
#include <string>
#include <vector>

#include "command.hpp"

namespace zoomflow::tools {

Result<std::vector<double>> parse_number_list(const std::string& text) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    double value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      return make_error(ErrorCode::kInvalidArgument,
                        "'" + text + "' is not a comma-separated list of numbers");
    values.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace zoomflow::tools
