// Canonical JSON, time parsing and redaction paths: the small pieces the chain relies on.
#include <gtest/gtest.h>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/redact.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {
namespace {

struct CanonCase {
  const char* input;
  const char* canonical;
};

TEST(CanonicalJson, Table) {
  const CanonCase cases[] = {
      {R"({"b":1,"a":[true,false,null],"c":{"z":"x","y":-3}})", R"({"a":[true,false,null],"b":1,"c":{"y":-3,"z":"x"}})"},
      {R"( { "k" : "tab\there\u0001\/é\"\\" } )", "{\"k\":\"tab\\there\\u0001/é\\\"\\\\\"}"},
      {R"({"B":1,"a":2,"_":3})", R"({"B":1,"_":3,"a":2})"},
      {R"([18446744073709551615,-9223372036854775808,0])", R"([18446744073709551615,-9223372036854775808,0])"},
      {R"({"x":1.5})", R"({"x":1.5})"},
      {R"({})", R"({})"},
  };
  for (const auto& c : cases) {
    aimsgate::JsonDocument d;
    d.Parse(c.input);
    ASSERT_FALSE(d.HasParseError()) << c.input;
    EXPECT_EQ(kernel::CanonicalJson(d), c.canonical) << c.input;
  }
}

TEST(CanonicalJson, DuplicateKeysDetected) {
  aimsgate::JsonDocument d;
  d.Parse(R"({"a":{"x":1,"x":2}})");
  EXPECT_TRUE(kernel::HasDuplicateKeys(d));
  d.Parse(R"({"a":{"x":1,"y":2}})");
  EXPECT_FALSE(kernel::HasDuplicateKeys(d));
}

TEST(Time, ParseAndFormat) {
  struct Case {
    const char* in;
    bool ok;
    const char* formatted;
  };
  const Case cases[] = {
      {"2026-11-28T17:50:00.123Z", true, "2026-11-28T17:50:00.123Z"},
      {"2026-11-28T17:50:00Z", true, "2026-11-28T17:50:00.000Z"},
      {"2026-11-28T19:50:00.5+02:00", true, "2026-11-28T17:50:00.500Z"},
      {"2026-11-28t17:50:00.123456z", true, "2026-11-28T17:50:00.123Z"},
      {"2026-11-28", true, "2026-11-28T00:00:00.000Z"},
      {"2999-01-01", true, "2262-04-10T23:47:16.000Z"},  // clamped to what system_clock holds
      {"2026-13-01", false, ""},
      {"2026-11-28T17:50", false, ""},
      {"2026-11-28T17:50:00", false, ""},  // no zone
      {"yesterday", false, ""},
      {"2026-11-28T17:50:00.Z", false, ""},
  };
  for (const auto& c : cases) {
    std::chrono::system_clock::time_point t;
    EXPECT_EQ(ParseTime(c.in, &t), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(FormatTime(t), c.formatted) << c.in;
    }
  }
}

TEST(RedactPath, Syntax) {
  struct Case {
    const char* path;
    bool ok;
    size_t segments;
  };
  const Case cases[] = {
      {"metadata.annotations['example.com/token']", true, 3},
      {"$.spec.containers[*].env[0].value", true, 6},
      {"data.*", true, 2},
      {"[\"a.b\"]", true, 1},
      {"metadata[annotations", false, 0},
      {"a..b", false, 0},
      {"a['x", false, 0},
      {"$", false, 0},
  };
  for (const auto& c : cases) {
    std::vector<Redactor::Segment> segs;
    std::string error;
    EXPECT_EQ(ParseRedactPath(c.path, &segs, &error), c.ok) << c.path << " " << error;
    if (c.ok) {
      EXPECT_EQ(segs.size(), c.segments) << c.path;
    }
  }
}

TEST(Redactor, WildcardsAndSubtrees) {
  Redactor r;
  ASSERT_TRUE(Redactor::Create({"spec.containers[*].env[*].value", "metadata.labels"}, &r).ok());
  aimsgate::JsonDocument d;
  d.Parse(R"({"kind":"Deployment","metadata":{"labels":{"team":"risk","n":42}},
    "spec":{"containers":[{"env":[{"name":"K","value":"s3cr3t"}]},{"env":[{"value":"other"}]}]}})");
  auto values = r.CollectValues(d);
  std::string msg = "team risk uses s3cr3t and other, 42 replicas, name K";
  EXPECT_TRUE(MaskValues(values, &msg));
  EXPECT_EQ(msg, "team *** uses *** and ***, *** replicas, name K");
}

TEST(Base64, RoundTrip) {
  const std::string inputs[] = {"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)};
  for (const std::string& s : inputs) {
    std::string decoded;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), &decoded));
    EXPECT_EQ(decoded, s);
  }
  std::string out;
  EXPECT_FALSE(Base64Decode("abc", &out));
}

}  // namespace
}  // namespace aimsgate::evidence
