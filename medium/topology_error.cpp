#include "medium/topology_error.hpp"

#include <utility>

namespace vmesh::medium {

namespace {
std::string format_location(const std::string& file, std::uint32_t line, std::uint32_t column,
                            const std::string& message) {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}
}  // namespace

TopologyError::TopologyError(std::string file, std::uint32_t line, std::uint32_t column,
                             std::string message)
    : std::runtime_error(format_location(file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

}  // namespace vmesh::medium
