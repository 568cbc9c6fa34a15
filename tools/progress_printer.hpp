// Draws pipeline progress on standard error: a bar on a terminal, a line about every 5 %
// otherwise, nothing when quiet.
#pragma once

#include <string>

#include "zoomflow/pipeline/progress.hpp"

namespace zoomflow::tools {

// Writes `text` to standard error; a failed write (a closed pipe: EPIPE) is ignored, so that
// reporting never fails a run. Returns whether it was written.
bool write_stderr(const std::string& text);

class ProgressPrinter {
 public:
  ProgressPrinter(std::string label, bool quiet);
  void operator()(const Progress& progress);
  // Ends the bar's line.
  void finish();

 private:
  std::string label_;
  bool quiet_;
  bool terminal_;
  int last_percent_ = -1;
  double last_draw_ = -1;
  bool drew_ = false;
};

}  // namespace zoomflow::tools
