#include "launcher/run/wait_helper.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {

void wait_helper(ChildProcess& child, const std::string& what,
                 std::chrono::steady_clock::time_point deadline, const std::filesystem::path& log) {
  using std::chrono::milliseconds;
  while (true) {
    throw_if_interrupted();
    if (auto code = child.wait_for(milliseconds(100))) {
      if (*code != 0) {
        throw std::runtime_error(fmt::format("{} failed (exit {}); {}:\n{}", what, *code,
                                             log.string(), tail_lines(log, 15)));
      }
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      child.stop(milliseconds(1000));
      throw std::runtime_error(fmt::format("{} did not finish before the run's timeout", what));
    }
  }
}

}  // namespace vmesh::launcher
