// How subcommands plug into the zoomflow command: each registers itself on the CLI11 app and
// leaves the action to run after parsing.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::tools {

// The action of the chosen subcommand; its Status becomes the exit status.
using CommandAction = std::function<Status()>;

struct CommandRegistry {
  CommandAction action;
};

// One function per subcommand, each in its own command_<name>.cpp.
void add_resample_command(CLI::App& app, CommandRegistry& registry);
void add_pipeline_command(CLI::App& app, CommandRegistry& registry);
void add_pyramid_command(CLI::App& app, CommandRegistry& registry);
void add_info_command(CLI::App& app, CommandRegistry& registry);
void add_stats_command(CLI::App& app, CommandRegistry& registry);
void add_compare_command(CLI::App& app, CommandRegistry& registry);
void add_generate_command(CLI::App& app, CommandRegistry& registry);
void add_bench_command(CLI::App& app, CommandRegistry& registry);
void add_demo_command(CLI::App& app, CommandRegistry& registry);

// "1024,1024,512" -> {1024, 1024, 512}; used by CLI11 validators and actions.
Result<std::vector<double>> parse_number_list(const std::string& text);
Result<Shape> parse_shape(const std::string& text);
// One factor for every axis, or one per axis.
Result<std::vector<double>> parse_zoom(const std::string& text, int rank);

}  // namespace zoomflow::tools
