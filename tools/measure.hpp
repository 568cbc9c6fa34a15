// Timing and memory figures for the benchmark and demo tables.
#pragma once

#include <chrono>
#include <cstdint>

#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::tools {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// CPU seconds (user + system, every thread) this process has used so far: unlike wall time,
// little moved by other jobs on a shared machine.
double process_cpu_seconds();

// Wall and CPU seconds of a stretch of work.
struct Timing {
  double wall = 0;
  double cpu = 0;
};

class TimingWatch {
 public:
  TimingWatch() : cpu_(process_cpu_seconds()) {}
  Timing elapsed() const { return {wall_.seconds(), process_cpu_seconds() - cpu_}; }

 private:
  Stopwatch wall_;
  double cpu_;
};

// The process's peak resident set so far (getrusage), in bytes.
std::int64_t peak_rss_bytes();

// Nonzero elements of a contiguous array, counted on all threads.
std::int64_t count_nonzero(ConstArrayView array);

}  // namespace zoomflow::tools
