// Placeholder until this subcommand lands; replaced by its implementation.
#include "command.hpp"

namespace zoomflow::tools {

void add_info_command(CLI::App&, CommandRegistry&) {}

}  // namespace zoomflow::tools
