// GoBGP's fuzzer-found messages with bad lengths (corpus/public/gobgp/bad-len).
// As stored, their marker is ASCII '0', so framing stops at octet 0. With the
// marker restored to 0xFF, each frames and decodes to one precise first error.
// Skipped without the public corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/corpus.hpp"
#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

Bytes read_bin(const std::string& name) {
  std::ifstream in(test_support::corpus_file("gobgp/bad-len/" + name + ".bin"), std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Row {
  const char* file;
  std::size_t frame_length;  // what the length field frames
  ErrorCode code;
  std::uint8_t subcode;
  const char* field;
  std::size_t offset;
  ErrorAction action;  // strongest over the message
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.file;
}

constexpr auto kUpdate = ErrorCode::update_message;
constexpr auto kOpen = ErrorCode::open_message;
constexpr auto kReset = ErrorAction::session_reset;

// clang-format off
const Row kRows[] = {
  // OPENs whose version octet is junk.
  {"000852858287eb2ece5cd12aabef453f87b77adb", 64, kOpen, subcode::kUnsupportedVersion, "Version", 19, kReset},
  {"0b229debaa2fc1e8b997c9894ad3184cce8c7bb4", 64, kOpen, subcode::kUnsupportedVersion, "Version", 19, kReset},
  {"1d1fb484828b4f23af3ff0ab71b67682d5876fd6", 64, kOpen, subcode::kUnsupportedVersion, "Version", 19, kReset},
  // MP_UNREACH_NLRI of length 5 in a 3-octet attribute area: its NLRI cannot be found.
  {"147a924d9a4a4d9960f8bb49e3ec782ee93f82a7", 31, kUpdate, subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, kReset},
  {"3dce7e046d709b142092e15b78e9ad20ee5144fa", 31, kUpdate, subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, kReset},
  {"66e6aab4f34c9c5783c18f90b2d987e5dad241e0", 31, kUpdate, subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, kReset},
  {"a8ecedce17e2e28a466cf9fb3bfaf2d8554fef42", 31, kUpdate, subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, kReset},
  {"b7ed0646a97127bf424da480a53a84a0cb9c9565", 31, kUpdate, subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, kReset},
  // Unknown optional attribute 26 overruns (withdraw), then a /48 IPv4 NLRI (reset).
  {"4d4dc736bc89bf41363774d282b8a7641c3e7a98", 31, kUpdate, subcode::kAttributeLengthError, "Attribute 26", 23, kReset},
  // 3 octets left with the extended-length bit set: too few for a header; then a /48 NLRI.
  {"27f19d6959e9cbecfcd09b28c3aec493a4b6f18d", 64, kUpdate, subcode::kMalformedAttributeList, "Path Attributes", 23, kReset},
  {"3765bb2392d48ca8edaf0b5e39209eb2d1b87c53", 48, kUpdate, subcode::kMalformedAttributeList, "Path Attributes", 23, kReset},
};
// clang-format on

class GobgpBadLen : public testing::TestWithParam<Row> {
 protected:
  void SetUp() override { RSCONFORM_SKIP_WITHOUT_CORPUS(); }
};

TEST_P(GobgpBadLen, AsStoredTheMarkerIsRejected) {
  Bytes stream = read_bin(GetParam().file);
  ASSERT_GE(stream.size(), kHeaderSize);
  FrameResult f = frame(stream);
  ASSERT_EQ(f.status, FrameStatus::error);
  EXPECT_EQ(f.error->code, ErrorCode::message_header);
  EXPECT_EQ(f.error->subcode, subcode::kConnectionNotSynchronized);
  EXPECT_EQ(f.error->offset, 0u);
  DecodeResult r = decode(stream, DecodeContext{});
  EXPECT_FALSE(r.message.has_value());
  EXPECT_EQ(r.action, ErrorAction::session_reset);
}

TEST_P(GobgpBadLen, WithTheMarkerRestoredGivesAPreciseError) {
  const Row& row = GetParam();
  Bytes stream = read_bin(row.file);
  ASSERT_GE(stream.size(), kHeaderSize);
  std::fill(stream.begin(), stream.begin() + 16, 0xFF);
  FrameResult f = frame(stream);
  ASSERT_EQ(f.status, FrameStatus::complete);
  ASSERT_EQ(f.length, row.frame_length);
  DecodeResult r = decode(ByteView(stream).first(f.length), DecodeContext{});
  ASSERT_FALSE(r.ok());
  const DecodeError& e = r.errors.front();
  EXPECT_EQ(e.code, row.code) << e.to_string();
  EXPECT_EQ(e.subcode, row.subcode) << e.to_string();
  EXPECT_EQ(e.field, row.field) << e.to_string();
  EXPECT_EQ(e.offset, row.offset) << e.to_string();
  EXPECT_LE(e.offset + e.length, f.length) << e.to_string();
  EXPECT_EQ(r.action, row.action) << e.to_string();
  // The bytes after the framed message are not part of it: decoding the whole
  // file at once is a length mismatch when there are any.
  if (stream.size() != f.length) {
    DecodeResult whole = decode(stream, DecodeContext{});
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(whole.errors[0].subcode, subcode::kBadMessageLength);
    EXPECT_EQ(whole.errors[0].offset, 16u);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, GobgpBadLen, testing::ValuesIn(kRows), [](const auto& param_info) {
  return std::string(param_info.param.file).substr(0, 8);
});

TEST(GobgpBadLenCorpus, EveryFileHasARow) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test_support::corpus_file("gobgp/bad-len"))) {
    ++files;
    std::string stem = entry.path().stem().string();
    EXPECT_TRUE(std::any_of(std::begin(kRows), std::end(kRows), [&](const Row& r) {
      return stem == r.file;
    })) << stem;
  }
  EXPECT_EQ(files, std::size(kRows));
}

}  // namespace
}  // namespace rsconform::wire
