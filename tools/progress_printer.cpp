#include "progress_printer.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/core.h>

namespace zoomflow::tools {

bool write_stderr(const std::string& text) {
  const bool written = std::fputs(text.c_str(), stderr) >= 0 && std::fflush(stderr) == 0;
  if (!written) std::clearerr(stderr);
  return written;
}

ProgressPrinter::ProgressPrinter(std::string label, bool quiet)
    : label_(std::move(label)), quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}

void ProgressPrinter::operator()(const Progress& p) {
  if (quiet_ || p.blocks_total == 0) return;
  const double fraction = double(p.blocks_done) / double(p.blocks_total);
  const int percent = int(fraction * 100);
  const double gb = double(p.output_bytes_done) / 1e9;
  const double rate = p.seconds > 0 ? gb / p.seconds : 0;
  const double eta = fraction > 0 ? p.seconds * (1 - fraction) / fraction : 0;
  if (terminal_) {
    if (p.blocks_done != p.blocks_total && p.seconds - last_draw_ < 0.1) return;
    last_draw_ = p.seconds;
    constexpr int kWidth = 30;
    const int filled = int(fraction * kWidth);
    // A closed standard error (EPIPE) ends the progress, not the run.
    quiet_ = !write_stderr(fmt::format(
        "\r{} [{}{}] {}/{} blocks  {:.2f} GB  {:.2f} GB/s  ETA {:.0f}s   ", label_,
        std::string(std::size_t(filled), '#'), std::string(std::size_t(kWidth - filled), '.'),
        p.blocks_done, p.blocks_total, gb, rate, eta));
    drew_ = !quiet_;
  } else if (percent / 5 != last_percent_ / 5 || p.blocks_done == p.blocks_total) {
    if (percent == last_percent_) return;
    last_percent_ = percent;
    quiet_ = !write_stderr(fmt::format("{}: {:3d}% {}/{} blocks, {:.2f} GB, {:.2f} GB/s\n", label_,
                                       percent, p.blocks_done, p.blocks_total, gb, rate));
  }
}

void ProgressPrinter::finish() {
  if (drew_) write_stderr("\n");
  drew_ = false;
}

}  // namespace zoomflow::tools
