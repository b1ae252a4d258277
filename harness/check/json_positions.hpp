// Where each value of a JSON document starts, by JSON pointer. nlohmann_json
// does not keep positions for values, so error messages about a suite would
// otherwise name only a path; this small tokenizer is used only to report
// errors (line:column), never to read values.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rsconform::check {

struct TextPosition {
  std::size_t offset = 0;  // byte offset from the start of the text
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};

// Line and column of a byte offset (offsets past the end clamp to the end).
TextPosition position_of(std::string_view text, std::size_t offset);

// "/peers/0/asn": the RFC 6901 escape of one reference token ("~0", "~1").
std::string pointer_token(std::string_view key);

class JsonPositions {
 public:
  // Indexes `text`. Malformed input is indexed up to the first problem (the
  // parser reports the problem itself); this never throws.
  static JsonPositions index(std::string_view text);

  // The position of the value at `pointer` ("" is the whole document). For a
  // pointer that is not in the document, the nearest indexed ancestor.
  TextPosition find(std::string_view pointer) const;
  bool contains(std::string_view pointer) const { return values_.count(std::string(pointer)) > 0; }
  std::size_t size() const { return values_.size(); }

 private:
  std::string text_;
  std::map<std::string, std::size_t, std::less<>> values_;
};

}  // namespace rsconform::check
