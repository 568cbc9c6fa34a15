// The zoomflow command: subcommands, and the mapping of errors to one line and an exit status
// (0 success, 1 runtime failure, 2 bad usage).
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/version.hpp"

namespace {

// Asked only when --version is given: the device query starts the CUDA runtime.
std::string version_text() {
  std::string text = "zoomflow " ZOOMFLOW_VERSION "\nbackends: cpu";
  if (!zoomflow::cuda::compiled_in()) return text + " (cuda not compiled in)";
  const zoomflow::cuda::DeviceInfo device = zoomflow::cuda::query_device();
  text += ", cuda\ngpu: ";
  if (device.usable) text += "usable, ";
  text += zoomflow::cuda::describe(device);
  return text;
}

// One line, always: a newline inside a name (a dataset called "a\nb") is shown as \n.
void print_error(const std::string& message) {
  std::string line = "zoomflow: error: ";
  for (char c : message) {
    if (c == '\n')
      line += "\\n";
    else if (c == '\r')
      line += "\\r";
    else
      line += c;
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"zoomflow: resample chunked HDF5 volumes larger than memory"};
  app.set_version_flag("--version", std::function<std::string()>(version_text));
  app.require_subcommand(1);
  zoomflow::tools::CommandRegistry registry;
  zoomflow::tools::add_resample_command(app, registry);
  zoomflow::tools::add_pipeline_command(app, registry);
  zoomflow::tools::add_pyramid_command(app, registry);
  zoomflow::tools::add_info_command(app, registry);
  zoomflow::tools::add_stats_command(app, registry);
  zoomflow::tools::add_compare_command(app, registry);
  zoomflow::tools::add_generate_command(app, registry);
  zoomflow::tools::add_bench_command(app, registry);
  zoomflow::tools::add_demo_command(app, registry);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "zoomflow: %s (see zoomflow --help)\n", e.what());
    return 2;
  }
  try {
    const zoomflow::Status status = registry.action ? registry.action() : zoomflow::Status{};
    if (status.ok()) return 0;
    print_error(status.error().message);
    // Bad usage (2): what the command line names cannot be done, or does not exist. Everything
    // else is a runtime failure (1), the losing side of two runs racing for one output
    // (kAborted) included.
    switch (status.error().code) {
      case zoomflow::ErrorCode::kInvalidArgument:
      case zoomflow::ErrorCode::kNotFound:
      case zoomflow::ErrorCode::kAlreadyExists:
        return 2;
      case zoomflow::ErrorCode::kAborted:
      default:
        return 1;
    }
  } catch (const std::bad_alloc&) {
    print_error("out of memory; lower --memory-limit or --threads, or free memory for the run");
    return 1;
  } catch (const std::exception& e) {
    // Last line of defence: never an abort or a stack trace.
    print_error(std::string("unexpected error: ") + e.what());
    return 1;
  }
}
