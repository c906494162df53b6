#include "launcher/process/interrupt.hpp"

#include <signal.h>

namespace vmesh::launcher {
namespace {

volatile sig_atomic_t g_signal = 0;

void on_signal(int signal_number) {
  g_signal = signal_number;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool interrupted() noexcept {
  return g_signal != 0;
}

int interrupt_signal() noexcept {
  return g_signal;
}

void throw_if_interrupted() {
  if (interrupted()) throw Interrupted();
}

}  // namespace vmesh::launcher
