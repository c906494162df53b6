// SIGINT/SIGTERM turn into a flag that the waiting loops of vmesh poll, so an interrupted
// run unwinds through the destructors (reverse teardown) instead of dying mid-way.
#pragma once

#include <stdexcept>

namespace vmesh::launcher {

class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

// Installs the handlers (sigaction, no SA_RESTART). Also ignores SIGPIPE.
void install_interrupt_handlers();
// True once SIGINT or SIGTERM arrived.
bool interrupted() noexcept;
// Throws Interrupted when interrupted().
void throw_if_interrupted();
// The signal that arrived (0 if none).
int interrupt_signal() noexcept;

}  // namespace vmesh::launcher
