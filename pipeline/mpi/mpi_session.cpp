#include "zoomflow/pipeline/mpi_session.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace zoomflow {
namespace {

class WorldCommunicator final : public Communicator {
 public:
  WorldCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  Status agree(const Status& mine) override {
    int vote = vote_of(mine);
    int first = size_;
    MPI_Allreduce(&vote, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return error_of(first, mine);
  }

  Status agree_while(const Status& mine, const std::function<void()>& waiting) override {
    int vote = vote_of(mine);
    int first = size_;
    MPI_Request request;
    MPI_Iallreduce(&vote, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request);
    int arrived = 0;
    while (true) {
      MPI_Test(&request, &arrived, MPI_STATUS_IGNORE);
      if (arrived) break;
      if (waiting) waiting();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return error_of(first, mine);
  }

  void broadcast(std::string& text) override { broadcast_from(0, text); }

  std::int64_t sum(std::int64_t value) override {
    long long mine = value;
    long long total = 0;
    MPI_Allreduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    return total;
  }

  [[noreturn]] void abort(const std::string& message) override {
    std::string line = "zoomflow: error: ";
    for (char c : message) line += c == '\n' ? ' ' : c;
    line += '\n';
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);  // MPI_Abort does not return; should it, this process still ends
  }

 private:
  // This rank's number when it failed, else the size (the minimum over ranks: the first failure).
  int vote_of(const Status& mine) const { return mine.ok() ? size_ : rank_; }

  // The failing rank's error, sent to every rank; ok when none failed.
  Status error_of(int first, const Status& mine) {
    if (first >= size_) return ok_status();
    std::string text;
    int code = 0;
    if (rank_ == first) {
      code = int(mine.error().code);
      text = (first == 0 ? "" : "rank " + std::to_string(first) + ": ") + mine.error().message;
    }
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    broadcast_from(first, text);
    return make_error(ErrorCode(code), text);
  }

  void broadcast_from(int root, std::string& text) {
    long long length = static_cast<long long>(text.size());
    MPI_Bcast(&length, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
    text.resize(std::size_t(length));
    if (length > 0) MPI_Bcast(text.data(), int(length), MPI_CHAR, root, MPI_COMM_WORLD);
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

Result<std::unique_ptr<MpiSession>> MpiSession::start() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return make_error(ErrorCode::kUnavailable, "MPI could not start (MPI_Init_thread failed)");
  std::unique_ptr<MpiSession> session(new MpiSession());
  session->world_ = std::make_unique<WorldCommunicator>();
  return session;
}

MpiSession::~MpiSession() {
  world_.reset();
  MPI_Finalize();
}

}  // namespace zoomflow
