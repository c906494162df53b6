// Rendering DOT text with Graphviz's `dot`, run as a tracked child process.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace vmesh::launcher {

// `dot` is not installed (not found in PATH).
class GraphvizMissing : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `dot_text` to a temporary file and runs `dot -T<format> [-o out] FILE` (format
// "svg", "png", ...). Without `out` the picture goes to this process's stdout. Throws
// GraphvizMissing, or std::runtime_error with dot's own message when it fails or does not
// finish within `timeout` (then it is stopped).
void render_with_dot(const std::string& dot_text, const std::string& format,
                     const std::optional<std::filesystem::path>& out,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace vmesh::launcher
