#include "zoomflow/pipeline/communicator.hpp"

#include <cstdlib>

namespace zoomflow {
namespace {

// The integer in environment variable `name`, or -1.
int env_int(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' && value >= 0 && value < (1L << 30) ? int(value) : -1;
}

}  // namespace

LaunchInfo mpi_launch_info() {
  // Open MPI's mpirun, then PMIx launchers (srun --mpi=pmix, prrte), then PMI-1/2 (MPICH's
  // hydra, srun --mpi=pmi2).
  const struct {
    const char* rank;
    const char* size;
  } kLaunchers[] = {{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                    {"PMIX_RANK", "PMIX_SIZE"},
                    {"PMI_RANK", "PMI_SIZE"}};
  for (const auto& launcher : kLaunchers) {
    const int rank = env_int(launcher.rank);
    const int size = env_int(launcher.size);
    if (rank < 0 && size < 0) continue;
    LaunchInfo info;
    info.launched = true;
    info.rank = rank < 0 ? 0 : rank;
    info.size = size < 0 ? 0 : size;
    return info;
  }
  return {};
}

}  // namespace zoomflow
