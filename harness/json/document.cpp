#include "json/document.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace rsconform::jsonio {
namespace {

using Offsets = std::map<std::string, std::size_t, std::less<>>;

// Appends code point `cp` as UTF-8 (what nlohmann makes of a \u escape).
void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A recursive-descent walk that records the offset of every value by JSON
// pointer, and finds what nlohmann would accept silently (duplicate keys) or
// only after deep recursion elsewhere (nesting), or refuses with an exception
// that carries no position (a number beyond a double). It stops at the first
// problem; malformed JSON is left for nlohmann to describe.
class Walker {
 public:
  enum class Problem : std::uint8_t { none, malformed, too_deep, duplicate_key, number_too_large };

  Walker(std::string_view text, std::size_t max_depth, Offsets& out)
      : text_(text), max_depth_(max_depth), out_(out) {}

  Problem run() {
    std::string pointer;
    skip_space();
    value(pointer, 0);
    return problem_;
  }
  std::size_t problem_offset() const { return problem_at_; }
  const std::string& problem_pointer() const { return problem_pointer_; }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }
  bool stop(Problem problem, const std::string& pointer) {
    problem_ = problem;
    problem_at_ = pos_;
    problem_pointer_ = pointer;
    return false;
  }

  bool value(std::string& pointer, std::size_t depth) {
    if (at_end()) return stop(Problem::malformed, pointer);
    const char c = peek();
    if ((c == '{' || c == '[') && depth >= max_depth_) return stop(Problem::too_deep, pointer);
    if (!out_.emplace(pointer, pos_).second) return stop(Problem::duplicate_key, pointer);
    if (c == '{') return object(pointer, depth);
    if (c == '[') return array(pointer, depth);
    if (c == '"') return string(nullptr) || stop(Problem::malformed, pointer);
    const std::size_t start = pos_;
    if (!scalar()) return stop(Problem::malformed, pointer);
    if (!overflows(text_.substr(start, pos_ - start))) return true;
    pos_ = start;
    return stop(Problem::number_too_large, pointer);
  }

  bool object(std::string& pointer, std::size_t depth) {
    return members('}', pointer, [&](std::size_t) {
      std::string key;
      if (peek() != '"' || !string(&key)) return stop(Problem::malformed, pointer);
      skip_space();
      if (peek() != ':') return stop(Problem::malformed, pointer);
      ++pos_;
      skip_space();
      return member(pointer, pointer_token(key), depth);
    });
  }

  bool array(std::string& pointer, std::size_t depth) {
    return members(']', pointer, [&](std::size_t index) {
      return member(pointer, std::to_string(index), depth);
    });
  }

  // The comma-separated members of an object or array, up to `close`.
  template <class Member>
  bool members(char close, const std::string& pointer, Member parse) {
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
      return stop(Problem::malformed, pointer);
    }
  }

  bool member(std::string& pointer, const std::string& token, std::size_t depth) {
    const std::size_t keep = pointer.size();
    pointer += "/" + token;
    if (!value(pointer, depth + 1)) return false;
    pointer.resize(keep);
    return true;
  }

  // Reads a string; keys (`out`) are decoded as nlohmann decodes them, so
  // pointers built from nlohmann's keys match.
  bool string(std::string* out) {
    ++pos_;
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        if (out) out->push_back(c);
        continue;
      }
      if (at_end()) return false;
      const char e = text_[pos_++];
      if (e == 'u') {
        auto cp = hex4();
        if (!cp) return false;
        if (*cp >= 0xD800 && *cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
          pos_ += 2;
          auto low = hex4();
          if (!low) return false;
          *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
        }
        if (out) append_utf8(*out, *cp);
        continue;
      }
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
        default:
          out->push_back(e);
      }
    }
    return false;
  }

  std::optional<unsigned> hex4() {
    if (pos_ + 4 > text_.size()) return std::nullopt;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        v |= static_cast<unsigned>(h - 'A' + 10);
      else
        return std::nullopt;
    }
    return v;
  }

  // Whether `token` starts with a JSON number too large for a double (which
  // nlohmann reads as infinity, then refuses).
  static bool overflows(std::string_view token) {
    std::size_t n = 0;
    auto digits = [&] {
      const std::size_t from = n;
      while (n < token.size() && token[n] >= '0' && token[n] <= '9')
        ++n;
      return n > from;
    };
    if (n < token.size() && token[n] == '-') ++n;
    if (!digits()) return false;
    if (n < token.size() && token[n] == '.' && (++n, !digits())) return false;
    if (n < token.size() && (token[n] == 'e' || token[n] == 'E')) {
      ++n;
      if (n < token.size() && (token[n] == '+' || token[n] == '-')) ++n;
      if (!digits()) return false;
    }
    return !std::isfinite(std::strtod(std::string(token.substr(0, n)).c_str(), nullptr));
  }

  bool scalar() {
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = peek();
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
        break;
      ++pos_;
    }
    return pos_ > start;
  }

  std::string_view text_;
  std::size_t max_depth_;
  Offsets& out_;
  std::size_t pos_ = 0;
  Problem problem_ = Problem::none;
  std::size_t problem_at_ = 0;
  std::string problem_pointer_;
};

const char* type_name(const nlohmann::json& j) {
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_boolean()) return "a boolean";
  if (j.is_null()) return "null";
  if (j.is_array()) return "an array";
  return "an object";
}

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

InputError::InputError(std::string in_file, std::string at_pointer, TextPosition position,
                       std::string why)
    : std::runtime_error(in_file + ":" + std::to_string(position.line) + ":" +
                         std::to_string(position.column) + ": " +
                         (at_pointer.empty() ? "" : at_pointer + ": ") + why),
      file(std::move(in_file)),
      pointer(std::move(at_pointer)),
      at(position),
      message(std::move(why)) {}

std::string read_bounded(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", TextPosition{}, "cannot open file");
  std::string text;
  std::vector<char> block(64 * 1024);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    text.append(block.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw InputError(path, "", TextPosition{},
                       "larger than " + std::to_string(max_bytes) + " bytes; refused");
  }
  if (in.bad()) throw InputError(path, "", TextPosition{}, "read failed");
  return text;
}

std::shared_ptr<const Document> Document::parse(std::string text, std::string file,
                                                const Limits& limits) {
  if (text.size() > limits.max_bytes)
    throw InputError(file, "", TextPosition{},
                     "larger than " + std::to_string(limits.max_bytes) + " bytes; refused");
  std::shared_ptr<Document> doc(new Document());
  doc->text_ = std::move(text);
  doc->file_ = std::move(file);
  const std::string& t = doc->text_;
  Offsets offsets;
  Walker walker(t, limits.max_depth, offsets);
  switch (walker.run()) {
    case Walker::Problem::too_deep:
      throw InputError(doc->file_, walker.problem_pointer(),
                       position_of(t, walker.problem_offset()),
                       "nested deeper than " + std::to_string(limits.max_depth) + " levels");
    case Walker::Problem::duplicate_key:
      throw InputError(doc->file_, walker.problem_pointer(),
                       position_of(t, walker.problem_offset()), "duplicate key");
    case Walker::Problem::number_too_large:
      throw InputError(doc->file_, walker.problem_pointer(),
                       position_of(t, walker.problem_offset()),
                       "number too large (beyond a double)");
    case Walker::Problem::malformed:
    case Walker::Problem::none:
      break;
  }
  try {
    doc->root_ = nlohmann::json::parse(t.begin(), t.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann counts the byte after the offending one.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    // nlohmann's text repeats the position ("parse error at line 1, column 2: ..."):
    // keep what follows it.
    std::string what = e.what();
    const auto at = what.find("parse error");
    if (at != std::string::npos) {
      const auto colon = what.find(": ", at);
      what = colon == std::string::npos ? what.substr(at) : what.substr(colon + 2);
    }
    throw InputError(doc->file_, "", position_of(t, offset), "invalid JSON: " + what);
  } catch (const nlohmann::json::exception& e) {
    // Refusals the walk does not foresee carry no position: still an input error.
    throw InputError(doc->file_, "", TextPosition{}, std::string("invalid JSON: ") + e.what());
  }
  doc->offsets_ = std::move(offsets);
  return doc;
}

std::shared_ptr<const Document> Document::read_file(const std::string& path, const Limits& limits) {
  return parse(read_bounded(path, limits.max_bytes), path, limits);
}

Value Document::root() const {
  return Value(*this, root_, "");
}

Value Document::at(std::string_view pointer) const {
  try {
    return Value(*this, root_.at(nlohmann::json::json_pointer(std::string(pointer))),
                 std::string(pointer));
  } catch (const nlohmann::json::exception&) {
    fail(pointer, "no such value");
  }
}

TextPosition Document::position(std::string_view pointer) const {
  std::string at(pointer);
  while (true) {
    auto it = offsets_->find(at);
    if (it != offsets_->end()) return position_of(text_, it->second);
    if (at.empty()) return position_of(text_, 0);
    at.resize(at.rfind('/'));
  }
}

void Document::fail(std::string_view pointer, std::string message) const {
  throw InputError(file_, std::string(pointer), position(pointer), std::move(message));
}

void Value::fail(std::string message) const {
  document_->fail(pointer_, std::move(message));
}

std::string Value::shown(std::size_t limit) const {
  // Values come from a parsed document, so they dump without error; their
  // depth is bounded by the document's limits.
  std::string s = json_->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > limit) s = s.substr(0, limit - 3) + "...";
  return s;
}

std::string Value::string() const {
  if (!json_->is_string()) fail(std::string("expected a string, got ") + shown());
  return json_->get<std::string>();
}

bool Value::boolean() const {
  if (!json_->is_boolean()) fail("expected true or false, got " + shown());
  return json_->get<bool>();
}

std::uint64_t Value::uint(std::uint64_t min, std::uint64_t max) const {
  if (!json_->is_number_unsigned() || json_->get<std::uint64_t>() < min ||
      json_->get<std::uint64_t>() > max)
    fail("expected an integer in " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
         shown());
  return json_->get<std::uint64_t>();
}

std::size_t Value::choice(const std::vector<std::string_view>& names, Letters letters) const {
  auto same = [&](std::string_view a, std::string_view b) {
    if (letters == Letters::exact) return a == b;
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  if (json_->is_string())
    for (std::size_t i = 0; i < names.size(); ++i)
      if (same(json_->get_ref<const std::string&>(), names[i])) return i;
  std::string list;
  for (auto name : names)
    list += (list.empty() ? "" : ", ") + std::string(name);
  fail("expected one of " + list + ", got " + shown());
}

std::vector<Value> Value::array(bool non_empty) const {
  if (!json_->is_array()) fail(std::string("expected an array, got ") + type_name(*json_));
  if (non_empty && json_->empty()) fail("expected a non-empty array");
  std::vector<Value> out;
  out.reserve(json_->size());
  for (std::size_t i = 0; i < json_->size(); ++i)
    out.push_back(child(i));
  return out;
}

std::vector<std::string> Value::strings() const {
  if (json_->is_string()) return {json_->get<std::string>()};
  if (!json_->is_array() || json_->empty())
    fail("expected a string or a non-empty array of strings, got " + shown());
  std::vector<std::string> out;
  for (const Value& v : array())
    out.push_back(v.string());
  return out;
}

Object Value::object(std::vector<std::string_view> known) const {
  if (!json_->is_object()) fail("expected an object, got " + shown());
  for (auto it = json_->begin(); it != json_->end(); ++it) {
    bool ok = false;
    for (auto k : known)
      ok = ok || k == it.key();
    if (ok) continue;
    std::string list;
    for (auto k : known)
      list += (list.empty() ? "" : ", ") + std::string(k);
    document_->fail(pointer_ + "/" + pointer_token(it.key()),
                    "unknown key \"" + it.key() + "\"; expected one of: " + list);
  }
  return Object(*this);
}

Value Value::child(std::string_view key) const {
  return Value(*document_, json_->at(std::string(key)), pointer_ + "/" + pointer_token(key));
}

Value Value::child(std::size_t index) const {
  return Value(*document_, json_->at(index), pointer_ + "/" + std::to_string(index));
}

std::optional<Value> Object::find(std::string_view key) const {
  const auto& j = value_.json();
  auto it = j.find(std::string(key));
  if (it == j.end()) return std::nullopt;
  return Value(value_.document(), *it, pointer(key));
}

Value Object::require(std::string_view key) const {
  auto v = find(key);
  if (!v) value_.fail("missing required key \"" + std::string(key) + "\"");
  return *v;
}

std::string Object::pointer(std::string_view key) const {
  return value_.pointer() + "/" + pointer_token(key);
}

}  // namespace rsconform::jsonio
