#include "test_util.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rsconform::wire::test {

Bytes from_hex(std::string_view hex) {
  Bytes out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else if (c == ' ' || c == ':' || c == '-' || c == '\n' || c == '\t')
      continue;
    else
      throw std::invalid_argument("bad hex digit '" + std::string(1, c) + "'");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("odd number of hex digits");
  return out;
}

std::string to_hex(ByteView bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

Bytes with_header(std::uint8_t type, const Bytes& body) {
  Bytes out(16, 0xFF);
  auto length = body.size() + 19;
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(length));
  out.push_back(type);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

::testing::AssertionResult first_error_is(const DecodeResult& result,
                                          const ExpectedError& expected) {
  const DecodeError* e = result.first_error();
  if (!e) return ::testing::AssertionFailure() << "no error";
  auto fail = [&]() {
    return ::testing::AssertionFailure()
           << "got " << e->to_string() << " data " << to_hex(e->data) << ", expected "
           << static_cast<int>(expected.code) << "/" << int{expected.subcode} << " "
           << expected.field << " at " << expected.offset << "+" << expected.length << " ("
           << to_string(expected.action) << ")"
           << (expected.data ? " data " + to_hex(*expected.data) : std::string());
  };
  if (e->code != expected.code || e->subcode != expected.subcode || e->field != expected.field ||
      e->offset != expected.offset || e->length != expected.length ||
      e->action != expected.action || result.action < expected.action)
    return fail();
  if (expected.data && e->data != *expected.data) return fail();
  return ::testing::AssertionSuccess();
}

Prefix prefix(std::string_view text) {
  auto p = Prefix::parse(text);
  if (!p) throw std::invalid_argument("bad prefix '" + std::string(text) + "'");
  return *p;
}

IpAddress address(std::string_view text) {
  auto a = IpAddress::parse(text);
  if (!a) throw std::invalid_argument("bad address '" + std::string(text) + "'");
  return *a;
}

}  // namespace rsconform::wire::test
