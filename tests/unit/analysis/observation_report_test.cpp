// Capture times as text: nanoseconds kept, and times before 1970 (pcap
// timestamps are signed) rounded down to the second with a positive fraction.
#include <gtest/gtest.h>

#include "analysis/observation_report.hpp"

namespace rsconform::analysis {
namespace {

TEST(TimeText, NanosecondsSinceTheEpochInUtc) {
  EXPECT_EQ(time_text(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(time_text(1'763'711'580'123'456'789), "2025-11-21T07:53:00.123456789Z");
  EXPECT_EQ(time_text(5), "1970-01-01T00:00:00.000000005Z");
}

TEST(TimeText, TimesBefore1970KeepAPositiveFraction) {
  EXPECT_EQ(time_text(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(time_text(-1'000'000'000), "1969-12-31T23:59:59.000000000Z");
  EXPECT_EQ(time_text(-1'500'000'000), "1969-12-31T23:59:58.500000000Z");
  // The earliest a classic pcap can hold: a signed 32-bit second.
  EXPECT_EQ(time_text(-2'147'483'648LL * 1'000'000'000), "1901-12-13T20:45:52.000000000Z");
}

}  // namespace
}  // namespace rsconform::analysis
