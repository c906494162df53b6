#include "base/wire/genl_writer.hpp"

#include <algorithm>
#include <cstring>

#include "base/wire/byte_io.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

GenlWriter::GenlWriter(std::vector<std::uint8_t>& out, const GenlHeader& header)
    : out_(out), start_(out.size()) {
  out_.resize(start_ + kOffsetAttrs, 0);
  std::uint8_t* nl = out_.data() + start_;
  store<std::uint16_t>(nl + kOffsetNlmsgType, header.type);
  store<std::uint16_t>(nl + kOffsetNlmsgFlags, header.flags);
  store<std::uint32_t>(nl + kOffsetNlmsgSeq, header.seq);
  store<std::uint32_t>(nl + kOffsetNlmsgPid, 0);
  nl[kOffsetGenlCmd] = header.cmd;
  nl[kOffsetGenlVersion] = header.version;
}

std::span<std::uint8_t> GenlWriter::reserve(std::uint16_t type, std::size_t size) {
  const std::size_t attr_len = kAttrHeaderBytes + size;
  const std::size_t at = out_.size();
  out_.resize(at + netlink_align(attr_len), 0);
  store<std::uint16_t>(out_.data() + at, static_cast<std::uint16_t>(attr_len));
  store<std::uint16_t>(out_.data() + at + 2, type);
  return std::span<std::uint8_t>(out_).subspan(at + kAttrHeaderBytes, size);
}

void GenlWriter::put(std::uint16_t type, std::span<const std::uint8_t> value) {
  auto dst = reserve(type, value.size());
  if (!value.empty()) std::memcpy(dst.data(), value.data(), value.size());
}

void GenlWriter::put_u16(std::uint16_t type, std::uint16_t value) {
  store(reserve(type, sizeof(value)).data(), value);
}

void GenlWriter::put_u32(std::uint16_t type, std::uint32_t value) {
  store(reserve(type, sizeof(value)).data(), value);
}

void GenlWriter::put_u64(std::uint16_t type, std::uint64_t value) {
  store(reserve(type, sizeof(value)).data(), value);
}

void GenlWriter::put_string(std::uint16_t type, std::string_view text) {
  auto dst = reserve(type, text.size() + 1);
  std::copy(text.begin(), text.end(), dst.begin());
  dst[text.size()] = 0;
}

std::span<const std::uint8_t> GenlWriter::finish() {
  const std::size_t len = out_.size() - start_;
  store<std::uint32_t>(out_.data() + start_ + kOffsetNlmsgLen, static_cast<std::uint32_t>(len));
  return std::span<const std::uint8_t>(out_).subspan(start_, len);
}

}  // namespace vmesh::wire
