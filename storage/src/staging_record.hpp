// The owner record of an output's hidden temporary. A new file or store (or a new array inside an
// existing store) is written under ".NAME.zoomflow-ID.tmp", and beside it a folder
// ".NAME.zoomflow-ID.run" says who made it: host, boot, PID and that process's start time (so a
// PID the system handed to another process does not look alive). The record is made before the
// temporary and removed after it, so a temporary of this version never lacks one. With it a run
//   - sweeps its folder of the leftovers of killed runs (SIGKILL cannot be caught): records of
//     this host whose process is gone; a live run's and another host's are never touched;
//   - continues (`resume`) the temporary of an interrupted run of the same request: a resumable
//     output's ID is a hash of its request, which the record keeps, so a rerun finds it, checks
//     that the request is the same, and carries on; an interrupted run of another request for
//     the same output is refused, naming the first line that differs.
// The record folder is also where a run keeps records of its own (the pipeline's logs of the
// blocks it finished); it is never part of the output.
//
//   auto record = StagingRecord::claim({.final_path = "out.zarr", .request = text}).value();
//   create and fill record->temporary() ...; move it to out.zarr; record->finish();
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

struct StagingRequest {
  std::filesystem::path final_path;  // where the temporary goes when complete
  // Empty: not resumable (a random ID). Else the request as "key=value" lines; its hash is the ID.
  std::string request;
  // Continue an interrupted run's temporary of the same request (kept if this run fails too).
  bool resume = false;
  // A worker of the owner's run (an MPI rank other than 0): the names only; nothing is made,
  // checked or removed.
  bool attach = false;
};

class StagingRecord {
 public:
  // Sweeps the final name's folder (sparing this output's records when resuming), then claims
  // the temporary: continues an interrupted one (resumed()) or makes a new record (the caller
  // creates the temporary itself). Fails (kUnavailable) when a live run holds the same request's
  // temporary, (kInvalidArgument) when `resume` finds only an interrupted run of another request.
  static Result<std::unique_ptr<StagingRecord>> claim(const StagingRequest& request);
  StagingRecord(const StagingRecord&) = delete;
  StagingRecord& operator=(const StagingRecord&) = delete;
  // Unless finished, attached or resumable: removes the temporary, then the record.
  ~StagingRecord();

  const std::filesystem::path& temporary() const { return temporary_; }
  const std::filesystem::path& folder() const { return folder_; }
  // The temporary is an interrupted run's, continued.
  bool resumed() const { return resumed_; }
  // Named from a request (StagingRequest::request), so a later run can continue it.
  bool resumable() const { return resumable_; }
  // One line saying what the sweep removed or what was resumed, or empty.
  const std::string& notice() const { return notice_; }
  // The temporary was moved into place: removes the record.
  void finish();
  // Removes the temporary and the record now (a failed run that is not resumable).
  void discard();

 private:
  StagingRecord() = default;
  std::filesystem::path final_;
  std::filesystem::path temporary_;
  std::filesystem::path folder_;
  bool attached_ = false;
  bool keep_on_failure_ = false;
  bool resumed_ = false;
  bool resumable_ = false;
  bool done_ = false;
  std::string notice_;
};

// Removes the leftovers of killed runs in `folder` (see above), except the records of
// `spare_final` (an output a resuming run is about to look at). Returns one line naming what
// was removed, or an empty string.
std::string sweep_stale_temporaries(const std::filesystem::path& folder,
                                    const std::filesystem::path& spare_final = {});

// The ID of a resumable request: 16 hex digits of its 64-bit FNV-1a hash.
std::string request_id(const std::string& request);

}  // namespace zoomflow::storage
