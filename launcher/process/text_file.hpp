// Small text-file helpers: read whole, write atomically, last lines.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace vmesh::launcher {

// The whole content of a text file; "" when it cannot be read. Does not throw.
std::string read_text_file(const std::filesystem::path& path);

// Writes `text` to `path` atomically (temporary + rename). Throws std::runtime_error.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

// Last `lines` lines of a text file, each indented by four spaces ("" when unreadable).
std::string tail_lines(const std::filesystem::path& path, std::size_t lines);

}  // namespace vmesh::launcher
