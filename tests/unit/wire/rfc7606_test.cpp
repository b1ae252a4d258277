// RFC 7606 / RFC 4271 6.3 error handling, table-driven: each row forges an
// UPDATE and names the first error it must produce (code 3, subcode, field,
// offset and length in the message, action, NOTIFICATION data) and the
// strongest action overall.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::from_hex;
using test::to_hex;
using test::with_header;

constexpr auto kNone = ErrorAction::none;
constexpr auto kDiscard = ErrorAction::attribute_discard;
constexpr auto kTaw = ErrorAction::treat_as_withdraw;
constexpr auto kDisable = ErrorAction::afisafi_disable;
constexpr auto kReset = ErrorAction::session_reset;

// Attributes of a valid IPv4 announcement: ORIGIN at 23, AS_PATH at 27,
// NEXT_HOP at 30 (when nothing is withdrawn); the next attribute starts at 37.
const std::string kBase = "40 01 01 00  40 02 00  40 03 04 0a000001 ";

struct Row {
  const char* name;
  std::string withdrawn;   // hex of the Withdrawn Routes field
  std::string attributes;  // hex of the Path Attributes field
  std::string nlri;        // hex of the NLRI field
  std::uint8_t subcode;    // first error (ignored when action is none)
  const char* field;
  std::size_t offset;
  std::size_t length;
  ErrorAction first_action;
  ErrorAction action;           // strongest
  const char* data = "";        // expected NOTIFICATION data (hex)
  std::size_t withdrawals = 0;  // withdrawn_by_error() size when treat-as-withdraw
  bool four_octet_as = true;
  std::string raw_body = {};  // when set, the whole body verbatim (lengths forged)
};

Bytes body_of(const Row& row) {
  if (!row.raw_body.empty()) return from_hex(row.raw_body);
  Bytes w = from_hex(row.withdrawn);
  Bytes a = from_hex(row.attributes);
  Bytes n = from_hex(row.nlri);
  Bytes body;
  ByteWriter out(body);
  out.u16(static_cast<std::uint16_t>(w.size()));
  out.bytes(w);
  out.u16(static_cast<std::uint16_t>(a.size()));
  out.bytes(a);
  out.bytes(n);
  return body;
}

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

// clang-format off
const std::vector<Row> kRows{
  // --- attribute flags (RFC 7606 3.c) ---
  {"origin_flags", "", "c0 01 01 00  40 02 00  40 03 04 0a000001", "18 0a0000",
   subcode::kAttributeFlagsError, "ORIGIN", 23, 1, kTaw, kTaw, "c0010100", 1},
  {"mp_reach_flags_still_withdraws", "", "40 01 01 00  40 02 00  c0 0e 1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001",
   "", subcode::kAttributeFlagsError, "MP_REACH_NLRI", 30, 1, kTaw, kTaw,
   "c00e1c00020110" "20010db8000000000000000000000001" "00 30 20010db80001", 1},
  {"as4_aggregator_flags_discard", "", kBase + "80 12 08 fa56ea00 0a000001", "18 0a0000",
   subcode::kAttributeFlagsError, "AS4_AGGREGATOR", 37, 1, kDiscard, kDiscard, "80120 8fa56ea000a000001", 0},
  // --- attribute lengths ---
  {"origin_length", "", "40 01 02 0000  40 02 00  40 03 04 0a000001", "18 0a0000",
   subcode::kAttributeLengthError, "ORIGIN", 23, 5, kTaw, kTaw, "4001020000", 1},
  {"next_hop_length", "", "40 01 01 00  40 02 00  40 03 05 0a00000100", "18 0a0000",
   subcode::kAttributeLengthError, "NEXT_HOP", 30, 8, kTaw, kTaw, "4003050a00000100", 1},
  {"med_length", "", kBase + "80 04 03 000064", "18 0a0000",
   subcode::kAttributeLengthError, "MULTI_EXIT_DISC", 37, 6, kTaw, kTaw, "800403000064", 1},
  {"local_pref_length", "", kBase + "40 05 00", "18 0a0000",
   subcode::kAttributeLengthError, "LOCAL_PREF", 37, 3, kTaw, kTaw, "400500", 1},
  {"atomic_aggregate_length_discard", "", kBase + "40 06 01 00", "18 0a0000",
   subcode::kAttributeLengthError, "ATOMIC_AGGREGATE", 37, 4, kDiscard, kDiscard, "40060100", 0},
  {"aggregator_length_discard_as4", "", kBase + "c0 07 06 fde9 0a000001", "18 0a0000",
   subcode::kAttributeLengthError, "AGGREGATOR", 37, 9, kDiscard, kDiscard, "c00706fde90a000001", 0},
  {"aggregator_length_discard_as2", "", kBase + "c0 07 08 0000fde9 0a000001", "18 0a0000",
   subcode::kAttributeLengthError, "AGGREGATOR", 37, 11, kDiscard, kDiscard,
   "c007080000fde90a000001", 0, false},
  {"communities_length", "", kBase + "c0 08 03 fde900", "18 0a0000",
   subcode::kAttributeLengthError, "COMMUNITIES", 37, 6, kTaw, kTaw, "c00803fde900", 1},
  {"communities_empty", "", kBase + "c0 08 00", "18 0a0000",
   subcode::kAttributeLengthError, "COMMUNITIES", 37, 3, kTaw, kTaw, "c00800", 1},
  {"originator_id_length", "", kBase + "80 09 02 0a00", "18 0a0000",
   subcode::kAttributeLengthError, "ORIGINATOR_ID", 37, 5, kTaw, kTaw, "8009020a00", 1},
  {"cluster_list_length", "", kBase + "80 0a 05 0a00000100", "18 0a0000",
   subcode::kAttributeLengthError, "CLUSTER_LIST", 37, 8, kTaw, kTaw, "800a050a00000100", 1},
  {"extended_communities_length", "", kBase + "c0 10 04 00020000", "18 0a0000",
   subcode::kAttributeLengthError, "EXTENDED_COMMUNITIES", 37, 7, kTaw, kTaw, "c0100400020000", 1},
  {"as4_aggregator_length_discard", "", kBase + "c0 12 06 fde9 0a000001", "18 0a0000",
   subcode::kAttributeLengthError, "AS4_AGGREGATOR", 37, 9, kDiscard, kDiscard, "c01206fde90a000001", 0},
  {"large_community_length", "", kBase + "c0 20 08 0000fde9 00000001", "18 0a0000",
   subcode::kAttributeLengthError, "LARGE_COMMUNITY", 37, 11, kTaw, kTaw, "c020080000fde900000001", 1},
  {"otc_length", "", kBase + "c0 23 02 fde9", "18 0a0000",
   subcode::kAttributeLengthError, "OTC", 37, 5, kTaw, kTaw, "c02302fde9", 1},
  // --- values (NEXT_HOP semantics are the route server's call, not the codec's) ---
  {"next_hop_any_host_is_syntactically_fine", "", "40 01 01 00  40 02 00  40 03 04 ffffffff", "18 0a0000",
   0, "", 0, 0, kNone, kNone},
  {"origin_value", "08 0a", "40 01 01 03  40 02 00  40 03 04 0a000001", "18 0a0000 10 0a01",
   subcode::kInvalidOriginAttribute, "ORIGIN", 28, 1, kTaw, kTaw, "40010103", 3},
  // --- AS_PATH (RFC 7606 7.2): no NOTIFICATION data ---
  {"as_path_segment_overrun", "", "40 01 01 00  40 02 06 02 02 0000fde9  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAsPath, "AS_PATH", 30, 6, kTaw, kTaw, "", 1},
  {"as_path_zero_length_segment", "", "40 01 01 00  40 02 02 02 00  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAsPath, "AS_PATH", 30, 2, kTaw, kTaw, "", 1},
  {"as_path_bad_segment_type", "", "40 01 01 00  40 02 06 05 01 0000fde9  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAsPath, "AS_PATH", 30, 6, kTaw, kTaw, "", 1},
  {"as_path_truncated_segment_header", "", "40 01 01 00  40 02 07 02 01 0000fde9 02  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAsPath, "AS_PATH", 36, 1, kTaw, kTaw, "", 1},
  {"as_path_2_octet_overrun", "", "40 01 01 00  40 02 05 02 02 fde9 01  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAsPath, "AS_PATH", 30, 5, kTaw, kTaw, "", 1, false},
  {"as4_path_malformed_discard", "", kBase + "c0 11 02 02 00", "18 0a0000",
   subcode::kOptionalAttributeError, "AS4_PATH", 40, 2, kDiscard, kDiscard, "c011020200", 0, false},
  // --- duplicates (RFC 7606 3.g) ---
  {"duplicate_origin_discarded", "", "40 01 01 00  40 01 01 01  40 02 00  40 03 04 0a000001", "18 0a0000",
   subcode::kMalformedAttributeList, "ORIGIN", 27, 4, kDiscard, kDiscard, "", 0},
  {"duplicate_mp_unreach_resets", "", "80 0f 03 0002 01  80 0f 03 0002 01", "",
   subcode::kMalformedAttributeList, "MP_UNREACH_NLRI", 29, 6, kReset, kReset, "", 0},
  // --- missing well-known attributes (RFC 7606 3.d): data is the type code ---
  {"missing_origin", "", "40 02 00  40 03 04 0a000001", "18 0a0000",
   subcode::kMissingWellKnownAttribute, "ORIGIN", 21, 12, kTaw, kTaw, "01", 1},
  {"missing_as_path", "", "40 01 01 00  40 03 04 0a000001", "18 0a0000",
   subcode::kMissingWellKnownAttribute, "AS_PATH", 21, 13, kTaw, kTaw, "02", 1},
  {"missing_next_hop", "", "40 01 01 00  40 02 00", "18 0a0000",
   subcode::kMissingWellKnownAttribute, "NEXT_HOP", 21, 9, kTaw, kTaw, "03", 1},
  {"mp_reach_needs_no_next_hop", "", "40 01 01 00  40 02 00  80 0e 15 0002 01 10 20010db8000000000000000000000001 00", "",
   0, "", 0, 0, kNone, kNone},
  {"mp_reach_missing_origin", "", "40 02 00  80 0e 15 0002 01 10 20010db8000000000000000000000001 00", "",
   subcode::kMissingWellKnownAttribute, "ORIGIN", 21, 29, kTaw, kTaw, "01", 0},
  {"withdraw_only_needs_nothing", "08 0a", "", "", 0, "", 0, 0, kNone, kNone},
  // --- MP_REACH / MP_UNREACH (RFC 7606 7.11, 5.3) ---
  {"mp_reach_bad_next_hop_length", "", "40 01 01 00  40 02 00  80 0e 09 0002 01 04 0a000001 00", "",
   subcode::kOptionalAttributeError, "MP_REACH_NLRI", 36, 5, kDisable, kDisable,
   "800e09000201040a00000100", 0},
  {"mp_reach_nlri_overrun", "", "40 01 01 00  40 02 00  80 0e 18 0002 01 10 20010db8000000000000000000000001 00 30 2001", "",
   subcode::kOptionalAttributeError, "MP_REACH_NLRI", 54, 3, kDisable, kDisable,
   "800e180002011020010db800000000000000000000000100302001", 0},
  {"mp_reach_prefix_too_long", "", "40 01 01 00  40 02 00  80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81", "",
   subcode::kOptionalAttributeError, "MP_REACH_NLRI", 54, 1, kDisable, kDisable,
   "800e160002011020010db80000000000000000000000010081", 0},
  {"mp_reach_next_hop_overruns", "", "40 01 01 00  40 02 00  80 0e 06 0002 01 10 2001", "",
   subcode::kOptionalAttributeError, "MP_REACH_NLRI", 36, 3, kReset, kReset, "800e06000201102001", 0},
  {"mp_reach_too_short", "", "80 0e 02 0002", "",
   subcode::kOptionalAttributeError, "MP_REACH_NLRI", 26, 2, kReset, kReset, "800e020002", 0},
  {"mp_unreach_too_short", "", "80 0f 02 0002", "",
   subcode::kOptionalAttributeError, "MP_UNREACH_NLRI", 26, 2, kReset, kReset, "800f020002", 0},
  {"mp_unreach_prefix_overrun", "", "80 0f 05 0002 01 40 20", "",
   subcode::kOptionalAttributeError, "MP_UNREACH_NLRI", 29, 2, kDisable, kDisable, "800f050002014020", 0},
  // --- attribute area framing (RFC 7606 4) ---
  {"attribute_overruns_area", "", kBase + "c0 08 08 fde90064", "18 0a0000",
   subcode::kAttributeLengthError, "COMMUNITIES", 37, 7, kTaw, kTaw, "c00808fde90064", 1},
  {"mp_attribute_overruns_area", "", "80 0f 05 0002", "",
   subcode::kAttributeLengthError, "MP_UNREACH_NLRI", 23, 5, kReset, kReset, "800f050002", 0},
  {"attribute_header_truncated", "", kBase + "c0 08", "18 0a0000",
   subcode::kMalformedAttributeList, "Path Attributes", 37, 2, kTaw, kTaw, "", 1},
  {"extended_header_truncated", "", kBase + "d0 08 00", "18 0a0000",
   subcode::kMalformedAttributeList, "Path Attributes", 37, 3, kTaw, kTaw, "", 1},
  {"withdrawn_length_too_long", "", "", "", subcode::kMalformedAttributeList,
   "Withdrawn Routes Length", 19, 2, kReset, kReset, "", 0, true, "00ff 0000"},
  {"attributes_length_too_long", "", "", "", subcode::kMalformedAttributeList,
   "Total Path Attribute Length", 21, 2, kReset, kReset, "", 0, true, "0000 00ff 18 0a0000"},
  // --- NLRI syntax (RFC 7606 5.3) ---
  {"withdrawn_prefix_too_long", "21 0a000000", "", "", subcode::kInvalidNetworkField,
   "Withdrawn Routes", 21, 5, kReset, kReset},
  {"withdrawn_prefix_overrun", "18 0a00", "", "", subcode::kInvalidNetworkField,
   "Withdrawn Routes", 21, 3, kReset, kReset},
  {"nlri_prefix_overrun", "", kBase, "18 0a0000 18 0a01", subcode::kInvalidNetworkField,
   "NLRI", 41, 3, kReset, kReset},
  // --- unrecognized well-known attribute (RFC 4271 6.3; withdrawn, as FRR does) ---
  {"unrecognized_well_known", "", kBase + "40 63 01 00", "18 0a0000",
   subcode::kUnrecognizedWellKnownAttribute, "Attribute 99", 37, 4, kTaw, kTaw, "40630100", 1},
  {"unknown_optional_is_fine", "", kBase + "c0 63 01 00", "18 0a0000", 0, "", 0, 0, kNone, kNone},
  // --- the strongest action wins (RFC 7606 3.j) ---
  {"discard_then_withdraw", "", kBase + "40 06 01 00  80 04 03 000064", "18 0a0000",
   subcode::kAttributeLengthError, "ATOMIC_AGGREGATE", 37, 4, kDiscard, kTaw, "40060100", 1},
  {"withdraw_then_reset", "", "40 01 01 07  40 02 00  40 03 04 0a000001", "18 0a0000 21",
   subcode::kInvalidOriginAttribute, "ORIGIN", 26, 1, kTaw, kReset, "40010107", 1},
};
// clang-format on

class Rfc7606 : public testing::TestWithParam<Row> {};

TEST_P(Rfc7606, FirstErrorAndStrongestAction) {
  const Row& row = GetParam();
  DecodeContext context;
  context.four_octet_as = row.four_octet_as;
  Bytes message = with_header(2, body_of(row));
  DecodeResult r = decode(message, context);
  ASSERT_TRUE(r.message.has_value());
  EXPECT_EQ(r.action, row.action);
  if (row.first_action == kNone) {
    EXPECT_TRUE(r.ok()) << r.first_error()->to_string();
    return;
  }
  ASSERT_FALSE(r.errors.empty());
  const DecodeError& e = r.errors.front();
  EXPECT_EQ(e.code, ErrorCode::update_message) << e.to_string();
  EXPECT_EQ(e.subcode, row.subcode) << e.to_string();
  EXPECT_EQ(e.field, row.field) << e.to_string();
  EXPECT_EQ(e.offset, row.offset) << e.to_string();
  EXPECT_EQ(e.length, row.length) << e.to_string();
  EXPECT_EQ(e.action, row.first_action) << e.to_string();
  EXPECT_EQ(to_hex(e.data), to_hex(from_hex(row.data))) << e.to_string();
  EXPECT_FALSE(e.message.empty());
  // The bad bytes lie inside the message.
  EXPECT_LE(e.offset + e.length, message.size()) << e.to_string();
  if (row.action == kTaw) {
    EXPECT_EQ(withdrawn_by_error(std::get<Update>(*r.message)).size(), row.withdrawals);
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, Rfc7606, testing::ValuesIn(kRows),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Rfc7606Behaviour, TreatAsWithdrawKeepsEveryPrefix) {
  // Bad ORIGIN value: the UPDATE withdraws 10/8 and announces 10.0.0/24 and
  // an IPv6 prefix; all three must be withdrawn.
  Bytes m = with_header(2, from_hex("0002 080a"
                                    "002d 40010109 400200 4003040a000001"
                                    "800e1c 0002 01 10 20010db8000000000000000000000001 00"
                                    "30 20010db80001"
                                    "18 0a0000"));
  DecodeResult r = decode(m, DecodeContext{});
  EXPECT_EQ(r.action, kTaw);
  auto removed = withdrawn_by_error(std::get<Update>(*r.message));
  ASSERT_EQ(removed.size(), 3u);
  EXPECT_EQ(removed[0], (FamilyPrefix{kIpv4Unicast, test::prefix("10.0.0.0/8")}));
  EXPECT_EQ(removed[1], (FamilyPrefix{kIpv4Unicast, test::prefix("10.0.0.0/24")}));
  EXPECT_EQ(removed[2], (FamilyPrefix{kIpv6Unicast, test::prefix("2001:db8:1::/48")}));
}

TEST(Rfc7606Behaviour, DiscardedAttributesRoundTripVerbatim) {
  // A malformed attribute is kept raw so the accepted message re-encodes as sent.
  Bytes m = with_header(2, from_hex("0000 0012 40010100 400200 4003040a000001 40060100"
                                    "18 0a0000"));
  DecodeResult r = decode(m, DecodeContext{});
  ASSERT_EQ(r.action, kDiscard);
  const auto& u = std::get<Update>(*r.message);
  EXPECT_EQ(u.get<AtomicAggregateAttr>(), nullptr);
  EXPECT_EQ(to_hex(encode(u, DecodeContext{})), to_hex(m));
}

TEST(Rfc7606Behaviour, DuplicateKeepsTheFirst) {
  Bytes m = with_header(2, from_hex("0000 0012 40010100 40010102 400200 4003040a000001"
                                    "18 0a0000"));
  DecodeResult r = decode(m, DecodeContext{});
  const auto& u = std::get<Update>(*r.message);
  EXPECT_EQ(u.get<OriginAttr>()->value, OriginAttr::igp);
  EXPECT_EQ(to_hex(encode(u, DecodeContext{})), to_hex(m));
}

TEST(Rfc7606Behaviour, BodyTooShortForTheLengthFields) {
  // decode() rejects such a message in the header; the body codec checks too.
  Update u;
  std::vector<DecodeError> errors;
  EXPECT_EQ(decode_update_body(from_hex("0000 00"), DecodeContext{}, u, errors), kReset);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "Withdrawn Routes Length");
  EXPECT_EQ(errors[0].offset, 19u);
  EXPECT_EQ(errors[0].subcode, subcode::kMalformedAttributeList);
  errors.clear();
  EXPECT_EQ(decode_update_body({}, DecodeContext{}, u, errors, 0), kReset);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].length, 0u);
}

TEST(Rfc7606Behaviour, ForgedWithEncodeOptions) {
  Update u;
  u.attributes = {{attr_flag::kTransitive, 1, OriginAttr{}},
                  {attr_flag::kTransitive, 2, AsPathAttr{}},
                  {attr_flag::kTransitive, 3, NextHopAttr{test::address("10.0.0.1")}}};
  u.nlri = {test::prefix("10.0.0.0/24")};
  EncodeOptions bad_attr_length;
  bad_attr_length.attributes_length = 200;
  DecodeResult r = decode(encode(u, DecodeContext{}, bad_attr_length), DecodeContext{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_error()->field, "Total Path Attribute Length");
  EXPECT_EQ(r.action, kReset);

  EncodeOptions bad_origin;
  bad_origin.raw_attributes = {{0, from_hex("40 01 01 05")}};
  r = decode(encode(u, DecodeContext{}, bad_origin), DecodeContext{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_error()->subcode, subcode::kInvalidOriginAttribute);
  EXPECT_EQ(r.first_error()->offset, 26u);

  EncodeOptions stray;
  stray.extra_attribute_bytes = from_hex("40");
  r = decode(encode(u, DecodeContext{}, stray), DecodeContext{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.first_error()->field, "Path Attributes");
  EXPECT_EQ(r.first_error()->offset, 37u);
  EXPECT_EQ(r.action, kTaw);
}

}  // namespace
}  // namespace rsconform::wire
