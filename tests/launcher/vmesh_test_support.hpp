// Running the vmesh binary from tests: environment, captured output, exit code.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "launcher/process/child_process.hpp"
#include "launcher/run/node_list.hpp"

namespace vmesh::launcher::test {

struct VmeshResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A scratch directory removed at destruction (unless keep is set).
struct ScratchDir {
  std::filesystem::path path;
  bool keep = false;
  explicit ScratchDir(const std::string& tag) {
    path = std::filesystem::temp_directory_path() /
           ("vmesh-" + tag + "-" + std::to_string(getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!keep) std::filesystem::remove_all(path, ignored);
  }
};

// Starts vmesh with extra NAME=VALUE environment; output goes to files in `dir`.
inline ChildProcess start_vmesh(const std::vector<std::string>& args,
                                const std::vector<std::string>& env,
                                const std::filesystem::path& dir) {
  SpawnOptions options;
  options.argv = {VMESH_BIN};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env;
  options.stdout_to = dir / "vmesh.out";
  options.stderr_to = dir / "vmesh.err";
  return ChildProcess::spawn(options);
}

inline VmeshResult run_vmesh(const std::vector<std::string>& args,
                             const std::vector<std::string>& env, const std::filesystem::path& dir,
                             std::chrono::seconds timeout) {
  std::filesystem::remove(dir / "vmesh.out");
  std::filesystem::remove(dir / "vmesh.err");
  auto child = start_vmesh(args, env, dir);
  VmeshResult result;
  auto code = child.wait_for(timeout);
  result.exit_code = code ? *code : child.stop(std::chrono::milliseconds(10000));
  result.out = read_text_file(dir / "vmesh.out");
  result.err = read_text_file(dir / "vmesh.err");
  return result;
}

}  // namespace vmesh::launcher::test
