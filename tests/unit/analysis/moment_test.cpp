// Moments a capture is judged at: their syntax, and where each lands in a real capture
// (captures/recorded/foreign/bird.pcap: BIRD route servers, gobgpd peers that all shut their
// sessions down with Cease 6/2, the first at packet 259 of 347).
#include "analysis/moment.hpp"

#include <gtest/gtest.h>

#include "analysis/capture_analysis.hpp"
#include "support/corpus.hpp"

namespace rsconform::analysis {
namespace {

constexpr rib::Nanos kSecond = 1'000'000'000;

TEST(ParseMoment, EveryForm) {
  EXPECT_EQ(parse_moment("before-shutdown").kind, MomentSpec::Kind::before_shutdown);
  EXPECT_EQ(parse_moment("end").kind, MomentSpec::Kind::end);
  const auto packet = parse_moment("packet:57");
  EXPECT_EQ(packet.kind, MomentSpec::Kind::packet);
  EXPECT_EQ(packet.packet, 57u);
  const auto offset = parse_moment("+3.25");
  EXPECT_EQ(offset.kind, MomentSpec::Kind::offset);
  EXPECT_EQ(offset.time, 3 * kSecond + kSecond / 4);
  EXPECT_EQ(parse_moment("+12").time, 12 * kSecond);
  const auto utc = parse_moment("2026-12-07T06:01:30.5Z");
  EXPECT_EQ(utc.kind, MomentSpec::Kind::time);
  EXPECT_EQ(utc.time, 1796623290 * kSecond + kSecond / 2);
  // The same instant written with an offset.
  EXPECT_EQ(parse_moment("2026-12-07T07:31:30.5+01:30").time, utc.time);
  EXPECT_EQ(parse_moment("2026-12-07T06:01:30.000000001Z").time, 1796623290 * kSecond + 1);
  EXPECT_EQ(utc.text, "2026-12-07T06:01:30.5Z");
}

TEST(ParseMoment, RefusesWhatIsNotAMoment) {
  for (const char* bad : {"", "now", "packet:", "packet:0", "packet:x", "+", "+1.", "+-1",
                          "+1.0000000001", "2026-12-07", "2026-13-07T00:00:00Z",
                          "2026-12-07T06:01:30", "2026-12-07T06:01:30+1:00", "end "}) {
    try {
      parse_moment(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("expected before-shutdown, end, packet:N"),
                std::string::npos)
          << e.what();
    }
  }
}

class MomentInCapture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    survey_ = new CaptureSurvey(
        survey_capture((test_support::recorded_dir() / "foreign" / "bird.pcap").string(), {179}));
  }
  static void TearDownTestSuite() { delete survey_; }
  static CaptureSurvey* survey_;
};
CaptureSurvey* MomentInCapture::survey_ = nullptr;

TEST_F(MomentInCapture, BeforeShutdownIsThePacketBeforeTheFirstSessionEndsForGood) {
  ASSERT_EQ(survey_->timestamps.size(), 347u);
  const Moment m = resolve_moment(parse_moment("before-shutdown"), *survey_);
  EXPECT_EQ(m.last_packet, 258u);
  EXPECT_FALSE(m.whole_capture());
  ASSERT_TRUE(m.cause);
  EXPECT_EQ(m.cause->end->packet, 259u);
  EXPECT_EQ(m.cause->end->notification->code, 6);
  EXPECT_EQ(m.cause->end->notification->subcode, 2);
  EXPECT_EQ(m.boundary, survey_->timestamps[258]);  // packet 259's time: its changes are out
  // Ten sessions, each down for good once, in capture order.
  const auto downs = final_downs(survey_->sessions);
  ASSERT_EQ(downs.size(), 10u);
  for (std::size_t i = 1; i < downs.size(); ++i)
    EXPECT_LT(downs[i - 1].end->packet, downs[i].end->packet);
  // Only sessions ending at or after `not_before` count: the last phase starts late.
  const Moment later = resolve_moment(parse_moment("before-shutdown"), *survey_, downs[3].end->at);
  EXPECT_EQ(later.last_packet, downs[3].end->packet - 1);
  EXPECT_NE(cause_text(m, [](const wire::IpAddress& a) { return a.to_string(); })
                .find("went down for good (NOTIFICATION 6/2"),
            std::string::npos);
}

TEST_F(MomentInCapture, EndPacketOffsetAndTime) {
  const auto& ts = survey_->timestamps;
  const Moment end = resolve_moment(parse_moment("end"), *survey_);
  EXPECT_TRUE(end.whole_capture());
  EXPECT_EQ(end.last_packet, 347u);
  EXPECT_FALSE(end.cause);

  const Moment packet = resolve_moment(parse_moment("packet:100"), *survey_);
  EXPECT_EQ(packet.last_packet, 100u);
  EXPECT_EQ(packet.boundary, ts[100]);

  // +S: every packet up to first + S.
  const rib::Nanos s = ts[99] - ts[0];
  MomentSpec offset = parse_moment("+1");
  offset.time = s;
  const Moment by_offset = resolve_moment(offset, *survey_);
  EXPECT_GE(by_offset.last_packet, 100u);
  EXPECT_GT(ts[by_offset.last_packet], ts[0] + s);
  EXPECT_EQ(by_offset.boundary, ts[0] + s + 1);

  MomentSpec at = parse_moment("2026-12-07T06:01:30Z");
  at.time = ts[99];
  EXPECT_EQ(resolve_moment(at, *survey_).last_packet, by_offset.last_packet);
  EXPECT_NE(position_text(packet, *survey_).find("packet 100 of 347 ("), std::string::npos);
}

TEST_F(MomentInCapture, MomentsOutsideTheCaptureAreRefused) {
  EXPECT_THROW(resolve_moment(parse_moment("packet:348"), *survey_), std::invalid_argument);
  EXPECT_THROW(resolve_moment(parse_moment("2001-01-01T00:00:00Z"), *survey_),
               std::invalid_argument);
  // After the last packet: the whole capture.
  EXPECT_TRUE(resolve_moment(parse_moment("+100000"), *survey_).whole_capture());
}

}  // namespace
}  // namespace rsconform::analysis
