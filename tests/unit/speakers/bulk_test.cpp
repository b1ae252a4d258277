#include "speakers/speaker/bulk.hpp"

#include <gtest/gtest.h>

namespace rsconform::speakers {
namespace {

std::vector<wire::PathAttribute> attrs() {
  return {{0x40, 1, wire::OriginAttr{}},
          {0x40, 2, wire::AsPathAttr{wire::AsPath::sequence({65001})}},
          {0x40, 3, wire::NextHopAttr{wire::IpAddress::v4(127, 65, 1, 4)}}};
}

// Decodes every UPDATE in `bytes`, checking sizes; returns all NLRI (or withdrawn).
std::vector<wire::Prefix> unpack(const wire::Bytes& bytes, const wire::DecodeContext& ctx,
                                 bool withdrawn, std::size_t& messages) {
  std::vector<wire::Prefix> out;
  wire::ByteView rest(bytes);
  while (!rest.empty()) {
    auto f = wire::frame(rest, ctx.max_message_size());
    EXPECT_EQ(f.status, wire::FrameStatus::complete);
    if (f.status != wire::FrameStatus::complete) break;
    auto r = wire::decode(rest.subspan(0, f.length), ctx);
    EXPECT_TRUE(r.ok()) << (r.first_error() ? r.first_error()->to_string() : "");
    const auto& u = std::get<wire::Update>(*r.message);
    const auto& v = withdrawn ? u.withdrawn : u.nlri;
    out.insert(out.end(), v.begin(), v.end());
    rest = rest.subspan(f.length);
    ++messages;
  }
  return out;
}

TEST(Bulk, PrefixGeneration) {
  const auto first = *wire::Prefix::parse("10.0.0.0/24");
  EXPECT_EQ(bulk_prefix(first, 0).to_string(), "10.0.0.0/24");
  EXPECT_EQ(bulk_prefix(first, 257).to_string(), "10.1.1.0/24");
  EXPECT_THROW(bulk_prefix(*wire::Prefix::parse("255.255.255.0/24"), 2), std::invalid_argument);
  EXPECT_THROW(bulk_prefix(*wire::Prefix::parse("2001:db8::/32"), 0), std::invalid_argument);
}

TEST(Bulk, PacksFullSizeUpdatesAndEveryPrefixOnce) {
  BulkSpec spec{*wire::Prefix::parse("10.0.0.0/24"), 5000, attrs(), false, 0, {}};
  wire::DecodeContext ctx;
  BulkCursor cursor;
  wire::Bytes out;
  while (pack_updates(spec, ctx, cursor, 16 * 1024, out) > 0) {
  }
  std::size_t messages = 0;
  const auto prefixes = unpack(out, ctx, false, messages);
  ASSERT_EQ(prefixes.size(), 5000u);
  for (std::size_t i = 0; i < prefixes.size(); ++i)
    ASSERT_EQ(prefixes[i], bulk_prefix(spec.first, i));
  // Full size: all but the last message are within 4 octets of 4096.
  EXPECT_LE(messages, 5000u / ((4096 - 48) / 4) + 1);
  EXPECT_GT(out.size() / messages, 3500u);
}

TEST(Bulk, WithdrawAndAddPath) {
  BulkSpec spec{*wire::Prefix::parse("20.0.0.0/16"), 3000, {}, true, 0, {}};
  wire::DecodeContext ctx;
  ctx.add_path.insert(wire::kIpv4Unicast);
  BulkCursor cursor;
  wire::Bytes out;
  while (pack_updates(spec, ctx, cursor, 1 << 20, out) > 0) {
  }
  std::size_t messages = 0;
  const auto prefixes = unpack(out, ctx, true, messages);
  ASSERT_EQ(prefixes.size(), 3000u);
  EXPECT_EQ(prefixes[2999].path_id, 1u);
  EXPECT_EQ(prefixes[1].address, wire::IpAddress::v4(20, 1, 0, 0));
}

// Every UPDATE is within the session's maximum and full up to one prefix:
// 4096 octets, with or without path identifiers, 65535 with Extended Messages.
TEST(Bulk, FillsUpToTheNegotiatedMaximum) {
  struct Row {
    const char* name;
    bool add_path;
    bool extended;
    std::size_t entry;  // octets per /24
  };
  for (const Row& row : {Row{"plain", false, false, 4}, Row{"add-path", true, false, 8},
                         Row{"extended", false, true, 4}, Row{"both", true, true, 8}}) {
    SCOPED_TRACE(row.name);
    wire::DecodeContext ctx;
    ctx.extended_message = row.extended;
    if (row.add_path) ctx.add_path.insert(wire::kIpv4Unicast);
    BulkSpec spec{*wire::Prefix::parse("10.0.0.0/24"), 40000, attrs(), false, 0, {}};
    BulkCursor cursor;
    wire::Bytes out;
    while (pack_updates(spec, ctx, cursor, 1 << 20, out) > 0) {
    }
    std::size_t largest = 0;
    std::size_t count = 0;
    wire::ByteView rest(out);
    while (!rest.empty()) {
      const auto f = wire::frame(rest, ctx.max_message_size());
      ASSERT_EQ(f.status, wire::FrameStatus::complete);
      largest = std::max(largest, f.length);
      count +=
          std::get<wire::Update>(*wire::decode(rest.subspan(0, f.length), ctx).message).nlri.size();
      rest = rest.subspan(f.length);
    }
    EXPECT_EQ(count, spec.count);
    EXPECT_LE(largest, ctx.max_message_size());
    EXPECT_GT(largest + row.entry, ctx.max_message_size());
  }
}

TEST(Bulk, BudgetBoundsEachPack) {
  BulkSpec spec{*wire::Prefix::parse("10.0.0.0/24"), 1'000'000, attrs(), false, 0, {}};
  BulkCursor cursor;
  wire::Bytes out;
  pack_updates(spec, wire::DecodeContext{}, cursor, 64 * 1024, out);
  EXPECT_LT(out.size(), 64u * 1024 + 4096);
  EXPECT_LT(cursor.next, spec.count);
}

// A fresh AS_PATH every N prefixes: each UPDATE stays within one block, every prefix is sent
// once and in order, and each block's path is the base path with its own two private ASNs.
TEST(Bulk, FreshPathEveryNPrefixes) {
  BulkSpec spec{*wire::Prefix::parse("10.0.0.0/24"), 2505, attrs(), false, 10, {}};
  wire::DecodeContext ctx;
  BulkCursor cursor;
  wire::Bytes out;
  while (pack_updates(spec, ctx, cursor, 4096, out) > 0) {
  }
  wire::ByteView rest(out);
  std::uint64_t next = 0;
  std::size_t messages = 0;
  while (!rest.empty()) {
    auto f = wire::frame(rest, ctx.max_message_size());
    ASSERT_EQ(f.status, wire::FrameStatus::complete);
    auto r = wire::decode(rest.subspan(0, f.length), ctx);
    ASSERT_TRUE(r.ok());
    const auto& u = std::get<wire::Update>(*r.message);
    const std::uint64_t block = next / 10;
    ASSERT_EQ(u.nlri.size(), std::min<std::uint64_t>(10, 2505 - next)) << "message " << messages;
    const auto expected =
        wire::AsPath::sequence({65001, static_cast<std::uint32_t>(3000 + block / 1000),
                                static_cast<std::uint32_t>(20000 + block % 1000)});
    ASSERT_EQ(u.get<wire::AsPathAttr>()->path, expected) << "block " << block;
    for (const auto& p : u.nlri)
      ASSERT_EQ(p, bulk_prefix(spec.first, next++));
    rest = rest.subspan(f.length);
    ++messages;
  }
  EXPECT_EQ(next, 2505u);
  EXPECT_EQ(messages, 251u);
  // Blocks 1000 apart differ in the transit ASN, not only the origin.
  EXPECT_NE(bulk_attributes(spec, 0), bulk_attributes(spec, 10'000));
  EXPECT_EQ(bulk_attributes(spec, 0), bulk_attributes(spec, 9));
}

}  // namespace
}  // namespace rsconform::speakers
