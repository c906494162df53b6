// Medium::decide for 5 nodes: the cost per receiver (target <= 50 ns).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "medium/medium.hpp"
#include "medium/topology_parser.hpp"

namespace {

using vmesh::medium::Delivery;
using vmesh::medium::FrameInfo;
using vmesh::medium::FrameKind;
using vmesh::medium::Medium;
using vmesh::medium::NodeId;

constexpr int kNodes = 5;
constexpr int kReceivers = kNodes - 1;

std::string five_nodes(std::string_view medium, std::string_view node_extra = "") {
  std::string text(medium);
  for (int i = 1; i <= kNodes; ++i) {
    text += "[[node]]\nname = \"n" + std::to_string(i) + "\"\n";
    if (!node_extra.empty()) text += "position = [" + std::to_string(i * 20) + ", 0]\n";
  }
  return text;
}

// Clean links: everyone hears everyone with a fixed delay.
const std::string kClean =
    five_nodes("[medium]\ndefault = \"all\"\n[medium.defaults]\ndelay = \"1ms\"\n");
// Every model at once on every link: loss, jitter, burst loss and a rate limit.
const std::string kLossy = five_nodes(
    "[medium]\ndefault = \"all\"\n[medium.defaults]\nloss = 0.1\ndelay = \"2ms\"\njitter = "
    "\"1ms\"\n"
    "rate = \"100Mbps\"\nburst_loss = { enter = 0.01, leave = 0.3 }\n");
// Positions and the log-distance model (signal and reach from distance).
const std::string kPlaced = five_nodes("[medium]\npath_loss = \"log_distance\"\n", "placed");

void run(benchmark::State& state, const std::string& toml) {
  Medium medium(vmesh::medium::parse_topology(toml, "bench.toml"), 42);
  std::vector<Delivery> out;
  out.reserve(kNodes);
  std::uint64_t now_us = 0;
  NodeId sender = 0;
  for (auto _ : state) {
    out.clear();
    medium.decide(FrameInfo{sender, 600, FrameKind::data_unicast, 2412, 10}, now_us, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    now_us += 50;
    sender = static_cast<NodeId>((sender + 1) % kNodes);
  }
  state.counters["per_receiver"] = benchmark::Counter(
      kReceivers, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_DecideClean(benchmark::State& state) {
  run(state, kClean);
}
void BM_DecideAllModels(benchmark::State& state) {
  run(state, kLossy);
}
void BM_DecidePathLoss(benchmark::State& state) {
  run(state, kPlaced);
}

BENCHMARK(BM_DecideClean);
BENCHMARK(BM_DecideAllModels);
BENCHMARK(BM_DecidePathLoss);

}  // namespace
