// The zoomflow command: subcommands, and the mapping of errors to one line and an exit status
// (0 success, 1 runtime failure, 2 bad usage). Started by an MPI launcher (mpirun, srun), it
// starts MPI for resample and pipeline, whose runs the ranks share, and only rank 0 prints; started
// otherwise it never touches MPI.
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "output_options.hpp"
#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/pipeline/communicator.hpp"
#include "zoomflow/storage/interrupt.hpp"
#include "zoomflow/version.hpp"
#ifdef ZOOMFLOW_HAS_MPI
#include "zoomflow/pipeline/mpi_session.hpp"
#else
namespace zoomflow {
class MpiSession {};  // built without MPI: never started
}  // namespace zoomflow
#endif

namespace {

// Asked only when --version is given: the device query starts the CUDA runtime.
std::string version_text() {
#ifdef ZOOMFLOW_HAS_MPI
  const std::string mpi = "\nmpi: compiled in (mpirun -n N zoomflow resample|pipeline ...)";
#else
  const std::string mpi = "\nmpi: not compiled in";
#endif
  std::string text = "zoomflow " ZOOMFLOW_VERSION "\nbackends: cpu";
  if (!zoomflow::cuda::compiled_in()) return text + " (cuda not compiled in)" + mpi;
  const zoomflow::cuda::DeviceInfo device = zoomflow::cuda::query_device();
  text += ", cuda\ngpu: ";
  if (device.usable) text += "usable, ";
  text += zoomflow::cuda::describe(device);
  return text + mpi;
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

// Under an MPI launcher: MPI for the commands whose runs the ranks share, a refusal for the
// others when there are several ranks (each would do the whole job). Returns an exit status to
// end with, or nothing to go on.
std::optional<int> join_mpi_job(const CLI::App& app, const zoomflow::LaunchInfo& launch,
                                std::unique_ptr<zoomflow::MpiSession>* session) {
  const std::string name = app.get_subcommands().front()->get_name();
  const bool shared = name == "resample" || name == "pipeline";
  if (!shared) {
    if (launch.size == 1) return std::nullopt;
    if (launch.rank == 0)
      print_error("zoomflow " + name +
                  " runs in one process; under mpirun only resample and pipeline share their "
                  "work among the ranks");
    return 2;
  }
#ifdef ZOOMFLOW_HAS_MPI
  auto started = zoomflow::MpiSession::start();
  if (!started.ok()) {
    print_error(started.error().message);
    return 1;
  }
  *session = std::move(*started);
  zoomflow::tools::job_communicator() = &(*session)->world();
  zoomflow::storage::keep_stop_handlers();
  return std::nullopt;
#else
  (void)session;
  if (launch.size == 1) return std::nullopt;
  if (launch.rank == 0)
    print_error(
        "this zoomflow was built without MPI, so its ranks cannot share a run: rebuild "
        "with Debian's libopenmpi-dev installed, or run without mpirun");
  return 2;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const zoomflow::LaunchInfo launch = zoomflow::mpi_launch_info();
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
    if (launch.rank == 0) std::fprintf(stderr, "zoomflow: %s (see zoomflow --help)\n", e.what());
    return 2;
  }
  std::unique_ptr<zoomflow::MpiSession> session;
  if (launch.launched)
    if (const std::optional<int> exit_status = join_mpi_job(app, launch, &session))
      return *exit_status;
  // An exception that escaped the engine: other ranks may be waiting in a collective call.
  const auto fail = [](const std::string& message) {
    zoomflow::Communicator* job = zoomflow::tools::job_communicator();
    if (job != nullptr && job->size() > 1)
      job->abort("rank " + std::to_string(job->rank()) + " of " + std::to_string(job->size()) +
                 ": " + message);
    print_error(message);
  };
  try {
    const zoomflow::Status status = registry.action ? registry.action() : zoomflow::Status{};
    if (status.ok()) return 0;
    // In an MPI job every rank returns the same (agreed) error: rank 0 says it.
    if (zoomflow::tools::speaks()) print_error(status.error().message);
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
    fail("out of memory; lower --memory-limit or --threads, or free memory for the run");
    return 1;
  } catch (const std::exception& e) {
    // Last line of defence: never an abort or a stack trace.
    fail(std::string("unexpected error: ") + e.what());
    return 1;
  }
}
