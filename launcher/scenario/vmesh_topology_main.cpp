// vmesh-topology: validate a topology file and print what it describes.
//   vmesh-topology check FILE   exit 0 and a summary on stdout, or exit 1 and
//                               "file:line:col: message" on stderr
//   vmesh-topology graph FILE [-o OUT.svg|OUT.dot] [--stats STATS.json]
//                               who hears whom as SVG (Graphviz's dot) or DOT
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "launcher/scenario/scenario_parser.hpp"
#include "launcher/scenario/scenario_summary.hpp"
#include "medium/topology_dot.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: vmesh-topology check FILE\n"
    "       vmesh-topology graph FILE [-o OUT.svg|OUT.dot] [--stats STATS.json]\n"
    "  check: validates a vmesh topology file and prints its nodes, who hears whom with the\n"
    "  link parameters, the events and the checks.\n"
    "  graph: draws who hears whom with the link parameters (SVG through Graphviz's dot, or\n"
    "  DOT when OUT ends in .dot or is missing); --stats adds the delivery ratios measured by\n"
    "  vmesh-relay (--stats-file, or `stats` on its control port).\n"
    "  Exit status 0 on success, 1 on an invalid file or a failed render, 2 on usage errors.\n";

std::string read_file(const std::string& path) {
  std::string text;
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

// Writes DOT, or renders it to SVG with Graphviz's dot. Returns the exit status.
int write_graph(const std::string& dot, const std::string& out) {
  if (out.empty()) {
    fmt::print("{}", dot);
    return 0;
  }
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, ".dot") == 0) {
    FILE* f = std::fopen(out.c_str(), "w");
    if (f == nullptr) {
      fmt::print(stderr, "vmesh-topology: cannot write {}\n", out);
      return 1;
    }
    std::fputs(dot.c_str(), f);
    std::fclose(f);
    return 0;
  }
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    fmt::print(stderr,
               "vmesh-topology: Graphviz's dot is not installed (apt-get install graphviz); "
               "use -o FILE.dot for the graph source\n");
    return 1;
  }
  const std::string command = "dot -Tsvg -o '" + out + "'";
  FILE* pipe = ::popen(command.c_str(), "w");
  if (pipe == nullptr) return 1;
  std::fputs(dot.c_str(), pipe);
  if (::pclose(pipe) != 0) {
    fmt::print(stderr, "vmesh-topology: dot failed to render {}\n", out);
    return 1;
  }
  return 0;
}

int graph(int argc, char** argv) {
  std::string out;
  std::string stats;
  for (int i = 3; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "-o" || arg == "--stats") && i + 1 < argc) {
      (arg == "-o" ? out : stats) = argv[++i];
    } else {
      fmt::print(stderr, "{}", kUsage);
      return 2;
    }
  }
  const auto topology = vmesh::launcher::load_scenario_file(argv[2]).topology;
  vmesh::medium::MeasuredLinks measured;
  if (!stats.empty()) measured = vmesh::medium::parse_relay_stats(read_file(stats));
  return write_graph(vmesh::medium::topology_to_dot(topology, measured), out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help")) {
    fmt::print("{}", kUsage);
    return 0;
  }
  const bool is_graph = argc >= 3 && std::string_view(argv[1]) == "graph";
  if (!is_graph && (argc != 3 || std::string_view(argv[1]) != "check")) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  try {
    if (is_graph) return graph(argc, argv);
    const vmesh::launcher::Scenario scenario = vmesh::launcher::load_scenario_file(argv[2]);
    fmt::print("{}", vmesh::launcher::summarize_scenario(scenario));
    return 0;
  } catch (const vmesh::medium::TopologyError& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 1;
  }
}
