#include "launcher/report/graphviz.hpp"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "launcher/process/child_process.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {

namespace {

// A private scratch directory for dot's input and its stderr, removed with the object.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "vmesh-graph-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
    path = templ;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace

void render_with_dot(const std::string& dot_text, const std::string& format,
                     const std::optional<std::filesystem::path>& out,
                     std::chrono::milliseconds timeout) {
  const ScratchDir scratch;
  const auto input = scratch.path / "graph.dot";
  const auto errors = scratch.path / "dot.err";
  std::ofstream(input) << dot_text;
  SpawnOptions options;
  options.argv = {"dot", "-T" + format};
  if (out) options.argv.insert(options.argv.end(), {"-o", out->string()});
  options.argv.push_back(input.string());
  options.stderr_to = errors;
  ChildProcess dot;
  try {
    dot = ChildProcess::spawn(options);
  } catch (const std::system_error& e) {
    if (e.code().value() == ENOENT) {
      throw GraphvizMissing(
          "Graphviz's dot is not installed (apt-get install graphviz); --format dot writes the "
          "graph source without it");
    }
    throw std::runtime_error(fmt::format("cannot run dot: {}", e.what()));
  }
  const auto code = dot.wait_for(timeout);
  if (!code) {
    dot.stop(std::chrono::milliseconds(1000));
    throw std::runtime_error(fmt::format("dot did not finish within {} s", timeout.count() / 1000));
  }
  if (*code != 0) {
    throw std::runtime_error(
        fmt::format("dot failed (exit {}): {}", *code, read_text_file(errors)));
  }
}

}  // namespace vmesh::launcher
