#include <gtest/gtest.h>

#include "evaluator/cel/cel.h"
#include "evaluator/cel/time_util.h"
#include "evaluator/cel/value.h"

namespace aimsgate::cel {
namespace {

TEST(TimeTest, ParsesRfc3339) {
  int64_t s;
  int32_t n;
  ASSERT_TRUE(ParseTimestamp("2009-02-13T23:31:30Z", &s, &n));
  EXPECT_EQ(s, 1234567890);
  ASSERT_TRUE(ParseTimestamp("2009-02-14T01:01:30.25+01:30", &s, &n));
  EXPECT_EQ(s, 1234567890);
  EXPECT_EQ(n, 250000000);
  EXPECT_FALSE(ParseTimestamp("2009-02-13 23:31:30Z", &s, &n));
  EXPECT_FALSE(ParseTimestamp("2009-02-13T23:31:30", &s, &n));
  EXPECT_FALSE(ParseTimestamp("0000-01-01T00:00:00Z", &s, &n));
  EXPECT_FALSE(ParseTimestamp("2023-02-29T00:00:00Z", &s, &n));
  ASSERT_TRUE(ParseTimestamp("2024-02-29T00:00:00Z", &s, &n));
  EXPECT_EQ(FormatTimestamp(s, 0), "2024-02-29T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(kMinTimestampSeconds, 0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(kMaxTimestampSeconds, 999999999), "9999-12-31T23:59:59.999999999Z");
}

TEST(TimeTest, ParsesGoDurations) {
  struct Case {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  } cases[] = {{"1h30m", 5400, 0},     {"-1.5s", -1, -500000000}, {"100ms", 0, 100000000},
               {"1us", 0, 1000},      {"1ns", 0, 1},             {"0", 0, 0},
               {"2h45m10.5s", 9910, 500000000}};
  for (const auto& c : cases) {
    int64_t s;
    int32_t n;
    ASSERT_TRUE(ParseDuration(c.text, &s, &n)) << c.text;
    EXPECT_EQ(s, c.seconds) << c.text;
    EXPECT_EQ(n, c.nanos) << c.text;
  }
  int64_t s;
  int32_t n;
  for (const char* bad : {"", "1", "1d", "h", "-", "1.s5", "320000000000s"}) {
    EXPECT_FALSE(ParseDuration(bad, &s, &n)) << bad;
  }
  EXPECT_EQ(FormatDuration(-1, -500000000), "-1.5s");
  // The range is an int64 count of nanoseconds (about 292 years).
  ASSERT_TRUE(ParseDuration("9223372036s", &s, &n));
  EXPECT_FALSE(ParseDuration("9223372037s", &s, &n));
  ASSERT_TRUE(ParseDuration("2562047h", &s, &n));
  EXPECT_FALSE(ParseDuration("2562048h", &s, &n));
}

TEST(TimeTest, CivilCalendar) {
  CivilTime c = CivilFromSeconds(1234567890);
  EXPECT_EQ(c.year, 2009);
  EXPECT_EQ(c.month, 2);
  EXPECT_EQ(c.day, 13);
  EXPECT_EQ(c.day_of_week, 5);
  EXPECT_EQ(c.day_of_year, 43);
  c = CivilFromSeconds(-1);
  EXPECT_EQ(c.year, 1969);
  EXPECT_EQ(c.second, 59);
}

TEST(TimeTest, TimeZones) {
  int64_t off;
  ASSERT_TRUE(TimeZoneOffset("+05:30", 0, &off));
  EXPECT_EQ(off, 19800);
  ASSERT_TRUE(TimeZoneOffset("-02:30", 0, &off));
  EXPECT_EQ(off, -9000);
  ASSERT_TRUE(TimeZoneOffset("UTC", 0, &off));
  EXPECT_EQ(off, 0);
  ASSERT_TRUE(TimeZoneOffset("Asia/Kathmandu", 1234567890, &off));
  EXPECT_EQ(off, 20700);
  ASSERT_TRUE(TimeZoneOffset("America/New_York", 1234567890, &off));  // winter: EST
  EXPECT_EQ(off, -18000);
  ASSERT_TRUE(TimeZoneOffset("America/New_York", 1246000000, &off));  // summer: EDT
  EXPECT_EQ(off, -14400);
  EXPECT_FALSE(TimeZoneOffset("../../etc/passwd", 0, &off));
  EXPECT_FALSE(TimeZoneOffset("Nowhere/City", 0, &off));
  // A directory of the zoneinfo tree is no zone (reading it once threw out of
  // the evaluation: found by fuzz/cel_differential_fuzzer, `getMinutes('Asia')`).
  EXPECT_FALSE(TimeZoneOffset("Asia", 0, &off));
  EXPECT_FALSE(TimeZoneOffset("America/", 0, &off));
}

TEST(TimeTest, ADirectoryAsATimeZoneIsAnErrorValue) {
  Env env;
  for (const char* e : {"timestamp('2024-01-01T00:00:00Z').getMinutes('Asia')",
                        "timestamp('2024-01-01T00:00:00Z').getHours('Europe')"}) {
    CompileResult r = env.Compile(e);
    ASSERT_TRUE(r.ok()) << e;
    Activation act(env);
    EvalState state;
    Value v = r.program->Evaluate(act, &state);
    ASSERT_TRUE(v.IsError()) << e << ": " << v.DebugString();
  }
}

}  // namespace
}  // namespace aimsgate::cel
