// A minimal strict parser for the one-line flat JSON objects vmesh-bench prints:
// {"key":value,...} with number, string, true/false or null values. Test-only.
#pragma once

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vmesh::bench::testing {

struct JsonNull {
  friend bool operator==(JsonNull, JsonNull) { return true; }
};
using JsonValue = std::variant<JsonNull, bool, double, std::string>;
using FlatJson = std::map<std::string, JsonValue>;

class FlatJsonParser {
 public:
  explicit FlatJsonParser(std::string text) : text_(std::move(text)) {}

  // The object, or nullopt with error() set if `text` is not exactly one flat object.
  std::optional<FlatJson> parse() {
    FlatJson object;
    skip_space();
    if (!eat('{')) return fail("expected '{'");
    skip_space();
    if (eat('}')) return finish(object);
    while (true) {
      skip_space();
      auto key = parse_string();
      if (!key) return fail("expected a string key");
      skip_space();
      if (!eat(':')) return fail("expected ':'");
      skip_space();
      auto value = parse_value();
      if (!value) return fail("bad value for key " + *key);
      if (!object.emplace(*key, *value).second) return fail("duplicate key " + *key);
      skip_space();
      if (eat(',')) continue;
      if (eat('}')) return finish(object);
      return fail("expected ',' or '}'");
    }
  }

  const std::string& error() const { return error_; }

 private:
  std::optional<FlatJson> finish(FlatJson& object) {
    skip_space();
    if (pos_ != text_.size()) return fail("trailing characters");
    return object;
  }
  std::nullopt_t fail(std::string message) {
    error_ = message + " at offset " + std::to_string(pos_);
    return std::nullopt;
  }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool eat_word(std::string_view word) {
    if (std::string_view(text_).substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  std::optional<std::string> parse_string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return std::nullopt;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return std::nullopt;
          const std::string hex(text_.substr(pos_, 4));
          char* end = nullptr;
          const long code = std::strtol(hex.c_str(), &end, 16);
          if (end != hex.c_str() + 4) return std::nullopt;
          out += static_cast<char>(code & 0x7f);  // enough for control characters
          pos_ += 4;
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }
  std::optional<JsonValue> parse_value() {
    if (pos_ >= text_.size()) return std::nullopt;
    const char c = text_[pos_];
    if (c == '"') {
      auto s = parse_string();
      if (!s) return std::nullopt;
      return JsonValue{*s};
    }
    if (eat_word("true")) return JsonValue{true};
    if (eat_word("false")) return JsonValue{false};
    if (eat_word("null")) return JsonValue{JsonNull{}};
    return parse_number();
  }
  // JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::optional<JsonValue> parse_number() {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      return pos_ - from;
    };
    eat('-');
    if (eat('0')) {
    } else if (digits() == 0) {
      return std::nullopt;
    }
    if (eat('.') && digits() == 0) return std::nullopt;
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (digits() == 0) return std::nullopt;
    }
    const std::string number(text_.substr(start, pos_ - start));
    return JsonValue{std::strtod(number.c_str(), nullptr)};
  }

  std::string text_;  // owned: callers often pass a temporary
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace vmesh::bench::testing
