// The error thrown for an invalid topology file: where (file:line:column) and what.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vmesh::medium {

class TopologyError : public std::runtime_error {
 public:
  // what() is "file:line:column: message" (1-based), or "file: message" when line is 0
  // (the file itself could not be read).
  TopologyError(std::string file, std::uint32_t line, std::uint32_t column, std::string message);

  const std::string& file() const noexcept { return file_; }
  std::uint32_t line() const noexcept { return line_; }
  std::uint32_t column() const noexcept { return column_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string file_;
  std::uint32_t line_;
  std::uint32_t column_;
  std::string message_;
};

}  // namespace vmesh::medium
