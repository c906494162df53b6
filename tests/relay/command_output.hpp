// The standard output of a shell command, for tests that read a capture with tshark.
#pragma once

#include <cstdio>
#include <string>

namespace vmesh::test {

inline std::string command_output(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  std::string out;
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace vmesh::test
