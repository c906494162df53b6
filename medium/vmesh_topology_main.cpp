// vmesh-topology: validate a topology file and print what it describes.
//   vmesh-topology check FILE   exit 0 and a summary on stdout, or exit 1 and
//                               "file:line:col: message" on stderr
#include <fmt/format.h>

#include <cstdio>
#include <string_view>

#include "medium/topology_parser.hpp"
#include "medium/topology_summary.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: vmesh-topology check FILE\n"
    "  Validates a vmesh topology file and prints its nodes, who hears whom with the link\n"
    "  parameters, the events and the checks. Exit status 0 when valid, 1 when not, 2 on\n"
    "  a usage error.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
    fmt::print("{}", kUsage);
    return 0;
  }
  if (argc != 3 || std::string_view(argv[1]) != "check") {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  try {
    const vmesh::medium::Topology topology = vmesh::medium::load_topology_file(argv[2]);
    fmt::print("{}", vmesh::medium::summarize_topology(topology));
    return 0;
  } catch (const vmesh::medium::TopologyError& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 1;
  }
}
