// Reading JSON inputs (suites, scripts, route-server configs, run records,
// control lines) with one error convention: every problem names the file,
// the line:column and the JSON pointer of the offending value.
//
//   auto doc = Document::parse(text, "suites/a.json");   // limits on size and depth
//   Object o = doc->root().object({"name", "peers"});     // unknown keys are refused
//   std::string name = o.require("name").string();        // "expected a string, got 3"
//
// nlohmann_json keeps no positions, so a small tokenizer indexes the text
// when an error needs a line and column (only then).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rsconform::jsonio {

struct TextPosition {
  std::size_t offset = 0;  // byte offset from the start of the text
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};

// Line and column of a byte offset (offsets past the end clamp to the end).
TextPosition position_of(std::string_view text, std::size_t offset);

// "/peers/0/asn": the RFC 6901 escape of one reference token ("~0", "~1").
std::string pointer_token(std::string_view key);

// Bounds on untrusted input: a document larger or deeper is refused before
// anything recursive touches it.
struct Limits {
  std::size_t max_bytes = std::size_t{16} << 20;
  std::size_t max_depth = 64;
};

// An input that does not read. what() is "file:line:column: /pointer: message"
// (the pointer part only when there is one).
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string pointer, TextPosition at, std::string message);
  std::string file;
  std::string pointer;
  TextPosition at;
  std::string message;
};

class Value;

// How Value::one_of compares a string with its names.
enum class Letters : std::uint8_t { exact, any_case };

// Parsed text with its source name; values point into it.
class Document {
 public:
  // Throws InputError: too large, too deep, or not JSON.
  static std::shared_ptr<const Document> parse(std::string text, std::string file,
                                               const Limits& limits = {});
  // Reads at most limits.max_bytes + 1 bytes (a FIFO or /dev/zero cannot make
  // it grow without bound). Throws InputError, also when the file cannot be read.
  static std::shared_ptr<const Document> read_file(const std::string& path,
                                                   const Limits& limits = {});

  Value root() const;
  // The value at `pointer`; throws InputError when there is none.
  Value at(std::string_view pointer) const;
  const std::string& file() const { return file_; }
  const std::string& text() const { return text_; }
  // The position of the value at `pointer`, or of its nearest ancestor.
  TextPosition position(std::string_view pointer) const;
  [[noreturn]] void fail(std::string_view pointer, std::string message) const;

 private:
  Document() = default;
  std::string text_;
  std::string file_;
  nlohmann::json root_;
  mutable std::optional<std::map<std::string, std::size_t, std::less<>>> offsets_;
};

class Object;

// One value of a document, with its JSON pointer. Typed reads throw
// InputError at this value: "expected an integer in 1..65535, got -3".
class Value {
 public:
  Value(const Document& document, const nlohmann::json& json, std::string pointer)
      : document_(&document), json_(&json), pointer_(std::move(pointer)) {}

  const nlohmann::json& json() const { return *json_; }
  const std::string& pointer() const { return pointer_; }
  const Document& document() const { return *document_; }
  [[noreturn]] void fail(std::string message) const;
  // The value as JSON text, cut to about `limit` characters, for messages.
  std::string shown(std::size_t limit = 60) const;

  std::string string() const;
  bool boolean() const;
  std::uint64_t uint(std::uint64_t min, std::uint64_t max) const;
  std::vector<Value> array(bool non_empty = false) const;
  // A string, or a non-empty array of strings.
  std::vector<std::string> strings() const;
  // A string that `parse` (returning an optional) accepts, else "expected
  // <what>, got <value>":  v.parsed(wire::Prefix::parse, "a prefix like 10.1.0.0/16").
  template <class Parse>
  auto parsed(const Parse& parse, std::string_view what) const {
    decltype(parse(std::string_view())) out;
    if (json_->is_string()) out = parse(json_->get_ref<const std::string&>());
    if (!out) fail("expected " + std::string(what) + ", got " + shown());
    return *std::move(out);
  }
  // The value paired with this string in `names`, else "expected one of a, b,
  // got <value>".
  template <class T>
  T one_of(std::initializer_list<std::pair<std::string_view, T>> names,
           Letters letters = Letters::exact) const {
    std::vector<std::string_view> keys;
    for (const auto& name : names)
      keys.push_back(name.first);
    return (names.begin() + choice(keys, letters))->second;
  }
  // The index of this string in `names` (one_of without the values).
  std::size_t choice(const std::vector<std::string_view>& names, Letters letters) const;
  // An object whose keys are all in `known` (anything else is a typo,
  // reported with the keys that were expected).
  Object object(std::vector<std::string_view> known) const;
  // A member of this object by name, or an element of this array.
  Value child(std::string_view key) const;
  Value child(std::size_t index) const;

 private:
  const Document* document_;
  const nlohmann::json* json_;
  std::string pointer_;
};

class Object {
 public:
  std::optional<Value> find(std::string_view key) const;
  Value require(std::string_view key) const;
  bool has(std::string_view key) const { return find(key).has_value(); }
  const Value& value() const { return value_; }
  std::string pointer(std::string_view key) const;  // of the member `key`
  [[noreturn]] void fail(std::string message) const { value_.fail(std::move(message)); }

 private:
  friend class Value;
  explicit Object(Value value) : value_(std::move(value)) {}
  Value value_;
};

// Reads a whole file into a string, refusing more than `max_bytes`. Throws
// InputError naming the file.
std::string read_bounded(const std::string& path, std::size_t max_bytes);

}  // namespace rsconform::jsonio
