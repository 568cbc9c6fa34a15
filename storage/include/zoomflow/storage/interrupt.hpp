// SIGINT, SIGTERM and SIGHUP set a flag that long runs poll, so that they stop cleanly and remove
// their temporaries instead of dying half-way. SIGPIPE is ignored (a closed pipe is an EPIPE
// write error), SIGXFSZ too (a file over the size limit is an EFBIG write error).
#pragma once

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::storage {

// Installs the handlers (idempotent).
void install_interrupt_handlers();
// Under an MPI launcher: a repeated SIGINT/SIGTERM/SIGHUP is only noted again, never the default
// action. mpirun forwards a stop as SIGTERM and sends SIGTERM again to the ranks still running
// when another one has exited; a rank cleaning up after the first must survive the second
// (mpirun's SIGKILL, a second later, remains the hard stop). Call before the handlers are
// installed.
void keep_stop_handlers();
// True once SIGINT, SIGTERM or SIGHUP arrived (since the last reset).
bool interrupt_requested();
// The signal number that arrived, or 0.
int interrupt_signal();
// Forgets an interrupt and re-arms the handlers, so a process that stopped one run on Ctrl-C can
// run again (a second Ctrl-C during one run still ends the process at once).
void reset_interrupt();
// kCancelled, "interrupted by signal N (SIGINT)".
Error interrupted_error();

}  // namespace zoomflow::storage
