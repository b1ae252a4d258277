// Writes JSON piece by piece, exactly as nlohmann's dump() (compact) or
// dump(indent) (pretty) would write the whole document, so that a document
// too large to build in memory (the tables of a million-route capture) can be
// streamed. Members must be written in the order nlohmann keeps them: sorted
// by key.
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rsconform::jsonio {

class JsonStream {
 public:
  // `indent` < 0: compact, as dump(); otherwise as dump(indent).
  JsonStream(std::ostream& out, int indent) : out_(out), indent_(indent) {}
  // A stream that starts inside `depth` open containers, the innermost an
  // array with no elements yet: its elements can be written apart (spooled)
  // and spliced later into a stream whose array is open at that depth.
  JsonStream(std::ostream& out, int indent, std::size_t depth)
      : out_(out), indent_(indent), levels_(depth, 1) {
    if (depth > 0) levels_.back() = 0;
  }
  ~JsonStream() { flush(); }
  JsonStream(const JsonStream&) = delete;
  JsonStream& operator=(const JsonStream&) = delete;

  void begin_object() { open('{'); }
  void begin_array() { open('['); }
  void end_object() { close('}'); }
  void end_array() { close(']'); }
  // Names the member whose value comes next (objects only).
  void key(std::string_view name);
  void value(const nlohmann::json& v) { raw(text(v)); }
  void string(std::string_view s);  // the same as value(s), made without a json object
  // A value already made by text() at this depth (for values repeated often).
  void raw(std::string_view value_text);
  // `v` as this stream writes it at the current depth.
  std::string text(const nlohmann::json& v) const;
  // Hands what was written to the output stream (also done as it grows).
  void flush();
  // Elements written so far in the innermost open container.
  std::size_t elements() const { return levels_.empty() ? 0 : levels_.back(); }
  // Copies in what a stream made with `depth` wrote: `count` elements of the
  // array open here (at that depth), as if written here.
  void splice_elements(std::istream& in, std::size_t count);

 private:
  void open(char bracket);
  void close(char bracket);
  void next_element();  // the comma and line break before an array element or a key
  void quoted(std::string_view s);
  void new_line(std::size_t depth);

  std::ostream& out_;
  std::string buffer_;  // written in large pieces: one stream call per piece was slow
  int indent_;
  std::vector<std::size_t> levels_;  // per open container: elements written so far
  bool after_key_ = false;
};

}  // namespace rsconform::jsonio
