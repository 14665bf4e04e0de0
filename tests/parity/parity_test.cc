// One decision: the same input through `check` (Scan + the JSON report), `test` (the test
// command, run in process on a suite written for the case) and the webhook
// (HandleAdmissionReview) gives the same verdict, the same warnings and the same
// per-rule outcomes.  One table covers every outcome (pass, fail, skip, error under
// failurePolicy Fail and Ignore, waived, an expired waiver), every action (deny, warn,
// audit) and the enforcement modes (audit-only, warn, per pack).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <rapidjson/document.h>

#include "cli/command.h"
#include "cli/report.h"
#include "cli/scan.h"
#include "evaluator/kernel/json.h"
#include "webhook/admission.h"

namespace aimsgate {
namespace {

constexpr int64_t kNow = 1796083200;  // 2026-12-01T00:00:00Z
constexpr char kNowText[] = "2026-12-01T00:00:00Z";

// Pack p fails closed, pack q fails open.
constexpr char kPacks[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: p, version: 1.0.0}
spec:
  failurePolicy: Fail
  rules:
  - id: owner
    controls: ["A.3.2"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "has(object.metadata.annotations) && 'example.com/owner' in object.metadata.annotations"
    message: "Deployment '{{object.metadata.name}}' has no owner"
  - id: replicas
    action: warn
    controls: ["A.6.2.4"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "object.spec.replicas >= 2"
    message: "only {{object.spec.replicas}} replica(s)"
  - id: tier
    action: audit
    controls: ["A.6.2.6"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "has(object.metadata.labels) && 'tier' in object.metadata.labels"
    message: "no tier label"
  - id: gpu
    controls: ["A.4.4"]
    match:
      kinds: ["apps/v1/Deployment"]
      when: "has(object.metadata.labels) && 'gpu' in object.metadata.labels"
    assert: "object.metadata.labels['gpu'] == 'approved'"
    message: "unapproved GPU class"
  - id: config-size
    controls: ["A.7.4"]
    match: {kinds: ["v1/ConfigMap"]}
    assert: "int(object.data.size) < 10"
    message: "config too large"
  - id: config-mode
    action: warn
    controls: ["A.7.5"]
    match: {kinds: ["v1/ConfigMap"]}
    assert: "int(object.data.mode) < 2"
    message: "mode too high"
---
apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: q, version: 1.0.0}
spec:
  failurePolicy: Ignore
  rules:
  - id: port
    controls: ["A.6.2.5"]
    match: {kinds: ["v1/Service"]}
    assert: "int(object.metadata.annotations['example.com/port']) > 0"
    message: "bad port"
)Y";

constexpr char kWaivers[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: accepted-legacy}
spec:
  rules: ["p/owner"]
  match: {namespaces: ["ml"], names: ["legacy"]}
  justification: "Owner being appointed; residual risk accepted by the CISO"
  approvedBy: "ciso@example.com"
  expires: "2027-03-01T00:00:00Z"
---
apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: lapsed-old}
spec:
  rules: ["p/owner"]
  match: {namespaces: ["ml"], names: ["old"]}
  justification: "Owner was being appointed; this acceptance has lapsed"
  approvedBy: "ciso@example.com"
  expires: "2026-11-01T00:00:00Z"
)Y";

std::string Deployment(const std::string& name, bool owner, int replicas, const std::string& labels = "") {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
         R"(","namespace":"ml")" + (owner ? R"(,"annotations":{"example.com/owner":"ml-team"})" : "") +
         (labels.empty() ? "" : R"(,"labels":{)" + labels + "}") + R"(},"spec":{"replicas":)" +
         std::to_string(replicas) + "}}";
}
const std::string kTier = R"("tier":"prod")";

std::string ConfigMap(const std::string& size, const std::string& mode) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"ml"},"data":{"size":")" +
         size + R"(","mode":")" + mode + R"("}})";
}

std::string Service(const std::string& port) {
  return R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"ml","annotations":{"example.com/port":")" +
         port + R"("}}})";
}

using Outcomes = std::map<std::string, std::string>;  // rule -> pass|fail|skip|error|waived

struct Case {
  std::string name;
  std::string object;                    // one object, JSON
  std::vector<std::string> enforcement;  // --enforcement values
  std::string verdict;                   // allow | audit | warn | deny
  std::set<std::string> warnings;        // rules whose result warns
  Outcomes outcomes;                     // every rule that matched
  std::string expired_waiver;            // on p/owner, when a lapsed waiver matched
};

const Outcomes kDeploymentPass = {{"p/owner", "pass"}, {"p/replicas", "pass"}, {"p/tier", "pass"}, {"p/gpu", "skip"}};
Outcomes With(Outcomes o, const std::string& rule, const std::string& outcome) {
  o[rule] = outcome;
  return o;
}

std::vector<Case> Cases() {
  const Outcomes& ok = kDeploymentPass;
  return {
      {"pass_and_skip", Deployment("scorer", true, 3, kTier), {}, "allow", {}, ok, ""},
      {"deny_rule_fails", Deployment("scorer", false, 3, kTier), {}, "deny", {}, With(ok, "p/owner", "fail"), ""},
      {"when_true_rule_passes", Deployment("scorer", true, 3, kTier + R"(,"gpu":"approved")"), {}, "allow", {},
       With(ok, "p/gpu", "pass"), ""},
      {"when_true_rule_fails", Deployment("scorer", true, 3, kTier + R"(,"gpu":"h100")"), {}, "deny", {},
       With(ok, "p/gpu", "fail"), ""},
      {"warn_rule_fails", Deployment("scorer", true, 1, kTier), {}, "warn", {"p/replicas"},
       With(ok, "p/replicas", "fail"), ""},
      {"audit_rule_fails", Deployment("scorer", true, 3), {}, "audit", {}, With(ok, "p/tier", "fail"), ""},
      {"deny_and_warn", Deployment("scorer", false, 1, kTier), {}, "deny", {"p/replicas"},
       With(With(ok, "p/owner", "fail"), "p/replicas", "fail"), ""},
      {"deny_rule_errors_under_fail", ConfigMap("large", "1"), {}, "deny", {},
       {{"p/config-size", "error"}, {"p/config-mode", "pass"}}, ""},
      {"warn_rule_errors_under_fail", ConfigMap("1", "high"), {}, "warn", {"p/config-mode"},
       {{"p/config-size", "pass"}, {"p/config-mode", "error"}}, ""},
      {"deny_rule_errors_under_ignore", Service("http"), {}, "warn", {"q/port"}, {{"q/port", "error"}}, ""},
      {"ignore_pack_passes", Service("8080"), {}, "allow", {}, {{"q/port", "pass"}}, ""},
      {"waived", Deployment("legacy", false, 3, kTier), {}, "allow", {}, With(ok, "p/owner", "waived"), ""},
      {"expired_waiver", Deployment("old", false, 3, kTier), {}, "deny", {}, With(ok, "p/owner", "fail"), "lapsed-old"},
      {"audit_only", Deployment("scorer", false, 3, kTier), {"audit"}, "audit", {}, With(ok, "p/owner", "fail"), ""},
      {"warn_enforcement", Deployment("scorer", false, 3, kTier), {"warn"}, "warn", {"p/owner"},
       With(ok, "p/owner", "fail"), ""},
      {"audit_only_error_under_fail", ConfigMap("large", "1"), {"audit"}, "audit", {},
       {{"p/config-size", "error"}, {"p/config-mode", "pass"}}, ""},
      {"warn_enforcement_error_under_fail", ConfigMap("large", "1"), {"warn"}, "warn", {"p/config-size"},
       {{"p/config-size", "error"}, {"p/config-mode", "pass"}}, ""},
      {"per_pack_audit_of_the_failing_pack", Deployment("scorer", false, 3, kTier), {"p=audit"}, "audit", {},
       With(ok, "p/owner", "fail"), ""},
      {"per_pack_audit_of_another_pack", Deployment("scorer", false, 3, kTier), {"q=audit"}, "deny", {},
       With(ok, "p/owner", "fail"), ""},
      {"per_pack_audit_of_an_ignore_error", Service("http"), {"warn", "q=audit"}, "audit", {}, {{"q/port", "error"}}, ""},
      {"waiver_under_warn_enforcement", Deployment("legacy", false, 1, kTier), {"warn"}, "warn", {"p/replicas"},
       With(With(ok, "p/owner", "waived"), "p/replicas", "fail"), ""},
  };
}

struct Seen {
  std::string verdict;
  std::set<std::string> warnings;
  Outcomes outcomes;
  std::string expired_waiver;
};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/aimsgate-parity-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ParityTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    packs_ = dir_.Write("packs.yaml", kPacks);
    waivers_ = dir_.Write("waivers.yaml", kWaivers);
    object_ = dir_.Write("object.json", GetParam().object);
    EngineOptions o;
    o.rule_paths = {packs_};
    o.waiver_paths = {waivers_};
    for (const auto& e : GetParam().enforcement) {
      std::string error;
      ASSERT_TRUE(o.enforcement.Add(e, &error)) << error;
    }
    std::vector<Diagnostic> diags;
    engine_ = Engine::Load(o, &diags);
    for (const auto& d : diags) ADD_FAILURE() << d.ToString();
    ASSERT_TRUE(engine_);
  }

  // `aimsgate check --format json [--results all]`: the scan and the JSON report.
  void ViaCheck(Seen* seen) {
    cli::ScanOptions so;
    so.paths = {object_};
    so.jobs = 1;
    so.now_unix = kNow;
    so.admission_reviews = true;
    cli::CollectedScan scan = cli::ScanAll(*engine_, so);
    for (const auto& e : scan.errors) ADD_FAILURE() << e.ToString();
    size_t findings = 0;
    for (bool all : {true, false}) {
      cli::ReportInput in{*engine_, scan};
      in.now_unix = kNow;
      in.all_results = all;
      std::ostringstream out;
      cli::WriteJsonReport(in, out);
      aimsgate::JsonDocument doc;
      doc.Parse(out.str().c_str());
      ASSERT_FALSE(doc.HasParseError()) << out.str();
      EXPECT_STREQ(doc["apiVersion"].GetString(), "aimsgate.io/v1alpha2");
      EXPECT_STREQ(doc["summary"]["listing"].GetString(), all ? "all" : "findings");
      ASSERT_EQ(doc["resources"].Size(), 1u) << out.str();
      const auto& resource = doc["resources"][0];
      const auto& results = doc["results"];
      if (all) {
        seen->verdict = resource["decision"].GetString();
        if (resource.HasMember("warnings")) {
          for (const auto& w : resource["warnings"].GetArray()) seen->warnings.insert(w.GetString());
        }
        for (const auto& r : results.GetArray()) {
          const std::string rule = r["rule"].GetString(), outcome = r["result"].GetString();
          EXPECT_TRUE(seen->outcomes.emplace(rule, outcome).second) << rule << " listed twice";
          if (outcome == "fail" || outcome == "error" || outcome == "waived") ++findings;
          if (r.HasMember("expiredWaiver")) seen->expired_waiver = r["expiredWaiver"].GetString();
          EXPECT_EQ(resource[outcome.c_str()].GetUint64(), 0u + std::count_if(results.Begin(), results.End(), [&](const aimsgate::JsonValue& x) {
                      return x["result"].GetString() == outcome;
                    })) << outcome;
        }
      } else {
        // The default listing: the findings only, the rest counted per resource.
        EXPECT_EQ(results.Size(), findings) << out.str();
        for (const auto& r : results.GetArray()) {
          const std::string outcome = r["result"].GetString();
          EXPECT_TRUE(outcome == "fail" || outcome == "error" || outcome == "waived") << outcome;
          EXPECT_EQ(seen->outcomes[r["rule"].GetString()], outcome);
        }
        EXPECT_EQ(resource["decision"].GetString(), seen->verdict);
      }
    }
  }

  // `aimsgate test --format json` on a suite that expects the case's decision and outcomes.
  void ViaTest(Seen* seen) {
    const Case& c = GetParam();
    aimsgate::JsonDocument object;
    object.Parse(c.object.c_str());
    const std::string kind = object["kind"].GetString(), name = object["metadata"]["name"].GetString();
    std::string who = "kind: " + kind + ", name: " + name + ", namespace: ml";
    std::string suite = "apiVersion: aimsgate.io/v1alpha1\nkind: RulePackTest\nmetadata: {name: " + c.name +
                        "}\nspec:\n  packs: [packs.yaml]\n  waivers: [waivers.yaml]\n  resources: [object.json]\n"
                        "  now: \"" + kNowText + "\"\n";
    if (!c.enforcement.empty()) {
      suite += "  enforcement:";
      for (const auto& e : c.enforcement) suite += "\n  - \"" + e + "\"";
      suite += "\n";
    }
    suite += "  results:\n  - {" + who + ", decision: " + c.verdict + "}\n";
    for (const auto& [rule, outcome] : c.outcomes) suite += "  - {rule: " + rule + ", " + who + ", result: " + outcome + "}\n";
    const std::string file = dir_.Write("aimsgate-test.yaml", suite);

    CLI::App root;
    cli::CommandList commands;
    cli::AddTestCommand(root, &commands);
    const char* argv[] = {"aimsgate", "test", file.c_str(), "--format", "json"};
    root.parse(5, argv);
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    int code = commands.at(0).run();
    std::cout.rdbuf(old);
    EXPECT_EQ(code, 0) << captured.str();
    aimsgate::JsonDocument doc;
    doc.Parse(captured.str().c_str());
    ASSERT_FALSE(doc.HasParseError()) << captured.str();
    ASSERT_EQ(doc["suites"].Size(), 1u);
    for (const auto& x : doc["suites"][0]["expectations"].GetArray()) {
      if (x.HasMember("decision")) seen->verdict = x["actual"].GetString();
      else seen->outcomes[x["rule"].GetString()] = x["actual"].GetString();
    }
  }

  // The webhook: an AdmissionReview CREATE of the object.
  void ViaWebhook(Seen* seen) {
    std::string body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",)"
                       R"("operation":"CREATE","namespace":"ml","userInfo":{"username":"alice"},"object":)" +
                       GetParam().object + "}}";
    webhook::HandlerOptions options;
    options.now_unix = kNow;
    cel::EvalState state;
    webhook::AdmissionResponse r = webhook::HandleAdmissionReview(body, *engine_, options, &state);
    ASSERT_EQ(r.http_status, 200) << r.body;
    aimsgate::JsonDocument doc;
    doc.Parse(r.body.c_str());
    ASSERT_FALSE(doc.HasParseError()) << r.body;
    const auto& response = doc["response"];
    seen->verdict = response["auditAnnotations"]["decision"].GetString();
    EXPECT_EQ(r.decision, seen->verdict);
    EXPECT_EQ(response["allowed"].GetBool(), seen->verdict != "deny");
    if (response.HasMember("warnings")) {
      for (const auto& w : response["warnings"].GetArray()) {
        std::string text = w.GetString();  // "[p/replicas A.6.2.4] only 1 replica(s)"
        seen->warnings.insert(text.substr(1, text.find_first_of(" ]") - 1));
      }
    }
    for (const auto& x : r.evaluation.results) {
      seen->outcomes[x.rule()] = ToString(x.result);
      if (x.expired_waiver) seen->expired_waiver = x.expired_waiver->name;
    }
    // What the apiserver records agrees with the results.
    auto ids = [&](const char* key, const char* outcome) {
      std::string want;
      for (const auto& x : r.evaluation.results) {
        if (ToString(x.result) == std::string(outcome)) want += (want.empty() ? "" : ",") + x.rule();
      }
      const auto& a = response["auditAnnotations"];
      EXPECT_EQ(a.HasMember(key) ? a[key].GetString() : "", want) << key;
    };
    ids("failed-rules", "fail");
    ids("errored-rules", "error");
    ids("waived-rules", "waived");
  }

  TempDir dir_;
  std::string packs_, waivers_, object_;
  std::shared_ptr<const Engine> engine_;
};

TEST_P(ParityTest, CheckTestAndWebhookDecideAlike) {
  const Case& c = GetParam();
  Seen check, test, hook;
  ViaCheck(&check);
  ViaTest(&test);
  ViaWebhook(&hook);
  for (const auto& [path, seen] : {std::pair<const char*, const Seen*>{"check", &check}, {"test", &test}, {"webhook", &hook}}) {
    EXPECT_EQ(seen->verdict, c.verdict) << path;
    EXPECT_EQ(seen->outcomes, c.outcomes) << path;
  }
  // `test` sees no warnings or waivers (its expectations are verdicts and outcomes).
  EXPECT_EQ(check.warnings, c.warnings);
  EXPECT_EQ(hook.warnings, c.warnings);
  EXPECT_EQ(check.expired_waiver, c.expired_waiver);
  EXPECT_EQ(hook.expired_waiver, c.expired_waiver);
}

INSTANTIATE_TEST_SUITE_P(Table, ParityTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace aimsgate
