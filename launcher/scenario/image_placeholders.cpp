#include "launcher/scenario/image_placeholders.hpp"

#include <algorithm>
#include <array>

namespace vmesh::launcher {
namespace {

constexpr std::array<std::string_view, 7> kPlaceholders = {
    "index", "name", "mac_prefix", "relay_host", "relay_port", "mesh_ip", "channel"};

bool is_word(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Calls visit(begin, end, word) for every "{word}" of text, `begin` at the '{'.
template <typename Visit>
void for_each_word_in_braces(std::string_view text, Visit visit) {
  std::size_t at = 0;
  while ((at = text.find('{', at)) != std::string_view::npos) {
    const std::size_t close = text.find('}', at + 1);
    if (close == std::string_view::npos) return;
    const std::string_view word = text.substr(at + 1, close - at - 1);
    const bool shell_variable = at > 0 && text[at - 1] == '$';
    if (!is_word(word)) {
      ++at;  // a shell group "{ echo {name}; }": look inside it
      continue;
    }
    if (!shell_variable) visit(at, close + 1, word);
    at = close + 1;
  }
}

}  // namespace

bool is_image_placeholder(std::string_view name) {
  return std::find(kPlaceholders.begin(), kPlaceholders.end(), name) != kPlaceholders.end();
}

std::optional<std::string> unknown_placeholder(std::string_view text) {
  std::optional<std::string> unknown;
  for_each_word_in_braces(text, [&](std::size_t, std::size_t, std::string_view word) {
    if (!unknown && !is_image_placeholder(word)) unknown = std::string(word);
  });
  return unknown;
}

std::string expand_placeholders(std::string_view text,
                                const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t copied = 0;
  for_each_word_in_braces(text, [&](std::size_t begin, std::size_t end, std::string_view word) {
    const auto value = values.find(std::string(word));
    if (value == values.end()) return;
    out.append(text.substr(copied, begin - copied));
    out += value->second;
    copied = end;
  });
  out.append(text.substr(copied));
  return out;
}

}  // namespace vmesh::launcher
