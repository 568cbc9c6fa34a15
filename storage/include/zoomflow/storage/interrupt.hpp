// SIGINT and SIGTERM set a flag that long runs poll, so that they stop cleanly and remove their
// temporaries instead of dying half-way.
#pragma once

namespace zoomflow::storage {

// Installs the handlers (idempotent).
void install_interrupt_handlers();
// True once SIGINT or SIGTERM arrived.
bool interrupt_requested();
// The signal number that arrived, or 0.
int interrupt_signal();

}  // namespace zoomflow::storage
