// `zoomflow demo`: the seed problem out of core. The (1024,1024,512) bool box mask is zoomed
// x4 to (4096,4096,2048) — 34 GB uncompressed, more than this machine's memory — and x2, each
// step in its own process so its peak memory is its own.
#include <unistd.h>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "byte_size.hpp"
#include "child_process.hpp"
#include "command.hpp"
#include "work_folder.hpp"
#include "zoomflow/pipeline/backend.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::tools {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string workdir;
  std::string memory_limit = "1GiB";
  std::string shape = "1024,1024,512";
  bool keep = false;
};

struct DemoRow {
  std::string step;
  std::string shape_in;
  std::string shape_out;
  std::int64_t true_in = 0;
  std::int64_t true_out = 0;
  double seconds = 0;
  double output_bytes = 0;
  std::int64_t peak_rss = 0;
};

Status run_demo(const DemoArgs& args) {
  // Ctrl-C stops the child and returns here, so the work folder is removed on the way out.
  storage::install_interrupt_handlers();
  ZF_ASSIGN_OR_RETURN(Shape shape, parse_shape(args.shape));
  // The backend is chosen once: without a GPU the note is said here, not by every child.
  ZF_ASSIGN_OR_RETURN(const BackendChoice backend, choose_backend(Backend::kAuto));
  if (!backend.note.empty()) fmt::print("{}\n", backend.note);
  ZF_RETURN_IF_ERROR(parse_byte_size(args.memory_limit));
  ZF_ASSIGN_OR_RETURN(const WorkFolder dir,
                      WorkFolder::create(args.workdir, "zoomflow-demo", args.keep));

  const std::string seed = dir.dataset("seed.h5", "/mask");
  fmt::print("zoomflow demo: the seed mask {} bool, [50:600, 200:1000, 5:30] = 1, in {}\n",
             to_string(shape), dir.path().string());
  ZF_ASSIGN_OR_RETURN(ChildResult generated,
                      run_self_checked({"generate", seed, "--shape", args.shape, "--dtype", "bool",
                                        "--pattern", "box", "--overwrite"}));
  ZF_ASSIGN_OR_RETURN(std::int64_t true_in, dataset_nonzero(seed));
  fmt::print("generated in {:.1f} s: {} true voxels\n", generated.seconds, true_in);

  std::vector<DemoRow> rows;
  for (int zoom : {4, 2}) {
    const std::string out = dir.dataset(fmt::format("x{}.h5", zoom), "/mask");
    Shape out_shape = shape;
    for (Index& e : out_shape) e *= zoom;
    fmt::print("resampling x{} to {} out of core (memory limit {}) ...\n", zoom,
               to_string(out_shape), args.memory_limit);
    ZF_ASSIGN_OR_RETURN(
        ChildResult child,
        run_self_checked({"resample", seed, out, "--zoom", std::to_string(zoom), "--memory-limit",
                          args.memory_limit, "--backend",
                          std::string(backend_name(backend.backend)), "--overwrite"}));
    ZF_ASSIGN_OR_RETURN(std::int64_t true_out, dataset_nonzero(out));
    rows.push_back({fmt::format("x{} order 0", zoom), to_string(shape), to_string(out_shape),
                    true_in, true_out, child.seconds, double(num_elements(out_shape)),
                    child.peak_rss_bytes});
    if (!args.keep) {
      std::error_code ignored;
      fs::remove(dir.path() / fmt::format("x{}.h5", zoom), ignored);
    }
  }

  fmt::print("\n{:<12} {:>18} {:>20} {:>12} {:>13} {:>9} {:>9} {:>10}\n", "step", "input", "output",
             "true in", "true out", "seconds", "out GB/s", "peak RSS");
  bool exact = true;
  for (const DemoRow& r : rows) {
    fmt::print("{:<12} {:>18} {:>20} {:>12} {:>13} {:>9.2f} {:>9.2f} {:>8.2f}G\n", r.step,
               r.shape_in, r.shape_out, r.true_in, r.true_out, r.seconds,
               r.output_bytes / r.seconds / 1e9, double(r.peak_rss) / double(1 << 30));
    const std::int64_t factor = r.step[1] == '4' ? 64 : 8;
    exact = exact && r.true_out == factor * r.true_in;
  }
  fmt::print("{}\n", exact
                         ? "true voxels out are exactly 64x and 8x the input's: every voxel "
                           "replicated zoom^3 times, as scipy.ndimage.zoom(order=0, grid_mode=True)"
                         : "MISMATCH: true voxels out are not zoom^3 times the input's");
  if (!exact) return make_error(ErrorCode::kInternal, "the demo's voxel counts do not match");
  return ok_status();
}

}  // namespace

void add_demo_command(CLI::App& app, CommandRegistry& registry) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* demo = app.add_subcommand(
      "demo", "The seed problem: the (1024,1024,512) box mask zoomed x4 and x2, out of core");
  demo->add_option("--workdir", args->workdir,
                   "folder for the files, never removed (default: a temporary one, removed)");
  demo->add_option("--memory-limit", args->memory_limit, "for the resampling runs")
      ->capture_default_str();
  demo->add_option("--shape", args->shape, "seed shape (smaller for a quick look)")
      ->capture_default_str();
  demo->add_flag("--keep", args->keep, "keep the generated files");
  demo->callback([args, &registry] { registry.action = [args] { return run_demo(*args); }; });
}

}  // namespace zoomflow::tools
