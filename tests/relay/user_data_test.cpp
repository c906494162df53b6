#include "relay/io/user_data.hpp"

#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

TEST(UserData, RoundTripsKindGenerationAndSlot) {
  for (OpKind kind : {OpKind::accept, OpKind::recv, OpKind::send, OpKind::signal,
                      OpKind::stats_write, OpKind::reload_done}) {
    const OpTag tag = decode_op(encode_op(kind, 0xabcdef, 0xfffffffe));
    EXPECT_EQ(tag.kind, kind);
    EXPECT_EQ(tag.generation, 0xabcdefu);
    EXPECT_EQ(tag.slot, 0xfffffffeu);
  }
}

TEST(UserData, GenerationKeepsItsLow24Bits) {
  // The generation wraps at 24 bits, as the connection's counter does.
  EXPECT_EQ(decode_op(encode_op(OpKind::recv, 0x1000005, 3)).generation, 5u);
  EXPECT_EQ(decode_op(encode_op(OpKind::recv, 0x1000005, 3)).kind, OpKind::recv);
}

TEST(UserData, StaleGenerationIsRecognised) {
  // A completion submitted before the slot was closed and reused is not for its new user.
  const std::uint32_t slot = 7;
  const std::uint32_t old_generation = 41;
  const OpTag late = decode_op(encode_op(OpKind::send, old_generation, slot));
  const std::uint32_t reused = next_generation(old_generation);
  EXPECT_EQ(late.slot, slot);
  EXPECT_TRUE(is_current(late, old_generation));
  EXPECT_FALSE(is_current(late, reused));
  EXPECT_TRUE(is_current(decode_op(encode_op(OpKind::recv, reused, slot)), reused));
}

TEST(UserData, GenerationWrapsWithinTheTag) {
  const std::uint32_t last = 0xffffff;
  EXPECT_EQ(next_generation(last), 0u);
  const OpTag tag = decode_op(encode_op(OpKind::recv, next_generation(last), 1));
  EXPECT_TRUE(is_current(tag, next_generation(last)));
  EXPECT_FALSE(is_current(tag, last));
}

}  // namespace
}  // namespace vmesh::relay
