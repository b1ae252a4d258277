#include "json/json_stream.hpp"

namespace rsconform::jsonio {
namespace {
constexpr std::size_t kFlushAt = std::size_t{1} << 20;
}  // namespace

void JsonStream::new_line(std::size_t depth) {
  buffer_ += '\n';
  buffer_.append(depth * static_cast<std::size_t>(indent_), ' ');
}

void JsonStream::next_element() {
  if (buffer_.size() >= kFlushAt) flush();
  if (after_key_) {  // a member's value follows its key on the same line
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  if (levels_.back()++ > 0) buffer_ += ',';
  if (indent_ >= 0) new_line(levels_.size());
}

void JsonStream::key(std::string_view name) {
  next_element();
  quoted(name);
  buffer_ += indent_ >= 0 ? ": " : ":";
  after_key_ = true;
}

void JsonStream::open(char bracket) {
  next_element();
  buffer_ += bracket;
  levels_.push_back(0);
}

void JsonStream::close(char bracket) {
  bool empty = levels_.back() == 0;
  levels_.pop_back();
  if (!empty && indent_ >= 0) new_line(levels_.size());
  buffer_ += bracket;
  if (levels_.empty()) flush();  // the document is whole
}

void JsonStream::raw(std::string_view value_text) {
  next_element();
  buffer_ += value_text;
}

void JsonStream::string(std::string_view s) {
  next_element();
  quoted(s);
}

// Plain printable ASCII needs no escapes; anything else goes through
// nlohmann, which escapes as dump() does (and rejects invalid UTF-8).
void JsonStream::quoted(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      buffer_ += nlohmann::json(std::string(s)).dump();
      return;
    }
  (buffer_ += '"') += s;
  buffer_ += '"';
}

void JsonStream::flush() {
  out_ << buffer_;
  buffer_.clear();
}

void JsonStream::splice_elements(std::istream& in, std::size_t count) {
  if (count == 0) return;
  flush();
  out_ << in.rdbuf();
  levels_.back() += count;
}

std::string JsonStream::text(const nlohmann::json& v) const {
  std::string dumped = v.dump(indent_);
  if (indent_ < 0) return dumped;
  // Nested lines move right by this stream's depth. A raw line break can
  // only be layout: inside strings it is escaped.
  std::string shift = "\n" + std::string(levels_.size() * static_cast<std::size_t>(indent_), ' ');
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped)
    if (c == '\n')
      out += shift;
    else
      out += c;
  return out;
}

}  // namespace rsconform::jsonio
