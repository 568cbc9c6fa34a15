// `zoomflow demo`: the seed problem. Until the out-of-core pipeline lands it runs the
// in-memory kernel benchmark on the seed volume (x2, which fits in memory).
#include "bench_kernel.hpp"
#include "command.hpp"

namespace zoomflow::tools {

void add_demo_command(CLI::App& app, CommandRegistry& registry) {
  CLI::App* demo = app.add_subcommand(
      "demo", "The seed problem: the (1024,1024,512) box mask zoomed x2 in memory");
  demo->callback([&registry] {
    registry.action = []() -> Status { return run_kernel_bench(KernelBenchOptions{}); };
  });
}

}  // namespace zoomflow::tools
