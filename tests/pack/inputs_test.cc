// Inventory and waiver loading, globs and RFC 3339 parsing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/inputs.h"

namespace aimsgate {
namespace {

std::string WriteTemp(const std::string& text, const char* suffix = ".yaml") {
  char tmpl[] = "/tmp/aimsgate-inputs-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/f" + suffix;
  std::ofstream(path) << text;
  return path;
}

TEST(Glob, Matches) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("ml-*", "ml-prod"));
  EXPECT_FALSE(GlobMatch("ml-*", "dev-ml"));
  EXPECT_TRUE(GlobMatch("iso42001/*", "iso42001/owner-assigned"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "ac"));
  EXPECT_TRUE(GlobMatch("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(GlobMatch("*a*b", "xxaxxbxx"));
}

TEST(Rfc3339, ParsesAndFormats) {
  int64_t s = 0;
  ASSERT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z", &s));
  EXPECT_EQ(s, 0);
  ASSERT_TRUE(ParseRfc3339("2027-03-01T00:00:00Z", &s));
  EXPECT_EQ(FormatRfc3339(s), "2027-03-01T00:00:00Z");
  ASSERT_TRUE(ParseRfc3339("2027-03-01T02:00:00.123+02:00", &s));
  EXPECT_EQ(FormatRfc3339(s), "2027-03-01T00:00:00Z");
  ASSERT_TRUE(ParseRfc3339("2027-03-01", &s));
  EXPECT_EQ(FormatRfc3339(s), "2027-03-01T00:00:00Z");
  EXPECT_FALSE(ParseRfc3339("next tuesday", &s));
  EXPECT_FALSE(ParseRfc3339("2027-13-01T00:00:00Z", &s));
  EXPECT_FALSE(ParseRfc3339("2027-03-01T00:00:00", &s));
}

TEST(Inventory, LoadsAndFindsSystems) {
  std::string path = WriteTemp(R"(apiVersion: aimsgate.io/v1alpha1
kind: Inventory
systems:
- id: fraud-scorer
  owner: risk-team
  riskTier: high
  impactAssessments:
  - {id: AIA-1, approvedBy: ciso, date: "2026-01-01", expires: "2027-01-01T00:00:00Z"}
- id: chatbot
  riskTier: limited
)");
  std::vector<Diagnostic> diags;
  auto inv = LoadInventory(path, &diags);
  ASSERT_NE(inv, nullptr) << (diags.empty() ? "" : diags[0].ToString());
  EXPECT_EQ(inv->size(), 2u);
  const aimsgate::JsonValue* s = inv->Find("fraud-scorer");
  ASSERT_NE(s, nullptr);
  EXPECT_STREQ((*s)["owner"].GetString(), "risk-team");
  EXPECT_EQ(inv->Find("nope"), nullptr);
}

TEST(Inventory, RejectsDuplicatesAndBadDates) {
  std::vector<Diagnostic> diags;
  EXPECT_EQ(LoadInventory(WriteTemp("kind: Inventory\napiVersion: v1\nsystems:\n- {id: a}\n- {id: a}\n"), &diags), nullptr);
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags.back().message.find("duplicate inventory system id 'a'"), std::string::npos);
  EXPECT_EQ(diags.back().line, 5);
  diags.clear();
  EXPECT_EQ(LoadInventory(WriteTemp("kind: Inventory\napiVersion: v1\nsystems:\n- id: a\n  impactAssessments: [{id: x, expires: soon}]\n"), &diags), nullptr);
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags.back().message.find("RFC 3339"), std::string::npos);
  diags.clear();
  EXPECT_EQ(LoadInventory(WriteTemp("kind: Inventory\napiVersion: v1\nsystems: [\n"), &diags), nullptr);
  ASSERT_FALSE(diags.empty());
  EXPECT_GT(diags[0].line, 0);
  diags.clear();
  EXPECT_EQ(LoadInventory("/nonexistent/inventory.yaml", &diags), nullptr);
  ASSERT_FALSE(diags.empty());
}

TEST(Waivers, RequireApproverExpiryAndJustification) {
  std::vector<Diagnostic> diags;
  auto set = LoadWaivers({WriteTemp(R"(apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: no-approver}
spec:
  rules: ["p/r"]
  justification: because
  expires: "2030-01-01T00:00:00Z"
)")}, &diags);
  EXPECT_EQ(set, nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("no approvedBy"), std::string::npos);
  EXPECT_EQ(diags[0].line, 5);
  diags.clear();
  set = LoadWaivers({WriteTemp("kind: Waiver\nmetadata: {name: x}\nspec:\n  rules: [p/r]\n  justification: j\n  approvedBy: a\n")}, &diags);
  EXPECT_EQ(set, nullptr);
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("no expires"), std::string::npos);
}

TEST(Waivers, MatchByRuleNamespaceNameAndTime) {
  std::vector<Diagnostic> diags;
  auto set = LoadWaivers({WriteTemp(R"(kind: Waiver
metadata: {name: w}
spec:
  rules: ["iso42001/*"]
  match: {namespaces: ["ml"], names: ["scorer"]}
  justification: j
  approvedBy: a
  expires: "2027-01-01T00:00:00Z"
)")}, &diags);
  ASSERT_NE(set, nullptr);
  ResourceRef r;
  r.set_namespace_("ml");
  r.set_name("scorer");
  int64_t before = 0, after = 0;
  ParseRfc3339("2026-06-01T00:00:00Z", &before);
  ParseRfc3339("2027-06-01T00:00:00Z", &after);
  const Waiver* expired = nullptr;
  EXPECT_NE(set->Find("iso42001/owner-assigned", r, before, &expired), nullptr);
  EXPECT_EQ(set->Find("other/rule", r, before, &expired), nullptr);
  EXPECT_EQ(set->Find("iso42001/owner-assigned", r, after, &expired), nullptr);
  ASSERT_NE(expired, nullptr);
  EXPECT_EQ(expired->name, "w");
  r.set_namespace_("prod");
  expired = nullptr;
  EXPECT_EQ(set->Find("iso42001/owner-assigned", r, before, &expired), nullptr);
  EXPECT_EQ(expired, nullptr);
}

}  // namespace
}  // namespace aimsgate
