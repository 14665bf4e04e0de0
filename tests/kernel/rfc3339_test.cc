#include "evaluator/kernel/rfc3339.h"

#include <gtest/gtest.h>

namespace aimsgate::kernel {
namespace {

TEST(Rfc3339, Parses) {
  struct Case {
    const char* in;
    int64_t seconds;
    int32_t nanos;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0, 0},
      {"2009-02-13T23:31:30Z", 1234567890, 0},
      {"2009-02-14T01:01:30.25+01:30", 1234567890, 250000000},
      {"2009-02-13t23:31:30.123456789123z", 1234567890, 123456789},  // digits past nanos truncated
      {"2016-12-31T23:59:60Z", 1483228799, 0},                       // leap second clamped
      {"0001-01-01T00:00:00Z", kMinRfc3339Seconds, 0},
      {"9999-12-31T23:59:59Z", kMaxRfc3339Seconds, 0},
  };
  for (const Case& c : cases) {
    int64_t s = -1;
    int32_t ns = -1;
    ASSERT_TRUE(ParseRfc3339(c.in, &s, &ns)) << c.in;
    EXPECT_EQ(s, c.seconds) << c.in;
    EXPECT_EQ(ns, c.nanos) << c.in;
  }
}

TEST(Rfc3339, Refuses) {
  for (const char* bad : {"", "yesterday", "2009-02-13", "2009-02-13T23:31:30", "2009-02-13 23:31:30Z",
                          "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2027-13-01T00:00:00Z",
                          "2026-11-28T17:50:00.Z", "2026-11-28T24:00:00Z", "2026-11-28T17:50Z",
                          "2026-11-28T17:50:00+0100", "2026-11-28T17:50:00+01:00x", "0000-01-01T00:00:00Z",
                          "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"}) {
    int64_t s;
    int32_t ns;
    EXPECT_FALSE(ParseRfc3339(bad, &s, &ns)) << bad;
  }
}

TEST(Rfc3339, DateOnlyWhenAllowed) {
  Rfc3339Options date_or_time;
  date_or_time.allow_date_only = true;
  int64_t s;
  int32_t ns;
  ASSERT_TRUE(ParseRfc3339("2027-03-01", &s, &ns, date_or_time));
  EXPECT_EQ(FormatRfc3339(s), "2027-03-01T00:00:00Z");
  EXPECT_FALSE(ParseRfc3339("2027-02-30", &s, &ns, date_or_time));
  EXPECT_FALSE(ParseRfc3339("2027-03-01T", &s, &ns, date_or_time));
}

TEST(Rfc3339, FormatRoundTrips) {
  for (int64_t s : {kMinRfc3339Seconds, int64_t{-1}, int64_t{0}, int64_t{951782400} /* 2000-02-29 */,
                    int64_t{1234567890}, kMaxRfc3339Seconds}) {
    int64_t back;
    int32_t ns;
    ASSERT_TRUE(ParseRfc3339(FormatRfc3339(s), &back, &ns)) << s;
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(FormatRfc3339(1234567890, 5000000, 3), "2009-02-13T23:31:30.005Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace aimsgate::kernel
