// `vmesh graph` with the real vmesh binary and Graphviz's real dot: line3 is three nodes
// and two undirected edges (a symmetric link is one edge), one-way differences are two
// arrows, --live labels the links with the counters of a real relay.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "launcher/control/relay_control.hpp"
#include "launcher/run/run_state.hpp"
#include "medium/topology_dot.hpp"
#include "tests/launcher/vmesh_test_support.hpp"
#include "tests/relay/relay_process.hpp"
#include "tests/relay/test_peer.hpp"
#include "tests/relay/topology_fixture.hpp"

namespace vmesh::launcher::test {
namespace {

const std::string kLine3Path = VMESH_TOPOLOGIES_DIR "/line3.toml";

struct SvgGraph {
  std::vector<std::string> node_titles;
  std::vector<std::string> edge_titles;
  int edges_with_arrowheads = 0;
};

// The <g class="node"> and <g class="edge"> groups of dot's SVG output with their titles.
SvgGraph parse_svg(const std::string& svg) {
  SvgGraph graph;
  static const std::regex group(
      R"re(<g id="[a-z]+[0-9]+" class="(node|edge)">\s*<title>([^<]*)</title>)re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), group); it != std::sregex_iterator();
       ++it) {
    const auto end = svg.find("</g>", static_cast<std::size_t>(it->position()));
    const std::string body = svg.substr(static_cast<std::size_t>(it->position()),
                                        end - static_cast<std::size_t>(it->position()));
    if ((*it)[1] == "node") {
      graph.node_titles.push_back((*it)[2]);
    } else {
      graph.edge_titles.push_back((*it)[2]);
      if (body.find("<polygon") != std::string::npos) ++graph.edges_with_arrowheads;
    }
  }
  return graph;
}

bool dot_installed() {
  return std::system("command -v dot >/dev/null 2>&1") == 0;
}

TEST(VmeshGraph, Line3IsThreeNodesAndTwoUndirectedEdges) {
  if (!dot_installed()) GTEST_SKIP() << "Graphviz's dot is not installed";
  ScratchDir dir("graph");
  const auto svg_path = dir.path / "line3.svg";
  const auto result = run_vmesh({"graph", kLine3Path, "-o", svg_path.string()}, {}, dir.path,
                                std::chrono::seconds(60));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string svg = read_text_file(svg_path);
  ASSERT_NE(svg.find("<svg"), std::string::npos) << svg;
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("xmllint --noout '" + svg_path.string() + "'").c_str()), 0)
        << "SVG is not well-formed XML";
  }
  const SvgGraph graph = parse_svg(svg);
  EXPECT_EQ(std::set<std::string>(graph.node_titles.begin(), graph.node_titles.end()),
            (std::set<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(graph.node_titles.size(), 3u);
  // Symmetric links with the same parameters both ways: one undirected edge each, no arrows.
  EXPECT_EQ(std::set<std::string>(graph.edge_titles.begin(), graph.edge_titles.end()),
            (std::set<std::string>{"n1&#45;&#45;n2", "n2&#45;&#45;n3"}));
  EXPECT_EQ(graph.edge_titles.size(), 2u);
  EXPECT_EQ(graph.edges_with_arrowheads, 0);
  EXPECT_NE(svg.find(">1ms<"), std::string::npos) << "link parameters missing from the labels";

  // Without -o the SVG goes to stdout.
  const auto to_stdout = run_vmesh({"graph", kLine3Path}, {}, dir.path, std::chrono::seconds(60));
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(parse_svg(to_stdout.out).edge_titles.size(), 2u);
}

TEST(VmeshGraph, OneWayDifferenceIsTwoArrows) {
  if (!dot_installed()) GTEST_SKIP() << "Graphviz's dot is not installed";
  ScratchDir dir("graph");
  const auto topology = dir.path / "oneway.toml";
  std::ofstream(topology) << "[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\n"
                             "[[link]]\nnodes = [\"a\", \"b\"]\n"
                             "[[link]]\nfrom = \"a\"\nto = \"b\"\nloss = 0.25\n";
  const auto result = run_vmesh({"graph", topology.string(), "--format", "svg"}, {}, dir.path,
                                std::chrono::seconds(60));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const SvgGraph graph = parse_svg(result.out);
  EXPECT_EQ(graph.edge_titles.size(), 2u);
  EXPECT_EQ(graph.edges_with_arrowheads, 2);
  EXPECT_NE(result.out.find("loss 25%"), std::string::npos);
}

TEST(VmeshGraph, DotAndPngFormats) {
  ScratchDir dir("graph");
  const auto dot =
      run_vmesh({"graph", kLine3Path, "--format", "dot"}, {}, dir.path, std::chrono::seconds(60));
  EXPECT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(dot.out.rfind("graph \"line3\" {", 0), 0u) << dot.out;
  EXPECT_NE(dot.out.find("\"n1\" -- \"n2\""), std::string::npos) << dot.out;
  if (!dot_installed()) GTEST_SKIP() << "Graphviz's dot is not installed";
  const auto png_path = dir.path / "line3.png";
  const auto png = run_vmesh({"graph", kLine3Path, "-o", png_path.string()}, {}, dir.path,
                             std::chrono::seconds(60));
  EXPECT_EQ(png.exit_code, 0) << png.err;
  EXPECT_EQ(read_text_file(png_path).substr(0, 4), "\x89PNG");
}

TEST(VmeshGraph, ClearErrors) {
  ScratchDir dir("graph");
  const auto no_dot =
      run_vmesh({"graph", kLine3Path}, {"PATH=/nonexistent"}, dir.path, std::chrono::seconds(60));
  EXPECT_EQ(no_dot.exit_code, 1);
  EXPECT_NE(no_dot.err.find("Graphviz's dot is not installed (apt-get install graphviz)"),
            std::string::npos)
      << no_dot.err;

  const auto no_topology = run_vmesh({"graph"}, {}, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(no_topology.exit_code, 2);
  EXPECT_NE(no_topology.err.find("'graph' needs a TOPOLOGY file"), std::string::npos);

  const auto gif =
      run_vmesh({"graph", kLine3Path, "--format", "gif"}, {}, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(gif.exit_code, 2);
  EXPECT_NE(gif.err.find("--format: 'gif' is not svg, dot or png"), std::string::npos);

  const auto broken = dir.path / "broken.toml";
  std::ofstream(broken) << "[[node]]\nname = \"a\"\n[[link]]\nnodes = [\"a\", \"zz\"]\n";
  const auto bad = run_vmesh({"graph", broken.string()}, {}, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(broken.string() + ":4:"), std::string::npos) << bad.err;

  const auto png =
      run_vmesh({"graph", kLine3Path, "--format", "png"}, {}, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(png.exit_code, 2);
  EXPECT_NE(png.err.find("--format png needs -o FILE.png"), std::string::npos);
}

TEST(VmeshGraph, LiveLabelsLinksWithTheRelaysCounters) {
  if (!dot_installed()) GTEST_SKIP() << "Graphviz's dot is not installed";
  ScratchDir dir("graph-live");
  const std::string runtime = (dir.path / "runtime").string();
  ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);  // run_dir_for, as vmesh will compute it
  const std::vector<std::string> env = {"XDG_RUNTIME_DIR=" + runtime};

  const auto no_run =
      run_vmesh({"graph", "--live", "--name", "lab"}, env, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(no_run.exit_code, 2);
  EXPECT_NE(no_run.err.find("vmesh up TOPOLOGY --name lab"), std::string::npos) << no_run.err;

  const std::string socket = (dir.path / "control.sock").string();
  vmesh::test::RelayProcess relay(
      std::vector<std::string>{"--topology", kLine3Path, "--control-socket", socket});
  auto peers = vmesh::test::join_nodes(relay, 3);
  for (std::uint32_t seq = 1; seq <= 10; ++seq) {
    peers[0].send_bytes(vmesh::test::make_frame(1, 10, vmesh::test::broadcast_frame(1, seq)));
  }
  int at_n2 = 0;
  while (peers[1].receive(300)) ++at_n2;
  ASSERT_EQ(at_n2, 10);

  RunState state;
  state.name = "lab";
  state.dir = run_dir_for("lab");
  std::filesystem::create_directories(state.dir);
  state.topology = kLine3Path;
  state.relay_pid = relay.pid();
  state.relay_start_ticks = process_start_ticks(relay.pid()).value_or(0);
  state.relay_tcp_port = relay.tcp_port;
  state.relay_control_port = relay.control_port;
  state.relay_control_socket = socket;
  save_run_state(state);

  // What the relay counts now, as the graph should show it.
  const std::string cmd = "stats\n";
  const auto reply = relay_control_exchange(socket, cmd);
  ASSERT_TRUE(reply) << "no stats on " << socket;
  const auto measured = medium::parse_relay_stats(*reply);
  ASSERT_TRUE(measured.count({"n1", "n2"}));
  const auto& n1n2 = measured.at({"n1", "n2"});
  EXPECT_GE(n1n2.delivered, 10u);
  const std::string expected = fmt::format(
      "{:.0f}% of {}", 100.0 * static_cast<double>(n1n2.delivered) / static_cast<double>(n1n2.sent),
      n1n2.sent);

  const auto svg_path = dir.path / "live.svg";
  const auto live = run_vmesh({"graph", "--live", "--name", "lab", "-o", svg_path.string()}, env,
                              dir.path, std::chrono::seconds(60));
  ASSERT_EQ(live.exit_code, 0) << live.err;
  const std::string svg = read_text_file(svg_path);
  EXPECT_NE(svg.find(">" + expected + "<"), std::string::npos) << expected << "\n" << svg;
  EXPECT_EQ(parse_svg(svg).edge_titles.size(), 2u);

  const auto other =
      run_vmesh({"graph", VMESH_TOPOLOGIES_DIR "/full3.toml", "--live", "--name", "lab"}, env,
                dir.path, std::chrono::seconds(30));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("runs " + kLine3Path), std::string::npos) << other.err;

  relay.stop();
  const auto gone =
      run_vmesh({"graph", "--live", "--name", "lab"}, env, dir.path, std::chrono::seconds(30));
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("is not running"), std::string::npos) << gone.err;
}

}  // namespace
}  // namespace vmesh::launcher::test
