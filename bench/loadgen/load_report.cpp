#include "bench/loadgen/load_report.hpp"

#include "bench/loadgen/json_line.hpp"

namespace vmesh::bench {

std::string LoadReport::to_json() const {
  JsonLine json;
  json.add("tool", std::string_view("vmesh-bench relay"))
      .add("mode", to_string(mode))
      .add("target", target)
      .add("clients", clients)
      .add("frame_bytes", frame_bytes)
      .add("message_bytes", message_bytes)
      .add("batch", batch)
      .add("window_frames", window_frames)
      .add("measured_s", measured_s)
      .add("frames_sent", frames_sent)
      .add("deliveries", deliveries)
      .add("deliveries_per_s", deliveries_per_s(), 0)
      .add("mb_per_s", mb_per_s(), 1)
      .add("client_deliveries_min", client_deliveries_min)
      .add("client_deliveries_max", client_deliveries_max)
      .add("latency_samples", latency_samples)
      .add("latency_p50_us", latency_p50_us, 1)
      .add("latency_p90_us", latency_p90_us, 1)
      .add("latency_p99_us", latency_p99_us, 1)
      .add("latency_max_us", latency_max_us, 1)
      .add("decode_errors", decode_errors)
      .add("disconnects", disconnects)
      .add("frames_lost", frames_lost)
      .add("frames_stale", frames_stale)
      .add("connect_failures", connect_failures)
      .add("window_stalls", window_stalls)
      .add("generator_cpu_s", generator_cpu_s);
  return json.str();
}

}  // namespace vmesh::bench
