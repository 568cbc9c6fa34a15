// The processes of one job that write one output together (the ranks of an MPI job), as the
// engine needs them: who this process is, agreement while a run is set up, and a way to end the
// whole job at once. The engine holds no MPI type: the MPI implementation is
// zoomflow/pipeline/mpi_session.hpp, built when MPI is found, and used by the command line.
//
//   RunOptions options;
//   options.communicator = &session.world();   // run_chain splits the blocks among the ranks
//
// Every collective call (agree, broadcast, sum, agree_while) must be made by every rank in the
// same order; the engine makes them only while setting a run up and once at its end, never per
// block.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Every rank gets the error of the lowest rank that failed (its message prefixed "rank R: " when
  // R is not 0), or ok when none did. Collective.
  virtual Status agree(const Status& mine) = 0;
  // As agree(), calling `waiting` about every 0.2 s until every rank has arrived (rank 0 draws
  // the job's progress there). Collective.
  virtual Status agree_while(const Status& mine, const std::function<void()>& waiting) = 0;
  // Rank 0's `text` on every rank. Collective.
  virtual void broadcast(std::string& text) = 0;
  // The sum of every rank's `value`. Collective.
  virtual std::int64_t sum(std::int64_t value) = 0;
  // Ends every rank of the job now, after a failure that other ranks, busy with their own
  // blocks, cannot learn of in any other way: writes `message` as one line on standard error
  // ("zoomflow: error: rank R of N: ..."), then aborts the job. Never returns.
  [[noreturn]] virtual void abort(const std::string& message) = 0;
};

// Where this process stands in a job that an MPI launcher (mpirun, mpiexec, srun) started, read
// from the environment alone (OMPI_COMM_WORLD_*, PMIX_RANK, PMI_RANK/PMI_SIZE, without touching
// MPI); rank 0 of 1 when no launcher started it.
struct LaunchInfo {
  bool launched = false;  // started by an MPI launcher
  int rank = 0;
  int size = 1;  // 0 when the launcher does not say (PMIx without a size variable)
};
LaunchInfo mpi_launch_info();

}  // namespace zoomflow
