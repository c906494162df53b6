// CaptureWriter: what the event loop submits reaches the pcapng file with its verdict
// comment; records that find the ring full are counted, and the next captured packet
// says how many are missing before it, so the gaps add up to the drop count exactly.
#include "relay/capture/capture_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "command_output.hpp"

namespace vmesh::capture {
namespace {

using test::command_output;

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "." + std::to_string(::getpid()) + ".pcapng"))
      .string();
}

std::vector<std::uint8_t> data_frame(std::size_t bytes) {
  std::vector<std::uint8_t> frame(bytes, 0xab);
  frame[0] = 0x08;  // data
  frame[1] = 0x00;
  return frame;
}

CaptureRecord record_from(std::uint32_t interface_id, std::uint32_t peer_id) {
  CaptureRecord r;
  r.interface_id = interface_id;
  r.timestamp_us = 1'700'000'000'000'000ull;
  r.freq_mhz = 2412;
  r.signal_dbm = -40;
  r.peer_id = peer_id;
  r.topology = true;
  return r;
}

TEST(CaptureWriter, WritesVerdictCommentsPerReceiver) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "tshark is not installed";
  const std::string path = temp_path("capture-writer-verdicts");
  {
    CaptureWriter writer(path, {"n1", "n2", "n3"}, {"deliver", "drop_loss"}, 1u << 30);
    const std::array<CaptureVerdict, 2> verdicts{CaptureVerdict{1, 0, -55, 1000},
                                                 CaptureVerdict{2, 1, 0, 0}};
    writer.submit(record_from(0, 10), verdicts, data_frame(100));
    const auto totals = writer.stop();
    EXPECT_EQ(totals.packets, 1u);
    EXPECT_EQ(totals.dropped, 0u);
  }
  const std::string out = command_output(
      "tshark -r " + path + " -T fields -e frame.interface_name -e frame.comment 2>/dev/null");
  std::remove(path.c_str());
  EXPECT_EQ(out, "n1\tn2: deliver delay=1000us signal=-55dBm; n3: drop_loss\n");
}

TEST(CaptureWriter, DropsWhenTheRingIsFullAndMarksEveryGap) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "tshark is not installed";
  const std::string path = temp_path("capture-writer-gaps");
  std::uint64_t submitted = 0;
  CaptureWriter::Totals totals;
  {
    // A 4 KiB ring holds two 1500-byte records; a tight loop outruns a writer that
    // sleeps a millisecond whenever it finds the ring empty.
    CaptureWriter writer(path, {"n1", "n2"}, {"deliver"}, 1u << 30, 4096);
    const std::array<CaptureVerdict, 1> verdicts{CaptureVerdict{1, 0, -50, 0}};
    const auto frame = data_frame(1500);
    while (writer.dropped() == 0 && submitted < 10'000'000) {
      writer.submit(record_from(0, 10), verdicts, frame);
      ++submitted;
    }
    ASSERT_GT(writer.dropped(), 0u) << "the ring never filled";
    // One more after the writer caught up carries the count of the last gap.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    writer.submit(record_from(0, 10), verdicts, frame);
    ++submitted;
    totals = writer.stop();
  }
  EXPECT_EQ(totals.packets + totals.dropped, submitted);
  const std::string out =
      command_output("tshark -r " + path + " -T fields -e frame.comment 2>/dev/null");
  std::remove(path.c_str());
  const std::regex gap(
      R"(^\[(\d+) frames before this one not captured: capture writer behind\] n2: deliver)");
  std::uint64_t packets = 0, missing = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    ++packets;
    std::smatch m;
    if (std::regex_search(line, m, gap)) missing += std::stoull(m[1]);
  }
  EXPECT_EQ(packets, totals.packets);
  EXPECT_EQ(missing, totals.dropped);
}

}  // namespace
}  // namespace vmesh::capture
