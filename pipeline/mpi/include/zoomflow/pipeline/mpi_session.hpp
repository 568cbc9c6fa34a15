// MPI for the zoomflow command: started only when an MPI launcher started the process
// (mpi_launch_info() in communicator.hpp), finalised when the session ends. Its world
// communicator is what run_chain splits a run's blocks with.
//
//   auto session = MpiSession::start();          // MPI_Init_thread, MPI_THREAD_FUNNELED
//   options.communicator = &(*session)->world();
//
// Only the thread that started the session calls MPI (the engine calls the communicator from
// it alone: set-up, the end of a run, an abort).
#pragma once

#include <memory>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/pipeline/communicator.hpp"

namespace zoomflow {

class MpiSession {
 public:
  static Result<std::unique_ptr<MpiSession>> start();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession();  // MPI_Finalize
  Communicator& world() { return *world_; }

 private:
  MpiSession() = default;
  std::unique_ptr<Communicator> world_;
};

}  // namespace zoomflow
