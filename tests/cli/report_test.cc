// The report writers on the fixture scan: SARIF structure and levels, JUnit
// counts and escaping, GitHub workflow-command escaping, helpers.
#include "cli/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "cli/report_util.h"
#include "evaluator/kernel/json.h"
#include "tests/cli/test_util.h"

namespace aimsgate::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = testing::FixtureEngine();
    ASSERT_TRUE(engine_);
    scan_ = testing::ScanFixtures(*engine_, {"repo"});
  }
  std::string Render(const std::string& format) {
    std::ostringstream out;
    EXPECT_TRUE(WriteReport(format, {*engine_, scan_}, out));
    return out.str();
  }
  std::shared_ptr<const Engine> engine_;
  CollectedScan scan_;
};

TEST_F(ReportTest, EveryAdvertisedFormatWrites) {
  for (const auto& f : ReportFormats()) {
    if (f == "policyreport" || f == "openreports") continue;  // evidence library, tested there
    EXPECT_FALSE(Render(f).empty()) << f;
  }
  std::ostringstream out;
  EXPECT_FALSE(WriteReport("nope", {*engine_, scan_}, out));
}

// json and sarif spool their per-decision arrays and copy them under a header
// written at the end: the result must be byte for byte what one pretty writer
// writes for the whole document, also when the spool spills to its file (more
// than one 64 KiB buffer of results).
TEST_F(ReportTest, SpooledArraysReadAsOnePrettyDocument) {
  CollectedScan big = scan_;
  for (int copy = 0; copy < 60; ++copy) {
    for (const auto& e : scan_.evaluations) big.evaluations.push_back(e);
  }
  for (const char* format : {"json", "sarif"}) {
    for (bool all : {false, true}) {
      ReportInput in{*engine_, big};
      in.all_results = all;
      std::ostringstream out;
      ASSERT_TRUE(WriteReport(format, in, out));
      std::string text = out.str();
      ASSERT_GT(text.size(), 200000u) << format;
      aimsgate::JsonDocument d;
      ASSERT_FALSE(d.Parse(text.c_str()).HasParseError()) << format;
      aimsgate::JsonStringBuffer sb;
      aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> w(sb);
      w.SetIndent(' ', 2);
      d.Accept(w);
      EXPECT_TRUE(text == std::string(sb.GetString()) + "\n") << format << " all=" << all;
    }
  }
}

TEST_F(ReportTest, SarifDriverListsEveryRule) {
  aimsgate::JsonDocument d;
  std::string text = Render("sarif");
  ASSERT_FALSE(d.Parse(text.c_str()).HasParseError());
  EXPECT_STREQ(d["version"].GetString(), "2.1.0");
  ASSERT_EQ(d["runs"].Size(), 1u);
  const auto& rules = d["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.Size(), engine_->rules().size());
  std::map<std::string, const aimsgate::JsonValue*> by_id;
  for (const auto& r : rules.GetArray()) by_id[r["id"].GetString()] = &r;
  const auto& owner = *by_id.at("cifix/owner");
  EXPECT_STREQ(owner["name"].GetString(), "Owner");
  EXPECT_STREQ(owner["shortDescription"]["text"].GetString(), "Workload has an owner");
  EXPECT_THAT(owner["help"]["text"].GetString(), HasSubstr("Add the annotation example.com/owner: <team>"));
  EXPECT_STREQ(owner["defaultConfiguration"]["level"].GetString(), "error");
  EXPECT_STREQ(owner["properties"]["security-severity"].GetString(), "8.0");
  std::vector<std::string> tags;
  for (const auto& t : owner["properties"]["tags"].GetArray()) tags.push_back(t.GetString());
  EXPECT_THAT(tags, ::testing::IsSupersetOf({"iso42001", "A.3.2"}));
  EXPECT_STREQ((*by_id.at("cifix/replicas"))["defaultConfiguration"]["level"].GetString(), "warning");
  EXPECT_STREQ((*by_id.at("cifix/readiness"))["defaultConfiguration"]["level"].GetString(), "note");
  EXPECT_STREQ((*by_id.at("cifix/gpu-limit"))["properties"]["security-severity"].GetString(), "9.5");
  EXPECT_STREQ((*by_id.at("cifix/config-size"))["defaultConfiguration"]["level"].GetString(), "note");
}

TEST_F(ReportTest, SarifResultsPointAtFieldsAndCarrySuppressions) {
  aimsgate::JsonDocument d;
  std::string text = Render("sarif");
  ASSERT_FALSE(d.Parse(text.c_str()).HasParseError());
  const auto& run = d["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  const auto& results = run["results"];
  // 6 fail + 1 waived + 1 error.
  ASSERT_EQ(results.Size(), 8u);
  std::map<std::string, int> levels;
  int suppressed = 0;
  for (const auto& r : results.GetArray()) {
    EXPECT_STREQ(rules[r["ruleIndex"].GetInt()]["id"].GetString(), r["ruleId"].GetString());
    ++levels[r["level"].GetString()];
    const auto& loc = r["locations"][0]["physicalLocation"];
    EXPECT_STREQ(loc["artifactLocation"]["uriBaseId"].GetString(), "%SRCROOT%");
    EXPECT_GT(loc["region"]["startLine"].GetInt(), 0);
    EXPECT_EQ(r["partialFingerprints"]["aimsgateResource/v1"].GetStringLength(), 64u);
    if (r.HasMember("suppressions")) {
      ++suppressed;
      EXPECT_STREQ(r["suppressions"][0]["kind"].GetString(), "external");
      EXPECT_STREQ(r["suppressions"][0]["justification"].GetString(),
                   "Owner being appointed; risk accepted by the CISO");
    }
  }
  EXPECT_EQ(suppressed, 1);
  // owner x3 + waived owner + gpu-limit + config-size error -> error; replicas (warn) -> warning;
  // readiness (audit) -> note.
  EXPECT_EQ(levels["error"], 6);
  EXPECT_EQ(levels["warning"], 1);
  EXPECT_EQ(levels["note"], 1);
  // The lonely Pod's owner failure is on the empty annotation's line.
  bool found = false;
  for (const auto& r : results.GetArray()) {
    const auto& loc = r["locations"][0]["physicalLocation"];
    if (std::string(loc["artifactLocation"]["uri"].GetString()) == "repo/apps/bad.yaml" &&
        std::string(r["locations"][0]["logicalLocations"][0]["name"].GetString()) == "lonely") {
      EXPECT_EQ(loc["region"]["startLine"].GetInt(), 29);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_THAT(text, HasSubstr("\"uri\": \"repo/apps/odd%20name,with%3Acolon%25.yaml\""));
}

TEST_F(ReportTest, JunitCountsAndEscaping) {
  std::string xml = Render("junit");
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aimsgate\"", 0), 0u);
  // 16 rule results: 6 pass, 6 fail, 1 waived (skipped), 1 error, and 2 whose match.when was
  // false: those were not checked and are left out (as in SARIF).
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"aimsgate\" tests=\"14\" failures=\"6\" errors=\"1\" skipped=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"cifix\" tests=\"14\""));
  EXPECT_THAT(xml, Not(HasSubstr("match.when is false")));
  EXPECT_THAT(xml, HasSubstr("classname=\"repo/apps/bad.yaml/Deployment/bad\""));
  EXPECT_THAT(xml, HasSubstr("message=\"Deployment &apos;bad&apos; has no owner &lt;&amp;&gt; &quot;100%&quot;"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"Deployment &apos;bad&apos; runs fewer than two replicas\" type=\"warn\">"));
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"waived by legacy-owner"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"assert: cannot convert &apos;large&apos; to int\" type=\"evaluation\">"));
  EXPECT_THAT(xml, Not(HasSubstr("<&>")));
}

TEST_F(ReportTest, JunitInputErrorsGetTheirOwnSuite) {
  scan_.errors.push_back({"x.yaml", 3, 1, "bad \x01 <thing>"});
  std::string xml = Render("junit");
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"aimsgate.inputs\" tests=\"1\" failures=\"0\" errors=\"1\""));
  EXPECT_THAT(xml, HasSubstr("message=\"bad \xEF\xBF\xBD &lt;thing&gt;\""));
}

TEST_F(ReportTest, GithubCommandsAreEscapedOnePerLine) {
  std::string out = Render("github");
  std::istringstream lines(out);
  std::string line;
  int errors = 0, warnings = 0, notices = 0;
  while (std::getline(lines, line)) {
    ASSERT_EQ(line.rfind("::", 0), 0u) << line;
    if (line.rfind("::error ", 0) == 0) ++errors;
    if (line.rfind("::warning ", 0) == 0) ++warnings;
    if (line.rfind("::notice ", 0) == 0) ++notices;
  }
  EXPECT_EQ(errors, 5);   // 3 owner, gpu-limit, config-size error
  EXPECT_EQ(warnings, 1); // replicas (warn)
  EXPECT_EQ(notices, 2);  // readiness (audit), waived owner
  EXPECT_THAT(out, HasSubstr("::error file=repo/apps/bad.yaml,line=9,title=cifix/owner [A.3.2]::Deployment 'bad' has "
                             "no owner <&> \"100%25\", really: none%0AFix: Add the annotation example.com/owner: <team>"));
  EXPECT_THAT(out, HasSubstr("::error file=repo/apps/odd name%2Cwith%3Acolon%25.yaml,line=3,"));
  EXPECT_THAT(out, HasSubstr("::notice file=repo/apps/waived.yaml,line=3,title=cifix/owner [A.3.2]::Waived: "));
}

TEST_F(ReportTest, GithubInputErrorsAndStdin) {
  scan_.errors.push_back({"y.yaml", 4, 2, "broken: here, really"});
  scan_.errors.push_back({"<stdin>", 1, 1, "nope"});
  std::string out = Render("github");
  EXPECT_THAT(out, HasSubstr("::error file=y.yaml,line=4,col=2,title=aimsgate input error::broken: here, really\n"));
  EXPECT_THAT(out, HasSubstr("::error title=aimsgate input error::nope\n"));
}

TEST_F(ReportTest, GithubFilesAreRelativeToTheWorkingDirectory) {
  scan_.errors.push_back({"/tmp/ci-root/deploy/a.yaml", 2, 1, "x"});
  scan_.errors.push_back({"./deploy/b.yaml", 2, 1, "y"});
  testing::ScopedCwd cwd("/tmp");
  std::string out = Render("github");
  EXPECT_THAT(out, HasSubstr("::error file=ci-root/deploy/a.yaml,line=2,col=1,"));
  EXPECT_THAT(out, HasSubstr("::error file=deploy/b.yaml,line=2,col=1,"));
}

TEST_F(ReportTest, JsonAndTextCarryFieldLines) {
  EXPECT_THAT(Render("json"), HasSubstr("\"fieldLine\": 29"));
  EXPECT_THAT(Render("text"), HasSubstr("(repo/apps/bad.yaml:29)"));
}

// A hostile-input audit: a manifest's name, a file's name, a rule's message
// carry whatever bytes the author put there. The reports must stay well-formed
// and must not let them start lines or drive a terminal.
class HostileNamesTest : public ReportTest {
 protected:
  void SetUp() override {
    ReportTest::SetUp();
    ASSERT_FALSE(scan_.evaluations.empty());
    auto& r = scan_.evaluations[0].resource;
    r.set_name(kName);
    r.set_source("repo/bad\xff\xfename.yaml");
  }
  static constexpr const char* kName = "a\n::warning file=x::injected\x1b[31m\xC2\x9b" "9\xEF\xBF\xBE" "d\x7f";
};

TEST_F(HostileNamesTest, JsonIsValidUtf8) {
  std::string json = Render("json");
  EXPECT_EQ(SanitizeUtf8(json), json);
  EXPECT_THAT(json, HasSubstr("\"source\": \"repo/bad\xEF\xBF\xBD\xEF\xBF\xBDname.yaml\""));
}

TEST_F(HostileNamesTest, JunitCarriesNoCharacterXmlForbids) {
  std::string xml = Render("junit");
  EXPECT_THAT(xml, Not(HasSubstr("\xEF\xBF\xBE")));
  EXPECT_THAT(xml, Not(HasSubstr("\x7f")));
  EXPECT_THAT(xml, Not(HasSubstr("\xC2\x9B")));
}

TEST_F(HostileNamesTest, TextShowsControlCharactersEscaped) {
  std::string text = Render("text");
  EXPECT_THAT(text, Not(HasSubstr("\n::warning")));
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\x7f")));
  EXPECT_THAT(text, Not(HasSubstr("\xC2\x9B")));
  EXPECT_THAT(text, HasSubstr("a\\n::warning file=x::injected\\x1b[31m\\u009b9\xEF\xBF\xBE" "d\\x7f"));
  EXPECT_EQ(SanitizeUtf8(text), text);
}

TEST_F(HostileNamesTest, GithubShowsControlCharactersEscaped) {
  std::string out = Render("github");
  EXPECT_THAT(out, Not(HasSubstr("\x1b")));
  EXPECT_THAT(out, Not(HasSubstr("\x7f")));
  EXPECT_THAT(out, HasSubstr("a%0A::warning file=x::injected\\x1b[31m\\u009b9"));
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.rfind("::", 0), 0u) << line;
}

TEST(ReportUtil, XmlEscapeReplacesWhatXmlForbidsOrAvoids) {
  EXPECT_EQ(XmlEscape("a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c", false), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");  // U+FFFE, U+FFFF
  EXPECT_EQ(XmlEscape("\x7f\xC2\x85\xC2\x9F", false), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // DEL, C1
  EXPECT_EQ(XmlEscape("\xEF\xB7\x90\xF0\x9F\xBF\xBF", false), "\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FDD0, U+1FFFF
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xC2\xA0\xEF\xBF\xBD\xF0\x9F\x98\x80", false), "caf\xC3\xA9 \xC2\xA0\xEF\xBF\xBD\xF0\x9F\x98\x80");
  EXPECT_EQ(XmlEscape("<a\tb\n>", true), "&lt;a&#9;b&#10;&gt;");
}

TEST(ReportUtil, SanitizeUtf8) {
  EXPECT_EQ(SanitizeUtf8("plain"), "plain");
  EXPECT_EQ(SanitizeUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(SanitizeUtf8("caf\xe9"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");            // overlong
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");            // truncated
}

TEST(ReportUtil, SourceUri) {
  bool relative = false;
  EXPECT_EQ(SourceUri("./deploy/a b.yaml", &relative), "deploy/a%20b.yaml");
  EXPECT_TRUE(relative);
  EXPECT_EQ(SourceUri("/nonexistent-root/x#y.yaml", &relative), "file:///nonexistent-root/x%23y.yaml");
  EXPECT_FALSE(relative);
  testing::ScopedCwd cwd("/tmp");
  EXPECT_EQ(SourceUri("/tmp/sub/x.yaml", &relative), "sub/x.yaml");
  EXPECT_TRUE(relative);
}

}  // namespace
}  // namespace aimsgate::cli
