// The streamed JSON writer against nlohmann's own dump(): whatever is written
// piece by piece must come out byte for byte as the whole document would.
#include "json/json_stream.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rsconform::jsonio {
namespace {

using nlohmann::json;

// Streams `v` through every entry point: containers element by element,
// strings through string(), other scalars through value(), and, below
// `raw_from` levels, whole values through raw(text()).
void stream(JsonStream& out, const json& v, int depth, int raw_from) {
  if (depth >= raw_from) {
    out.raw(out.text(v));
  } else if (v.is_object()) {
    out.begin_object();
    for (const auto& [key, member] : v.items()) {
      out.key(key);
      stream(out, member, depth + 1, raw_from);
    }
    out.end_object();
  } else if (v.is_array()) {
    out.begin_array();
    for (const auto& element : v)
      stream(out, element, depth + 1, raw_from);
    out.end_array();
  } else if (v.is_string()) {
    out.string(v.get<std::string>());
  } else {
    out.value(v);
  }
}

json sample() {
  return json::parse(R"({
    "tables": [
      {"from": "127.0.0.1", "routes": [], "uncertain": false},
      {"from": "::1", "routes": [{"as_path": "65001 65002", "med": 10, "nested": [[], {}, [1, [2]]]}],
       "to": "127.0.0.2"}
    ],
    "escapes": "quote \" backslash \\ tab \t line \n control \u0001",
    "utf8": "r\u00e9seau \u4e2d",
    "del": "\u007f",
    "numbers": [0, -1, 4294967295, 1.5, 18446744073709551615],
    "empty_object": {},
    "empty_array": [],
    "null": null,
    "bool": true
  })");
}

std::string streamed(const json& doc, int indent, int raw_from) {
  std::ostringstream text;
  {
    JsonStream out(text, indent);
    stream(out, doc, 0, raw_from);
  }
  return text.str();
}

TEST(JsonStream, WritesWhatDumpWritesCompactAndIndented) {
  json doc = sample();
  for (int raw_from : {99, 1, 2, 3, 4}) {
    SCOPED_TRACE("raw from depth " + std::to_string(raw_from));
    EXPECT_EQ(streamed(doc, -1, raw_from), doc.dump());
    EXPECT_EQ(streamed(doc, 2, raw_from), doc.dump(2));
    EXPECT_EQ(streamed(doc, 4, raw_from), doc.dump(4));
  }
}

TEST(JsonStream, TopLevelScalarsAndEmptyContainers) {
  for (const json& doc : {json(7), json("x"), json::array(), json::object(), json(nullptr)}) {
    EXPECT_EQ(streamed(doc, -1, 99), doc.dump());
    EXPECT_EQ(streamed(doc, 2, 99), doc.dump(2));
  }
}

// Output is held back in large pieces but complete once the document closes,
// before the writer goes away.
TEST(JsonStream, DocumentIsInTheStreamWhenItCloses) {
  std::ostringstream text;
  JsonStream out(text, 2);
  out.begin_array();
  for (int i = 0; i < 100000; ++i)
    out.string("element " + std::to_string(i));
  out.end_array();
  json expected = json::array();
  for (int i = 0; i < 100000; ++i)
    expected.push_back("element " + std::to_string(i));
  EXPECT_EQ(text.str(), expected.dump(2));
}

// Array elements written apart, by a stream that starts inside the array, and
// spliced in later read as if written in place: nested objects, 0, 1 and many
// elements, compact and indented, at depths 1 and 2.
TEST(JsonStream, SplicedElementsReadAsIfWrittenInPlace) {
  for (int indent : {-1, 2, 4})
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
      SCOPED_TRACE(std::to_string(indent) + " " + std::to_string(count));
      json elements = json::array();
      for (std::size_t i = 0; i < count; ++i)
        elements.push_back(json{{"n", i}, {"list", {1, {{"deep", "x"}}, json::array()}}});
      json doc{{"a", 1}, {"list", elements}, {"z", "end"}};

      std::stringstream spool;
      JsonStream apart(spool, indent, 2);
      for (const json& e : elements)
        apart.value(e);
      apart.flush();
      EXPECT_EQ(apart.elements(), count);

      std::ostringstream text;
      JsonStream out(text, indent);
      out.begin_object();
      out.key("a");
      out.value(1);
      out.key("list");
      out.begin_array();
      out.splice_elements(spool, apart.elements());
      out.end_array();
      out.key("z");
      out.string("end");
      out.end_object();
      EXPECT_EQ(text.str(), doc.dump(indent));

      // At the top: a document that is the array itself.
      std::stringstream top_spool;
      JsonStream top_apart(top_spool, indent, 1);
      for (const json& e : elements)
        top_apart.value(e);
      top_apart.flush();
      std::ostringstream top;
      JsonStream top_out(top, indent);
      top_out.begin_array();
      top_out.splice_elements(top_spool, count);
      top_out.end_array();
      EXPECT_EQ(top.str(), elements.dump(indent));
    }
}

// Invalid UTF-8 is refused as dump() refuses it, not written.
TEST(JsonStream, InvalidUtf8IsRefusedLikeDump) {
  std::ostringstream text;
  JsonStream out(text, -1);
  out.begin_array();
  EXPECT_THROW(out.string("\xff"), json::type_error);
}

}  // namespace
}  // namespace rsconform::jsonio
