#include "relay/io/topology_loader.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "medium/topology_parser.hpp"

namespace vmesh::relay {

TopologyLoader::TopologyLoader() : event_fd_(::eventfd(0, EFD_CLOEXEC)) {
  if (!event_fd_) throw std::system_error(errno, std::system_category(), "eventfd");
  worker_ = std::thread([this] { run(); });
}

TopologyLoader::~TopologyLoader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void TopologyLoader::request(Request request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  wake_.notify_one();
}

std::vector<TopologyLoader::Result> TopologyLoader::take_results() {
  std::lock_guard lock(mutex_);
  return std::exchange(results_, {});
}

void TopologyLoader::run() {
  for (;;) {
    Request request;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
      if (stopping_) return;
      request = std::move(requests_.front());
      requests_.pop_front();
    }
    TopologyLoad load;
    try {
      load.topology = medium::load_topology_file(request.path);
    } catch (const std::exception& e) {  // TopologyError names file:line:column
      load.error = e.what();
    }
    {
      std::lock_guard lock(mutex_);
      results_.push_back({std::move(request), std::move(load)});
    }
    const std::uint64_t one = 1;
    // Blocks only if the counter were near overflow, which one increment per file never is.
    [[maybe_unused]] const ssize_t n = ::write(event_fd_.get(), &one, sizeof(one));
  }
}

}  // namespace vmesh::relay
