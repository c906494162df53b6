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
  // What the loop does: a completion tagged with an older generation of the same slot is
  // not for the connection that holds the slot now.
  const std::uint32_t slot = 7;
  const std::uint64_t old_op = encode_op(OpKind::send, 41, slot);
  const std::uint32_t current_generation = (41 + 1) & 0xffffffu;  // closed and reused
  const OpTag tag = decode_op(old_op);
  EXPECT_EQ(tag.slot, slot);
  EXPECT_NE(tag.generation, current_generation);
  EXPECT_EQ(decode_op(encode_op(OpKind::send, current_generation, slot)).generation,
            current_generation);
}

}  // namespace
}  // namespace vmesh::relay
