#include "check/json_positions.hpp"

#include <vector>

namespace rsconform::check {
namespace {

// A recursive-descent walk that records the offset of every value. Depth is
// bounded so hostile input cannot exhaust the stack.
class Walker {
 public:
  Walker(std::string_view text, std::map<std::string, std::size_t, std::less<>>& out)
      : text_(text), out_(out) {}

  void run() {
    std::string pointer;
    skip_space();
    value(pointer, 0);
  }

 private:
  static constexpr int kMaxDepth = 256;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }

  // Returns false on malformed input (the walk stops there).
  bool value(std::string& pointer, int depth) {
    if (depth > kMaxDepth || at_end()) return false;
    out_.emplace(pointer, pos_);
    char c = peek();
    if (c == '{') return object(pointer, depth);
    if (c == '[') return array(pointer, depth);
    if (c == '"') return string(nullptr);
    return scalar();
  }

  bool object(std::string& pointer, int depth) {
    return members('}', [&](std::size_t) {
      std::string key;
      if (peek() != '"' || !string(&key)) return false;
      skip_space();
      if (peek() != ':') return false;
      ++pos_;
      skip_space();
      return member(pointer, pointer_token(key), depth);
    });
  }

  bool array(std::string& pointer, int depth) {
    return members(
        ']', [&](std::size_t index) { return member(pointer, std::to_string(index), depth); });
  }

  // The comma-separated members of an object or array, up to `close`.
  template <class Member>
  bool members(char close, Member parse) {
    ++pos_;
    skip_space();
    if (peek() == close) {
      ++pos_;
      return true;
    }
    for (std::size_t index = 0;; ++index) {
      skip_space();
      if (!parse(index)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == close) {
        ++pos_;
        return true;
      }
      return false;
    }
  }

  // One value at `pointer` + "/" + token.
  bool member(std::string& pointer, const std::string& token, int depth) {
    const std::size_t keep = pointer.size();
    pointer += "/" + token;
    if (!value(pointer, depth + 1)) return false;
    pointer.resize(keep);
    return true;
  }

  // Keys only need their escapes resolved well enough to match the pointers
  // the loader builds; \uXXXX outside ASCII is kept as written.
  bool string(std::string* out) {
    ++pos_;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return false;
        char e = text_[pos_++];
        if (!out) continue;
        switch (e) {
          case 'n':
            out->push_back('\n');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'u': {
            if (pos_ + 4 > text_.size()) return false;
            unsigned v = 0;
            for (int i = 0; i < 4; ++i) {
              char h = text_[pos_++];
              v <<= 4;
              if (h >= '0' && h <= '9')
                v |= static_cast<unsigned>(h - '0');
              else if (h >= 'a' && h <= 'f')
                v |= static_cast<unsigned>(h - 'a' + 10);
              else if (h >= 'A' && h <= 'F')
                v |= static_cast<unsigned>(h - 'A' + 10);
              else
                return false;
            }
            if (v < 0x80)
              out->push_back(static_cast<char>(v));
            else
              out->append("\\u" + std::string(text_.substr(pos_ - 4, 4)));
            break;
          }
          default:
            out->push_back(e);
        }
        continue;
      }
      if (out) out->push_back(c);
    }
    return false;
  }

  bool scalar() {
    const std::size_t start = pos_;
    while (!at_end()) {
      char c = peek();
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
        break;
      ++pos_;
    }
    return pos_ > start;
  }

  std::string_view text_;
  std::map<std::string, std::size_t, std::less<>>& out_;
  std::size_t pos_ = 0;
};

}  // namespace

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition p;
  if (offset > text.size()) offset = text.size();
  p.offset = offset;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

JsonPositions JsonPositions::index(std::string_view text) {
  JsonPositions p;
  p.text_ = std::string(text);
  Walker(p.text_, p.values_).run();
  return p;
}

TextPosition JsonPositions::find(std::string_view pointer) const {
  std::string at(pointer);
  while (true) {
    auto it = values_.find(at);
    if (it != values_.end()) return position_of(text_, it->second);
    if (at.empty()) return position_of(text_, 0);
    at.resize(at.rfind('/'));
  }
}

}  // namespace rsconform::check
