// Parses topology files away from the event loop (the `reload` command): a worker thread
// takes requests, parses each file and queues the result; the loop learns that results
// are waiting by reading an eventfd through its ring, then takes them. The loop never
// touches the file system for a reload.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "relay/core/router.hpp"

namespace vmesh::relay {

class TopologyLoader {
 public:
  // Who asked (a connection slot and its generation) and which file.
  struct Request {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    std::string path;
  };
  struct Result {
    Request request;
    TopologyLoad load;
  };

  // Creates the eventfd and starts the worker. Throws std::system_error.
  TopologyLoader();
  // Stops the worker after the file it is parsing, and joins it.
  ~TopologyLoader();
  TopologyLoader(const TopologyLoader&) = delete;
  TopologyLoader& operator=(const TopologyLoader&) = delete;

  // Queues a file to parse; returns at once. No throws except bad_alloc.
  void request(Request request);
  // The results finished since the last call, in request order. No throws except bad_alloc.
  std::vector<Result> take_results();
  // Readable (8 bytes, a count) whenever results are waiting.
  int event_fd() const { return event_fd_.get(); }

 private:
  void run();

  UniqueFd event_fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> requests_;
  std::vector<Result> results_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts once everything above exists
};

}  // namespace vmesh::relay
