// The report's numbers equal those computed from the inputs that produced the log; the
// HTML renders in headless Chromium with the same numbers in its DOM.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "evaluator/evidence/report/report.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/json.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

using testing::ReadAll;
using testing::SplitLines;
using testing::TempDir;

struct Expected {
  std::map<std::string, std::map<std::string, uint64_t>> controls;  // control -> outcome -> n
  std::map<std::string, uint64_t> decisions;
  std::map<std::string, uint64_t> ns_records, system_records, ns_deny;
  uint64_t records = 0, results = 0, skipped = 0;
  std::map<std::string, uint64_t> waiver_uses;
};

const auto kBase = std::chrono::system_clock::time_point(std::chrono::seconds(1764316800));  // 2025-11-28T08:00Z

// 60 records over ~7 hours, alternating between two replica files.
void WriteFixture(const TempDir& dir, Expected* x) {
  EvidenceWriter w[2];
  for (int r = 0; r < 2; ++r) {
    WriterOptions o;
    o.path = dir.File("evidence-pod-" + std::to_string(r) + ".jsonl");
    o.checkpoint_every_records = 7;
    o.checkpoint_every_seconds = 0;
    ASSERT_TRUE(w[r].Open(o).ok());
  }
  auto packs = testing::SamplePacks();
  const char* namespaces[] = {"ml", "fraud", ""};
  for (int i = 0; i < 60; ++i) {
    ResourceEvaluation ev;
    ev.resource.set_api_version("apps/v1");
    ev.resource.set_kind(i % 3 == 2 ? "ClusterThing" : "Deployment");
    ev.resource.set_namespace_(namespaces[i % 3]);
    ev.resource.set_name("m" + std::to_string(i));
    ev.resource.set_system_id(i % 4 == 0 ? "" : "sys-" + std::to_string(i % 3));
    auto add = [&](const char* rule, std::vector<std::string> controls, Action action,
                   Outcome outcome) {
      RuleResult rr;
      rr.info = testing::TestRule(rule, controls);
      rr.action = action;
      rr.result = outcome;
      if (outcome != Outcome::kPass && outcome != Outcome::kSkip) rr.message = "=cmd, \"quoted\"";
      if (outcome == Outcome::kWaived) {
        rr.waiver = testing::TestWaiver(i % 2 ? "w-odd" : "w-even", "ok", "ciso@example.com",
                                        i % 2 ? "2020-01-01T00:00:00Z" : "2099-01-01T00:00:00Z");
        ++x->waiver_uses[rr.waiver->name];
      }
      // A record counts its skips ("skipped"), it does not list them: no control sees them.
      for (const auto& c : controls) {
        const char* names[] = {"pass", "fail", "skip", "error", "waived"};
        if (outcome != Outcome::kSkip) ++x->controls[c][names[static_cast<int>(outcome)]];
      }
      if (outcome == Outcome::kSkip) ++x->skipped;
      ++x->results;
      ev.results.push_back(rr);
    };
    add("iso42001/owner-assigned", {"A.3.2"}, Action::kDeny, i % 5 == 0 ? Outcome::kFail : Outcome::kPass);
    add("iso42001/risk-tier", {"A.5.2", "6.1.2"}, Action::kDeny,
        i % 7 == 0 ? Outcome::kWaived : i % 2 ? Outcome::kFail : Outcome::kPass);
    add("iso42001/model-card", {"A.6.2.7"}, Action::kWarn, i % 6 == 0 ? Outcome::kFail : Outcome::kSkip);
    if (i % 11 == 0) add("iso42001/impact", {"A.5.2"}, Action::kDeny, Outcome::kError);
    Settle(&ev);
    ASSERT_EQ(ev.denied(), i % 5 == 0 || (i % 7 != 0 && i % 2 == 1) || i % 11 == 0) << i;
    std::string decision = ToString(ev.verdict);
    ASSERT_EQ(decision, ev.denied() ? "deny" : i % 6 == 0 ? "warn" : "allow") << i;
    ++x->decisions[decision];
    ++x->records;
    ++x->ns_records[std::string(ev.resource.namespace_())];
    if (ev.denied()) ++x->ns_deny[std::string(ev.resource.namespace_())];
    ++x->system_records[std::string(ev.resource.system_id())];
    RecordInput in;
    in.evaluation = &ev;
    in.packs = &packs;
    in.time = kBase + std::chrono::minutes(7 * i);
    ASSERT_TRUE(w[i % 2].Append(in).ok());
  }
  for (auto& wr : w) ASSERT_TRUE(wr.Close().ok());
}

std::vector<std::string> Files(const TempDir& dir) {
  return {dir.File("evidence-pod-0.jsonl"), dir.File("evidence-pod-1.jsonl")};
}

// The number in the first element after `anchor` that carries `attr` (e.g. data-k="pass").
long long NumberAfter(const std::string& html, const std::string& anchor, const std::string& attr) {
  size_t a = html.find(anchor);
  if (a == std::string::npos) return -1;
  size_t b = html.find(attr, a);
  if (b == std::string::npos) return -1;
  size_t gt = html.find('>', b);
  if (gt == std::string::npos) return -1;
  return std::atoll(html.c_str() + gt + 1);
}

void ExpectNumbers(const std::string& html, const Expected& x) {
  EXPECT_EQ(NumberAfter(html, "data-metric=\"records\"", ""), static_cast<long long>(x.records));
  EXPECT_EQ(NumberAfter(html, "data-metric=\"deny\"", ""), static_cast<long long>(x.decisions.at("deny")));
  EXPECT_EQ(NumberAfter(html, "data-metric=\"allow\"", ""), static_cast<long long>(x.decisions.at("allow")));
  EXPECT_EQ(NumberAfter(html, "data-metric=\"warn\"", ""), static_cast<long long>(x.decisions.at("warn")));
  EXPECT_EQ(NumberAfter(html, "data-metric=\"skip\"", ""), static_cast<long long>(x.skipped));
  for (const auto& [control, outcomes] : x.controls) {
    std::string row = "data-control=\"" + control + "\"";
    for (const char* k : {"pass", "fail", "waived", "error", "skip"}) {
      auto it = outcomes.find(k);
      long long want = it == outcomes.end() ? 0 : static_cast<long long>(it->second);
      EXPECT_EQ(NumberAfter(html, row, std::string("data-k=\"") + k + "\""), want) << control << " " << k;
    }
  }
  for (const auto& [ns, n] : x.ns_records) {
    std::string row = "data-namespace=\"" + ns + "\"";
    EXPECT_EQ(NumberAfter(html, row, "data-k=\"records\""), static_cast<long long>(n)) << ns;
    auto d = x.ns_deny.find(ns);
    EXPECT_EQ(NumberAfter(html, row, "data-k=\"deny\""),
              d == x.ns_deny.end() ? 0 : static_cast<long long>(d->second)) << ns;
  }
  for (const auto& [sys, n] : x.system_records) {
    EXPECT_EQ(NumberAfter(html, "data-system=\"" + sys + "\"", "data-k=\"records\""),
              static_cast<long long>(n)) << sys;
  }
  for (const auto& [w, n] : x.waiver_uses) {
    EXPECT_EQ(NumberAfter(html, "data-waiver=\"" + w + "\"", "data-k=\"uses\""), static_cast<long long>(n));
  }
}

TEST(Report, AggregatesMatchInputs) {
  TempDir dir;
  Expected x;
  WriteFixture(dir, &x);
  ReportOptions o;
  o.files = Files(dir);
  o.now = kBase + std::chrono::hours(24);
  std::ostringstream html;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, html, &d).ok());
  EXPECT_TRUE(d.verified());
  EXPECT_EQ(d.records, x.records);
  EXPECT_EQ(d.results.Rated() + d.results.skip, x.results);
  EXPECT_EQ(d.granularity, "hour");
  uint64_t timeline_total = 0;
  for (const auto& b : d.timeline) timeline_total += b.decisions.Total();
  EXPECT_EQ(timeline_total, x.records);
  EXPECT_EQ(d.timeline.size(), 7u);  // 08h .. 14h
  ExpectNumbers(html.str(), x);
  const std::string s = html.str();
  EXPECT_NE(s.find("data-verified=\"true\" data-signed=\"false\""), std::string::npos);
  EXPECT_NE(s.find("Integrity: hash chain intact, NOT signed"), std::string::npos);  // the fixture has no key
  EXPECT_EQ(s.find("<script"), std::string::npos);
  EXPECT_EQ(s.find("http://"), std::string::npos);
  EXPECT_EQ(s.find("https://"), std::string::npos);
  // Waiver status judged against `now`.
  EXPECT_NE(s.find("data-waiver=\"w-odd\""), std::string::npos);
  size_t odd = s.find("data-waiver=\"w-odd\"");
  EXPECT_NE(s.find("expired", odd), std::string::npos);
  // Top failing rule first.
  EXPECT_LT(s.find("data-rule=\"iso42001/risk-tier\""), s.find("data-rule=\"iso42001/owner-assigned\""));
}

TEST(Report, SinceUntilFilterAndCsvMergesByTime) {
  TempDir dir;
  Expected x;
  WriteFixture(dir, &x);
  ReportOptions o;
  o.files = Files(dir);
  o.format = ReportFormat::kCsv;
  o.since = kBase + std::chrono::minutes(70);   // records 10.. (i*7 >= 70)
  o.until = kBase + std::chrono::minutes(140);  // .. 19
  std::ostringstream csv;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, csv, &d).ok());
  EXPECT_EQ(d.records, 10u);
  auto lines = SplitLines(csv.str());
  ASSERT_GT(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("time,seq,file,verified,source,decision", 0), 0u);
  std::string prev_time;
  size_t rows = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string time = lines[i].substr(0, lines[i].find(','));
    EXPECT_GE(time, prev_time) << "not merged in time order at row " << i;
    prev_time = time;
    ++rows;
  }
  EXPECT_EQ(rows, d.results.Rated());  // one row per listed result; skips are only counted
  // Formula injection neutralised, quotes doubled.
  EXPECT_NE(csv.str().find("\"'=cmd, \"\"quoted\"\"\""), std::string::npos);
}

TEST(Report, MarkdownHasControlTable) {
  TempDir dir;
  Expected x;
  WriteFixture(dir, &x);
  ReportOptions o;
  o.files = Files(dir);
  o.format = ReportFormat::kMarkdown;
  std::ostringstream md;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, md, &d).ok());
  const auto& a32 = x.controls.at("A.3.2");
  std::string row = "| A.3.2 | " + std::to_string(a32.at("pass")) + " | " + std::to_string(a32.at("fail")) + " |";
  EXPECT_NE(md.str().find(row), std::string::npos) << md.str();
  EXPECT_NE(md.str().find("**Integrity: hash chain intact, NOT signed**"), std::string::npos) << md.str();
}

TEST(Report, TamperedFileShowsFailureAndUnverifiedRecords) {
  TempDir dir;
  Expected x;
  WriteFixture(dir, &x);
  auto files = Files(dir);
  auto lines = SplitLines(ReadAll(files[1]));
  lines.erase(lines.begin() + 2);
  testing::WriteAll(files[1], testing::JoinLines(lines));
  ReportOptions o;
  o.files = files;
  std::ostringstream html;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, html, &d).ok());
  EXPECT_FALSE(d.verified());
  EXPECT_EQ(d.records, x.records - 1);
  EXPECT_GT(d.unverified_records, 0u);
  EXPECT_NE(html.str().find("data-verified=\"false\""), std::string::npos);
  EXPECT_NE(html.str().find(files[1] + ":3: error: seq"), std::string::npos);
}

TEST(Report, MissingFileIsAnError) {
  ReportOptions o;
  o.files = {"/nonexistent/evidence.jsonl"};
  std::ostringstream out;
  ReportData d;
  Status s = WriteEvidenceReport(o, out, &d);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/evidence.jsonl"), std::string::npos);
}

// Runs a command, returns its stdout (empty on failure).
std::string Capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string Chromium() {
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    struct stat st;
    if (stat(c, &st) == 0) return c;
  }
  return "";
}


// Records over three days for the control score trend: (resource, day, minute, outcome of
// owner-assigned, which maps to A.3.2).
void WriteTrendFixture(const TempDir& dir, int day_step = 1) {
  EvidenceWriter w;
  WriterOptions o;
  o.path = dir.File("trend.jsonl");
  o.checkpoint_every_records = 0;
  o.checkpoint_every_seconds = 0;
  ASSERT_TRUE(w.Open(o).ok());
  auto packs = testing::SamplePacks();
  struct Row { const char* name; int day; int minute; Outcome outcome; };
  const Row rows[] = {
      {"m0", 0, 10, Outcome::kPass},   {"m1", 0, 20, Outcome::kFail},   {"m1", 0, 30, Outcome::kPass},  // day 1: 2/2
      {"m0", 1, 10, Outcome::kFail},   {"m1", 1, 20, Outcome::kPass},                                   // day 2: 1/2
      {"m0", 2, 10, Outcome::kPass},   {"m1", 2, 20, Outcome::kWaived}, {"m2", 2, 30, Outcome::kError},  // day 3: 2/3
  };
  for (const Row& r : rows) {
    ResourceEvaluation ev;
    ev.resource.set_api_version("apps/v1");
    ev.resource.set_kind("Deployment");
    ev.resource.set_namespace_("ml");
    ev.resource.set_name(r.name);
    RuleResult rr;
    rr.info = testing::TestRule("iso42001/owner-assigned", {"A.3.2"});
    rr.result = r.outcome;
    if (r.outcome == Outcome::kWaived) rr.waiver = testing::TestWaiver("w", "ok", "ciso@example.com", "2099-01-01T00:00:00Z");
    ev.results.push_back(rr);
    RecordInput in;
    in.evaluation = &ev;
    in.packs = &packs;
    in.time = kBase + std::chrono::hours(24 * r.day * day_step) + std::chrono::minutes(r.minute);
    ASSERT_TRUE(w.Append(in).ok());
  }
  ASSERT_TRUE(w.Close().ok());
}

TEST(Report, ControlScoreTrendPerDayCountsEachResourceOnceWithItsLastResult) {
  TempDir dir;
  WriteTrendFixture(dir);
  ReportOptions o;
  o.files = {dir.File("trend.jsonl")};
  o.format = ReportFormat::kTrendCsv;
  std::ostringstream csv;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, csv, &d).ok());
  ASSERT_EQ(d.trend_granularity, "day");
  const auto& t = d.control_trend.at("A.3.2");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].period, "2025-11-28");
  EXPECT_EQ(std::make_pair(t[0].passed, t[0].failed), std::make_pair(uint64_t{2}, uint64_t{0}));
  EXPECT_EQ(std::make_pair(t[1].passed, t[1].failed), std::make_pair(uint64_t{1}, uint64_t{1}));
  EXPECT_EQ(std::make_pair(t[2].passed, t[2].failed), std::make_pair(uint64_t{2}, uint64_t{1}));  // waived = passed, error = failed
  // The NIST AI RMF series is resolved from the rule id through the built-in pack's mapping
  // (owner-assigned: GOVERN 2.1): the records carry ISO controls only.
  EXPECT_EQ(csv.str(),
            "framework,period,control,title,passed,failed,score\r\n"
            "iso42001,2025-11-28,A.3.2,AI roles and responsibilities,2,0,1.0000\r\n"
            "iso42001,2025-11-29,A.3.2,AI roles and responsibilities,1,1,0.5000\r\n"
            "iso42001,2025-11-30,A.3.2,AI roles and responsibilities,2,1,0.6667\r\n"
            "nist-ai-rmf,2025-11-28,GOVERN 2.1,Roles and responsibilities,2,0,1.0000\r\n"
            "nist-ai-rmf,2025-11-29,GOVERN 2.1,Roles and responsibilities,1,1,0.5000\r\n"
            "nist-ai-rmf,2025-11-30,GOVERN 2.1,Roles and responsibilities,2,1,0.6667\r\n");
  EXPECT_EQ(d.framework_trend.at("iso42001").at("A.3.2").size(), 3u);
  EXPECT_EQ(d.framework_trend.count("eu-ai-act"), 0u);  // owner-assigned maps to no AI Act article
}

// Records of rules of several frameworks: each framework's series comes from the rule ids, also
// for a log whose records list no controls at all; --rules packs replace the built-in mappings.
TEST(Report, ControlScoreTrendPerFrameworkResolvedFromRuleIds) {
  TempDir dir;
  EvidenceWriter w;
  WriterOptions wo;
  wo.path = dir.File("frameworks.jsonl");
  wo.checkpoint_every_records = 0;
  wo.checkpoint_every_seconds = 0;
  ASSERT_TRUE(w.Open(wo).ok());
  auto packs = testing::SamplePacks();
  struct Row { const char* rule; int day; Outcome outcome; };
  const Row rows[] = {{"eu-ai-act/ai-disclosure-present", 0, Outcome::kFail},
                      {"eu-ai-act/ai-disclosure-present", 1, Outcome::kPass},
                      {"custom/unmapped", 1, Outcome::kFail}};
  for (const Row& r : rows) {
    ResourceEvaluation ev;
    ev.resource.set_api_version("apps/v1");
    ev.resource.set_kind("Deployment");
    ev.resource.set_namespace_("ml");
    ev.resource.set_name("chat");
    RuleResult rr;
    rr.info = testing::TestRule(r.rule);  // no controls in the record: resolved at report time
    rr.result = r.outcome;
    ev.results.push_back(rr);
    RecordInput in;
    in.evaluation = &ev;
    in.packs = &packs;
    in.time = kBase + std::chrono::hours(24 * r.day);
    ASSERT_TRUE(w.Append(in).ok());
  }
  ASSERT_TRUE(w.Close().ok());
  ReportOptions o;
  o.files = {dir.File("frameworks.jsonl")};
  o.format = ReportFormat::kTrendCsv;
  std::ostringstream csv;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, csv, &d).ok());
  const auto& art = d.framework_trend.at("eu-ai-act").at("Art. 50(1)");
  ASSERT_EQ(art.size(), 2u);
  EXPECT_EQ(std::make_pair(art[0].failed, art[1].passed), std::make_pair(uint64_t{1}, uint64_t{1}));
  EXPECT_TRUE(d.framework_trend.count("iso42001"));  // the AI Act pack's ISO mapping, as the record lists none
  EXPECT_NE(csv.str().find("eu-ai-act,2025-11-28,Art. 50(1),"), std::string::npos) << csv.str();
  EXPECT_EQ(csv.str().find("custom/unmapped"), std::string::npos);

  std::ofstream pack(dir.File("custom.yaml"));
  pack << "apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: custom, version: 1.0.0}\nspec:\n"
          "  rules:\n  - id: unmapped\n    controls: {nist-ai-rmf: [MAP 1.1]}\n    assert: 'true'\n";
  pack.close();
  o.rule_packs = {dir.File("custom.yaml")};
  std::ostringstream csv2;
  ASSERT_TRUE(WriteEvidenceReport(o, csv2, &d).ok());
  EXPECT_EQ(d.framework_trend.count("eu-ai-act"), 0u);  // only the given packs' mappings
  ASSERT_TRUE(d.framework_trend.count("nist-ai-rmf"));
  EXPECT_EQ(d.framework_trend.at("nist-ai-rmf").at("MAP 1.1").size(), 1u);
}

TEST(Report, ControlScoreTrendIsWeeklyOverLongSpans) {
  EXPECT_EQ(IsoWeek("2025-11-28"), "2025-W48");
  EXPECT_EQ(IsoWeek("2027-01-01"), "2026-W53");  // ISO years start on the Monday of week 1
  TempDir dir;
  WriteTrendFixture(dir, 40);  // days 0, 40, 80
  ReportOptions o;
  o.files = {dir.File("trend.jsonl")};
  o.format = ReportFormat::kTrendCsv;
  std::ostringstream csv;
  ReportData d;
  ASSERT_TRUE(WriteEvidenceReport(o, csv, &d).ok());
  EXPECT_EQ(d.trend_granularity, "week");
  const auto& t = d.control_trend.at("A.3.2");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].period, "2025-W48");
  EXPECT_EQ(t[1].period, "2026-W02");
}

TEST(Report, RendersInHeadlessChromiumWithTheSameNumbers) {
  std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed (apt-get install -y chromium)";
  TempDir dir;
  Expected x;
  WriteFixture(dir, &x);
  ReportOptions o;
  o.files = Files(dir);
  o.now = kBase + std::chrono::hours(24);
  std::string path = dir.File("report.html");
  {
    std::ofstream out(path);
    ReportData d;
    ASSERT_TRUE(WriteEvidenceReport(o, out, &d).ok());
  }
  const std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-background-networking"
      " --disable-dev-shm-usage --no-first-run --user-data-dir=" + dir.File("profile");
  std::string dom = Capture(chromium + flags + " --dump-dom file://" + path + " 2>/dev/null");
  ASSERT_NE(dom.find("<h1>aimsgate evidence report</h1>"), std::string::npos) << dom.substr(0, 500);
  ASSERT_NE(dom.find("id=\"timeline-chart\""), std::string::npos);
  ExpectNumbers(dom, x);
  // Control titles beside ids, and the score trend with one point per period.
  EXPECT_NE(dom.find("<th>A.3.2</th><td data-title=\"\">AI roles and responsibilities</td>"), std::string::npos);
  ASSERT_NE(dom.find("id=\"trend-chart\""), std::string::npos);
  EXPECT_NE(dom.find("data-period=\"2025-11-28\""), std::string::npos);
  {
    WriteTrendFixture(dir);
    ReportOptions t;
    t.files = {dir.File("trend.jsonl")};
    std::string trend_path = dir.File("trend.html");
    std::ofstream out(trend_path);
    ReportData d;
    ASSERT_TRUE(WriteEvidenceReport(t, out, &d).ok());
    out.close();
    std::string tdom = Capture(chromium + flags + " --dump-dom file://" + trend_path + " 2>/dev/null");
    size_t row = tdom.find("<tr data-control=\"A.3.2\"><th>A.3.2</th><td>AI roles and responsibilities</td>");
    ASSERT_NE(row, std::string::npos) << tdom.substr(0, 2000);
    EXPECT_NE(tdom.find("data-period=\"2025-11-29\" data-passed=\"1\" data-failed=\"1\" data-score=\"0.5000\"", row),
              std::string::npos);
    EXPECT_NE(tdom.find("data-period=\"2025-11-30\" data-passed=\"2\" data-failed=\"1\"", row), std::string::npos);
    EXPECT_NE(tdom.find("<polyline", row), std::string::npos);
    // Every framework a rule maps to has its own series (issue 16 item 5): NIST from the rule id.
    size_t nist = tdom.find("<table class=\"trend-framework\" data-framework=\"nist-ai-rmf\">");
    ASSERT_NE(nist, std::string::npos) << tdom.substr(0, 4000);
    EXPECT_NE(tdom.find("<h3>NIST AI RMF 1.0</h3>"), std::string::npos);
    size_t govern = tdom.find("<tr data-control=\"GOVERN 2.1\" data-framework=\"nist-ai-rmf\"><th>GOVERN 2.1</th>"
                              "<td>Roles and responsibilities</td>", nist);
    ASSERT_NE(govern, std::string::npos);
    EXPECT_NE(tdom.find("data-period=\"2025-11-29\" data-passed=\"1\" data-failed=\"1\" data-score=\"0.5000\"", govern),
              std::string::npos);
  }
  std::string png = dir.File("report.png");
  Capture(chromium + flags + " --window-size=1200,2400 --screenshot=" + png + " file://" + path +
          " 2>/dev/null");
  struct stat st;
  ASSERT_EQ(stat(png.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 20000) << "the screenshot looks blank";
  if (const char* keep = getenv("AIMSGATE_KEEP_REPORT")) {
    std::ifstream src(png, std::ios::binary);
    std::ofstream dst(std::string(keep) + ".png", std::ios::binary);
    dst << src.rdbuf();
    std::ifstream hsrc(path, std::ios::binary);
    std::ofstream hdst(std::string(keep) + ".html", std::ios::binary);
    hdst << hsrc.rdbuf();
  }
}

}  // namespace
}  // namespace aimsgate::evidence

namespace aimsgate::evidence {
namespace {

TEST(ReportOrder, ClausesThenAnnexAInNaturalOrder) {
  ReportData d;
  for (const char* c : {"A.10.2", "A.3.2", "6.1.3", "A.2.10", "4.3", "A.2.2"}) d.controls[c].pass = 1;
  EXPECT_EQ(ControlsInOrder(d), (std::vector<std::string>{"4.3", "6.1.3", "A.2.2", "A.2.10", "A.3.2", "A.10.2"}));
  EXPECT_TRUE(NaturalLess("A.3.2", "A.10.2"));
  EXPECT_FALSE(NaturalLess("A.10.2", "A.3.2"));
  std::ostringstream md;
  RenderMarkdown(d, ReportOptions(), md);
  const std::string s = md.str();
  size_t clauses = s.find("#### Clauses"), annex = s.find("#### Annex A controls");
  ASSERT_NE(clauses, std::string::npos) << s;
  ASSERT_NE(annex, std::string::npos) << s;
  EXPECT_LT(clauses, s.find("| 6.1.3 |"));
  EXPECT_LT(s.find("| 6.1.3 |"), annex);
  EXPECT_LT(annex, s.find("| A.3.2 |"));
  EXPECT_LT(s.find("| A.3.2 |"), s.find("| A.10.2 |"));
  std::ostringstream html;
  RenderHtml(d, ReportOptions(), html);
  EXPECT_LT(html.str().find("data-group=\"clauses\""), html.str().find("data-group=\"annex-a\""));
  EXPECT_LT(html.str().find("data-control=\"A.3.2\""), html.str().find("data-control=\"A.10.2\""));
}

}  // namespace
}  // namespace aimsgate::evidence

namespace aimsgate::evidence {
namespace {

aimsgate::JsonDocument Parse(const char* json) {
  aimsgate::JsonDocument d;
  d.Parse(json);
  return d;
}

TEST(ReportCurrentState, LatestPerSystemOncePerDayAndNoNonAiObjects) {
  ReportData d;
  ParseTime("2026-11-10T00:00:00Z", &d.now);
  ReportBuilder b(&d, d.now);
  // Three runs of the same pipeline on one day, one the next day; a Service without system id.
  const char* run1 = R"({"time":"2026-11-01T08:00:00.000Z","source":"ci","decision":"deny",
    "resource":{"kind":"Deployment","namespace":"ml","name":"a","systemId":"s1"},
    "results":[{"rule":"r1","result":"fail"},{"rule":"r2","result":"fail"}]})";
  const char* run2 = R"({"time":"2026-11-01T09:00:00.000Z","source":"ci","decision":"deny",
    "resource":{"kind":"Deployment","namespace":"ml","name":"a","systemId":"s1"},
    "results":[{"rule":"r1","result":"fail"},{"rule":"r2","result":"pass"}]})";
  const char* run3 = R"({"time":"2026-11-02T09:00:00.000Z","source":"ci","decision":"allow",
    "resource":{"kind":"Deployment","namespace":"ml","name":"a","systemId":"s1","owner":"ml-platform","riskTier":"high"},
    "results":[{"rule":"r1","result":"waived","waiver":{"name":"old","expires":"2026-11-05T00:00:00Z"}},
               {"rule":"r3","result":"waived","waiver":{"name":"new","expires":"2027-01-01T00:00:00Z"}},
               {"rule":"r2","result":"pass"}]})";
  const char* svc = R"({"time":"2026-11-02T09:00:00.000Z","source":"ci","decision":"allow",
    "resource":{"kind":"Service","namespace":"ml","name":"a"},"results":[]})";
  for (const char* r : {run1, run2, run1, run2, run3, svc}) b.Add(Parse(r), true);
  b.Finish();
  ASSERT_EQ(d.current.size(), 1u);
  const SystemState& s1 = d.current.at("s1");
  EXPECT_EQ(s1.last_decision, "allow");
  EXPECT_EQ(s1.last_resource, "Deployment ml/a");
  EXPECT_EQ(s1.OpenFindings(), 0u);
  // Day 1 counts once (its last run: 1 fail, 1 pass), day 2 once (2 waived, 1 pass).
  OutcomeCounts c = s1.DailyCounts();
  EXPECT_EQ(c.fail, 1u);
  EXPECT_EQ(c.pass, 2u);
  EXPECT_EQ(c.waived, 2u);
  std::vector<std::string> in_force, expired;
  s1.Waivers(d.now, &in_force, &expired);
  EXPECT_EQ(in_force, std::vector<std::string>{"new"});
  EXPECT_EQ(expired, std::vector<std::string>{"old"});
  EXPECT_EQ(d.records_without_system, 1u);
  std::ostringstream md;
  RenderMarkdown(d, ReportOptions(), md);
  // Owner and risk tier from the latest record carrying them (the earlier ones, like old logs, have none).
  EXPECT_EQ(s1.owner, "ml-platform");
  EXPECT_EQ(s1.risk_tier, "high");
  EXPECT_NE(md.str().find("| s1 | ml-platform | high | allow | 2026-11-02T09:00:00.000Z | Deployment ml/a | 0 | new | old | 40.0% |"),
            std::string::npos) << md.str();
  EXPECT_NE(md.str().find("1 record(s) of objects without a system id"), std::string::npos);
}

}  // namespace
}  // namespace aimsgate::evidence
