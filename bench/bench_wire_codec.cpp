// Microbenchmarks of the wire codec: boundary decoding, routing reads and encoding.
#include <benchmark/benchmark.h>

#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "base/wire/message_decoder.hpp"

namespace {

using namespace vmesh::wire;

std::vector<std::uint8_t> make_frame_message(std::size_t frame_bytes) {
  std::vector<std::uint8_t> out;
  MessageBuilder b(out, 10, HwsimCmd::frame, {.type = 30, .flags = 0, .seq = 1, .pid = 0});
  b.put_mac(HwsimAttr::addr_transmitter, *MacAddress::parse("02:00:00:00:01:00"));
  b.put(HwsimAttr::frame, std::vector<std::uint8_t>(frame_bytes, 0x5a));
  b.put_u32(HwsimAttr::flags, kHwsimTxCtlReqTxStatus);
  b.put(HwsimAttr::tx_info, std::vector<std::uint8_t>(8, 0));
  b.put_u64(HwsimAttr::cookie, 42);
  b.put_u32(HwsimAttr::freq, 2412);
  b.finish();
  return out;
}

void BM_DecodeMessage(benchmark::State& state) {
  const auto msg = make_frame_message(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(decode_message(msg));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(msg.size()));
}
BENCHMARK(BM_DecodeMessage)->Arg(100)->Arg(1500);

void BM_ReadFrameRouting(benchmark::State& state) {
  const auto msg = make_frame_message(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(read_frame_routing(msg));
}
BENCHMARK(BM_ReadFrameRouting)->Arg(100)->Arg(1500);

void BM_ReadHwsimMessage(benchmark::State& state) {
  const auto msg = make_frame_message(100);
  for (auto _ : state) benchmark::DoNotOptimize(read_hwsim_message(msg));
}
BENCHMARK(BM_ReadHwsimMessage);

void BM_BuildFrameMessage(benchmark::State& state) {
  const std::vector<std::uint8_t> frame(static_cast<std::size_t>(state.range(0)), 0x5a);
  const auto mac = *MacAddress::parse("02:00:00:00:01:00");
  std::vector<std::uint8_t> out;
  out.reserve(4096);
  for (auto _ : state) {
    out.clear();
    MessageBuilder b(out, 10, HwsimCmd::frame, {});
    b.put_mac(HwsimAttr::addr_transmitter, mac);
    b.put(HwsimAttr::frame, frame);
    b.put_u32(HwsimAttr::freq, 2412);
    benchmark::DoNotOptimize(b.finish());
  }
}
BENCHMARK(BM_BuildFrameMessage)->Arg(100)->Arg(1500);

}  // namespace
