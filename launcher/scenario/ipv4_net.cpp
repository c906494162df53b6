#include "launcher/scenario/ipv4_net.hpp"

#include <charconv>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

std::optional<unsigned> parse_decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::uint32_t mask_of(int prefix_len) {
  return prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_len);
}

}  // namespace

bool Ipv4Net::contains(std::uint32_t address) const {
  return (address & mask_of(prefix_len)) == network;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t address = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t dot = octet < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const auto value = parse_decimal(text.substr(0, dot), 255);
    if (!value) return std::nullopt;
    address = (address << 8) | *value;
    text.remove_prefix(octet < 3 ? dot + 1 : dot);
  }
  return address;
}

std::optional<Ipv4Net> parse_ipv4_net(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto address = parse_ipv4(text.substr(0, slash));
  const auto prefix_len = parse_decimal(text.substr(slash + 1), 32);
  if (!address || !prefix_len || *prefix_len < 8 || *prefix_len > 30) return std::nullopt;
  const int len = static_cast<int>(*prefix_len);
  return Ipv4Net{*address & mask_of(len), len};
}

std::string format_ipv4(std::uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                     address & 0xff);
}

}  // namespace vmesh::launcher
