// Ring against the running kernel's io_uring.
#include "relay/io/ring.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "relay/io/user_data.hpp"

namespace vmesh::relay {
namespace {

std::unique_ptr<Ring> make_ring() {
  try {
    return std::make_unique<Ring>(8, 64);
  } catch (const std::system_error& e) {
    return nullptr;
  }
}

#define RING_OR_SKIP(name)                                                   \
  auto name = make_ring();                                                   \
  if (!name)                                                                 \
    GTEST_SKIP() << "io_uring_queue_init failed: io_uring unavailable here " \
                    "(kernel too old, disabled by sysctl or seccomp)";

TEST(Ring, NopsAreCollectedOnceEach) {
  RING_OR_SKIP(ring);
  for (std::uint32_t slot = 0; slot < 5; ++slot)
    ASSERT_TRUE(ring->nop(encode_op(OpKind::recv, 1, slot)));
  std::vector<std::uint32_t> seen;
  for (int tries = 0; seen.size() < 5 && tries < 100; ++tries) {
    ring->submit_and_wait(10'000'000);
    ring->for_each_completion([&](const Completion& c) {
      EXPECT_EQ(c.res, 0);
      EXPECT_FALSE(c.more());
      seen.push_back(decode_op(c.user_data).slot);
    });
  }
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  // Advanced: nothing is delivered twice.
  EXPECT_EQ(ring->for_each_completion([](const Completion&) { ADD_FAILURE(); }), 0u);
}

TEST(Ring, MoreSubmissionsThanEntriesStillComplete) {
  RING_OR_SKIP(ring);
  constexpr std::uint32_t kOps = 40;  // five times the submission queue
  for (std::uint32_t i = 0; i < kOps; ++i) ASSERT_TRUE(ring->nop(encode_op(OpKind::send, 0, i)));
  std::uint32_t seen = 0;
  for (int tries = 0; seen < kOps && tries < 100; ++tries) {
    ring->submit_and_wait(10'000'000);
    seen += ring->for_each_completion([](const Completion&) {});
  }
  EXPECT_EQ(seen, kOps);
}

TEST(Ring, ReadAndWriteReportBytes) {
  RING_OR_SKIP(ring);
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::uint64_t one = 1;
  std::uint64_t got = 0;
  ASSERT_TRUE(ring->write(fd, &one, sizeof(one), 1));
  ASSERT_TRUE(ring->read(fd, &got, sizeof(got), 2));
  int results = 0;
  for (int tries = 0; results < 2 && tries < 100; ++tries) {
    ring->submit_and_wait(10'000'000);
    ring->for_each_completion([&](const Completion& c) {
      EXPECT_EQ(c.res, 8) << "user_data " << c.user_data;
      ++results;
    });
  }
  EXPECT_EQ(results, 2);
  EXPECT_EQ(got, 1u);
  ::close(fd);
}

TEST(Ring, WaitTimesOutWithNothingToDo) {
  RING_OR_SKIP(ring);
  EXPECT_EQ(ring->submit_and_wait(1'000'000), -ETIME);
}

}  // namespace
}  // namespace vmesh::relay
