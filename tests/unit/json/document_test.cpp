// jsonio::Document: positions by JSON pointer, the limits on untrusted input,
// and the one error convention of every JSON reader.
#include "json/document.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace rsconform::jsonio {
namespace {

// The error `f` throws, or a failure when it throws none.
template <class F>
InputError error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("", "", {}, "");
}

TEST(Document, PositionsByPointer) {
  const std::string text = "{\"a\": [1, {\"b/c\": \"x\"}],\n \"d\": null, \"\\u00e9\": 2}";
  auto doc = Document::parse(text, "t.json");
  EXPECT_EQ(doc->position("/a/1/b~1c").offset, text.find("\"x\""));
  EXPECT_EQ(doc->position("/d").line, 2u);
  EXPECT_EQ(doc->position("/d").column, 7u);
  EXPECT_EQ(doc->position("/a/7").offset, text.find('['));  // nearest ancestor
  // Keys with escapes are indexed as nlohmann decodes them.
  EXPECT_EQ(doc->position("/\xC3\xA9").offset, text.rfind('2'));
}

TEST(Document, ErrorsNameFileLineColumnAndPointer) {
  auto doc = Document::parse("{\n  \"port\": -3\n}", "s.json");
  auto e = error_of([&] { doc->root().object({"port"}).require("port").uint(1, 65535); });
  EXPECT_EQ(e.file, "s.json");
  EXPECT_EQ(e.pointer, "/port");
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.at.column, 11u);
  EXPECT_STREQ(e.what(), "s.json:2:11: /port: expected an integer in 1..65535, got -3");
}

TEST(Document, UnknownAndMissingKeys) {
  auto doc = Document::parse("{\"nmae\": 1}", "s.json");
  auto unknown = error_of([&] { doc->root().object({"name"}); });
  EXPECT_EQ(unknown.pointer, "/nmae");
  EXPECT_EQ(unknown.message, "unknown key \"nmae\"; expected one of: name");
  auto missing = error_of([&] { doc->root().object({"name", "nmae"}).require("name"); });
  EXPECT_EQ(missing.pointer, "");
  EXPECT_EQ(missing.message, "missing required key \"name\"");
}

// Names from a list and text forms: the value, or an error at the value
// listing what was expected.
TEST(Document, NamesFromAListAndParsedText) {
  auto doc =
      Document::parse(R"({"a": "vpngateway", "b": "VpnGateway", "c": 3, "d": "10"})", "s.json");
  const Object o = doc->root().object({"a", "b", "c", "d"});
  const std::initializer_list<std::pair<std::string_view, int>> names = {{"nva", 1},
                                                                         {"vpngateway", 2}};
  EXPECT_EQ(o.require("a").one_of(names), 2);
  EXPECT_EQ(o.require("b").one_of(names, Letters::any_case), 2);
  auto exact = error_of([&] { o.require("b").one_of(names); });
  EXPECT_EQ(exact.pointer, "/b");
  EXPECT_EQ(exact.message, "expected one of nva, vpngateway, got \"VpnGateway\"");
  EXPECT_EQ(error_of([&] { o.require("c").one_of(names); }).message,
            "expected one of nva, vpngateway, got 3");
  auto digits = [](std::string_view t) {
    return t.find_first_not_of("0123456789") == std::string_view::npos
               ? std::optional<std::size_t>(t.size())
               : std::nullopt;
  };
  EXPECT_EQ(o.require("d").parsed(digits, "digits"), 2u);
  EXPECT_EQ(error_of([&] { o.require("a").parsed(digits, "digits"); }).message,
            "expected digits, got \"vpngateway\"");
  EXPECT_EQ(error_of([&] { o.require("c").parsed(digits, "digits"); }).message,
            "expected digits, got 3");
}

TEST(Document, InvalidJsonIsPositioned) {
  auto e = error_of([] { Document::parse("{\"a\": [1,\n 2,, 3]}", "bad.json"); });
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.message.rfind("invalid JSON: syntax error", 0), 0u) << e.message;
  // The position is said once, in front.
  EXPECT_EQ(std::string(e.what()).find("line"), std::string::npos) << e.what();
}

TEST(Document, DeepNestingIsRefusedNotRecursed) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto e = error_of([&] { Document::parse(deep, "deep.json"); });
  EXPECT_EQ(e.message, "nested deeper than 64 levels");
  EXPECT_EQ(e.at.offset, 64u);
  // Unbalanced too: the walk stops at the limit, whatever follows.
  std::string objects;
  for (int i = 0; i < 100000; ++i)
    objects += "{\"a\": ";
  EXPECT_EQ(error_of([&] { Document::parse(objects, "x"); }).message,
            "nested deeper than 64 levels");
  // At the limit it reads.
  EXPECT_NO_THROW(Document::parse(std::string(64, '[') + std::string(64, ']'), "ok"));
}

TEST(Document, DuplicateKeysAreRefused) {
  auto e = error_of([] { Document::parse("{\"a\": {\"b\": 1,\n \"b\": 2}}", "dup.json"); });
  EXPECT_EQ(e.pointer, "/a/b");
  EXPECT_EQ(e.message, "duplicate key");
  EXPECT_EQ(e.at.line, 2u);
}

// nlohmann refuses a number beyond a double with out_of_range, not parse_error:
// it must still be an InputError at the number (found by fuzz_suite and others,
// tests/fuzz/crashers).
TEST(Document, NumberTooLargeIsAPositionedInputError) {
  auto e = error_of([] { Document::parse("{\"a\": [1,\n 2e930]}", "big.json"); });
  EXPECT_EQ(e.pointer, "/a/1");
  EXPECT_EQ(e.message, "number too large (beyond a double)");
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.at.column, 2u);
  for (const char* text : {"55551e955.", "1e9844\"ala", "[-1e400]", "{\"a\": 1.5e309}"})
    EXPECT_THROW(Document::parse(text, "big.json"), InputError) << text;
  EXPECT_NO_THROW(Document::parse("[1e308, -1e-400, 18446744073709551616]", "big.json"));
}

TEST(Document, SizeLimit) {
  Limits small;
  small.max_bytes = 10;
  EXPECT_NE(error_of([&] {
              Document::parse("[1, 2, 3, 4, 5]", "big", small);
            }).message.find("larger than 10 bytes"),
            std::string::npos);
}

TEST(Document, InvalidUtf8IsAnInputError) {
  auto e = error_of([] { Document::parse("{\"a\": \"\xff\"}", "u.json"); });
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos);
}

TEST(Document, ReadingEndlessFilesStopsAtTheLimit) {
  Limits small;
  small.max_bytes = 1 << 16;
  auto zero = error_of([&] { Document::read_file("/dev/zero", small); });
  EXPECT_EQ(zero.file, "/dev/zero");
  EXPECT_NE(zero.message.find("larger than 65536 bytes"), std::string::npos);
  EXPECT_EQ(error_of([] { Document::read_file("/nonexistent/x.json"); }).message,
            "cannot open file");

  // A FIFO that keeps writing is refused at the limit, not read forever.
  const auto fifo =
      std::filesystem::temp_directory_path() / ("rsconform-doc-fifo-" + std::to_string(::getpid()));
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The writer sees the reader go away as a failed write, not a signal.
  auto previous = std::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    const std::string block(4096, ' ');
    for (int i = 0; i < 64 && out; ++i)
      out << block;
  });
  auto e = error_of([&] { Document::read_file(fifo.string(), small); });
  EXPECT_NE(e.message.find("larger than"), std::string::npos);
  writer.join();
  std::signal(SIGPIPE, previous);
  std::filesystem::remove(fifo);
}

TEST(Document, ValuesByPointer) {
  auto doc = Document::parse("{\"peers\": [{\"asn\": 65001}]}", "v.json");
  EXPECT_EQ(doc->at("/peers/0/asn").uint(1, 0xFFFFFFFF), 65001u);
  EXPECT_EQ(doc->at("/peers/0").child("asn").pointer(), "/peers/0/asn");
  EXPECT_EQ(error_of([&] { doc->at("/peers/3"); }).message, "no such value");
  EXPECT_EQ(doc->root().child("peers").array(true).size(), 1u);
  EXPECT_EQ(error_of([&] { doc->at("/peers/0/asn").strings(); }).message,
            "expected a string or a non-empty array of strings, got 65001");
}

}  // namespace
}  // namespace rsconform::jsonio
