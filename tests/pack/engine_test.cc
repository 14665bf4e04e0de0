// The engine end to end on small packs: matching, outcomes, messages,
// failure policy, parameters, inventory and waivers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/aimsgate-engine-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

constexpr char kPack[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: t, version: 0.1.0}
spec:
  failurePolicy: FAILURE_POLICY
  parameters:
    prefix: example.com/
    minReplicas: 2
  functions:
  - name: ann
    params: [o, key]
    expression: >-
      has(o.metadata.annotations) && (params.prefix + key) in o.metadata.annotations
        ? o.metadata.annotations[params.prefix + key] : ''
  rules:
  - id: owner
    controls: ["A.3.2"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "ann(object, 'owner') != ''"
    message: "Deployment '{{object.metadata.name}}' has no owner (replicas {{object.spec.replicas}})"
    remediation: add example.com/owner
  - id: replicas
    action: warn
    match: {kinds: ["Deployment"], namespaces: {exclude: ["dev-*"]}}
    assert: "object.spec.replicas >= params.minReplicas"
    messageExpression: "'only ' + string(object.spec.replicas) + ' replicas'"
  - id: labelled
    action: audit
    match:
      kinds: ["*"]
      labelSelector: {matchExpressions: [{key: tier, operator: In, values: [prod]}]}
      when: "object.kind != 'Service'"
    assert: "has(object.metadata.labels.team)"
  - id: broken
    match: {kinds: ["v1/ConfigMap"]}
    assert: "object.data.missing == 'x'"
)Y";

aimsgate::JsonDocument Json(const char* text) {
  aimsgate::JsonDocument d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

// Copies, not pointers: callers pass temporaries (ByRule(Eval(...))), whose results
// die at the end of the full expression (heap-use-after-free found by ASan).
std::map<std::string, std::shared_ptr<const RuleResult>> ByRule(const ResourceEvaluation& e) {
  std::map<std::string, std::shared_ptr<const RuleResult>> m;
  for (const auto& r : e.results) m[r.rule()] = std::make_shared<const RuleResult>(r);
  return m;
}

class EngineTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Engine> Load(const std::string& policy = "Fail", EngineOptions o = {}) {
    std::string pack = kPack;
    pack.replace(pack.find("FAILURE_POLICY"), 14, policy);
    return LoadText("pack.yaml", pack, std::move(o));
  }
  std::shared_ptr<const Engine> LoadText(const std::string& name, const std::string& pack, EngineOptions o = {}) {
    o.rule_paths = {dir_.Write(name, pack)};
    std::vector<Diagnostic> diags;
    auto engine = Engine::Load(o, &diags);
    for (const auto& d : diags) ADD_FAILURE() << d.ToString();
    return engine;
  }
  ResourceEvaluation Eval(const Engine& e, const char* json) {
    aimsgate::JsonDocument d = Json(json);
    EvalRequest req;
    req.now_unix = 1800000000;  // 2027-01-15
    return e.Evaluate(d, req, &state_);
  }
  TempDir dir_;
  cel::EvalState state_;
};

constexpr char kGood[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"scorer","namespace":"ml","labels":{"tier":"prod","team":"a"},
              "annotations":{"example.com/owner":"ml-team"}},
  "spec":{"replicas":3}})";
constexpr char kBad[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"scorer","namespace":"ml","labels":{"tier":"prod"}},"spec":{"replicas":1}})";

TEST_F(EngineTest, PassesACompliantObject) {
  auto engine = Load();
  ASSERT_NE(engine, nullptr);
  ResourceEvaluation e = Eval(*engine, kGood);
  auto m = ByRule(e);
  ASSERT_EQ(m.size(), 3u);  // owner, replicas, labelled; not broken (ConfigMap only)
  EXPECT_EQ(m["t/owner"]->result, Outcome::kPass);
  EXPECT_EQ(m["t/replicas"]->result, Outcome::kPass);
  EXPECT_EQ(m["t/labelled"]->result, Outcome::kPass);
  EXPECT_FALSE(e.denied());
  EXPECT_FALSE(e.warned());
  EXPECT_EQ(e.resource.kind(), "Deployment");
  EXPECT_EQ(e.resource.namespace_(), "ml");
}

TEST_F(EngineTest, FailsWithInterpolatedMessages) {
  auto engine = Load();
  ASSERT_NE(engine, nullptr);
  ResourceEvaluation e = Eval(*engine, kBad);
  auto m = ByRule(e);
  EXPECT_EQ(m["t/owner"]->result, Outcome::kFail);
  EXPECT_EQ(m["t/owner"]->message, "Deployment 'scorer' has no owner (replicas 1)");
  EXPECT_EQ(m["t/owner"]->remediation(), "add example.com/owner");
  EXPECT_EQ(m["t/owner"]->controls(), std::vector<std::string>{"A.3.2"});
  EXPECT_EQ(m["t/replicas"]->result, Outcome::kFail);
  EXPECT_EQ(m["t/replicas"]->message, "only 1 replicas");
  EXPECT_EQ(m["t/labelled"]->result, Outcome::kFail);
  EXPECT_EQ(m["t/labelled"]->action, Action::kAudit);
  EXPECT_TRUE(e.denied());
  EXPECT_TRUE(e.warned());
}

TEST_F(EngineTest, MatchingByKindNamespaceLabelsAndWhen) {
  auto engine = Load();
  ASSERT_NE(engine, nullptr);
  // dev-* namespaces are excluded from `replicas`; no tier label: `labelled` does not match.
  auto m = ByRule(Eval(*engine, R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"d","namespace":"dev-x"},"spec":{"replicas":1}})"));
  EXPECT_EQ(m.count("t/replicas"), 0u);
  EXPECT_EQ(m.count("t/labelled"), 0u);
  EXPECT_EQ(m.count("t/owner"), 1u);
  // A different group does not match apps/v1/Deployment, but matches bare "Deployment".
  m = ByRule(Eval(*engine, R"({"apiVersion":"example.com/v1","kind":"Deployment",
      "metadata":{"name":"d","namespace":"ml"},"spec":{"replicas":5}})"));
  EXPECT_EQ(m.count("t/owner"), 0u);
  EXPECT_EQ(m.count("t/replicas"), 1u);
  // `when` false gives skip.
  m = ByRule(Eval(*engine, R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","labels":{"tier":"prod"}}})"));
  ASSERT_EQ(m.count("t/labelled"), 1u);
  EXPECT_EQ(m["t/labelled"]->result, Outcome::kSkip);
}

TEST_F(EngineTest, EvaluationErrorFollowsFailurePolicy) {
  const char* cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}})";
  auto fail = Load("Fail");
  ASSERT_NE(fail, nullptr);
  ResourceEvaluation e = Eval(*fail, cm);
  auto m = ByRule(e);
  ASSERT_EQ(m.count("t/broken"), 1u);
  EXPECT_EQ(m["t/broken"]->result, Outcome::kError);
  EXPECT_NE(m["t/broken"]->message.find("missing"), std::string::npos) << m["t/broken"]->message;
  EXPECT_TRUE(e.denied());
  auto ignore = Load("Ignore");
  ASSERT_NE(ignore, nullptr);
  e = Eval(*ignore, cm);
  EXPECT_EQ(ByRule(e)["t/broken"]->result, Outcome::kError);
  EXPECT_FALSE(e.denied());
}

// Rules with the same match.when share one program, answered once per object
// and pack; an error is not shared, and rules with their own parameters or
// variables compile their own.
TEST_F(EngineTest, RulesSharingAWhenGetTheirOwnAnswers) {
  const std::string pack = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: w, version: 0.1.0}
spec:
  parameters: {wanted: a}
  rules:
  - id: one
    match: {kinds: ["v1/ConfigMap"], when: "object.metadata.name == params.wanted"}
    assert: "has(object.data.one)"
  - id: other
    match: {kinds: ["v1/ConfigMap"], when: "object.metadata.name != params.wanted"}
    assert: "true"
  - id: two
    match: {kinds: ["v1/ConfigMap"], when: "object.metadata.name == params.wanted"}
    assert: "has(object.data.two)"
  - id: own-params
    parameters: {wanted: b}
    match: {kinds: ["v1/ConfigMap"], when: "object.metadata.name == params.wanted"}
    assert: "true"
  - id: broken-1
    match: {kinds: ["v1/ConfigMap"], when: "object.data.count > 1"}
    assert: "true"
  - id: broken-2
    match: {kinds: ["v1/ConfigMap"], when: "object.data.count > 1"}
    assert: "true"
)Y";
  auto engine = LoadText("when.yaml", pack);
  ASSERT_NE(engine, nullptr);
  auto a = ByRule(Eval(*engine, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"two":"x"}})"));
  EXPECT_EQ(a["w/one"]->result, Outcome::kFail);
  EXPECT_EQ(a["w/other"]->result, Outcome::kSkip);
  EXPECT_EQ(a["w/two"]->result, Outcome::kPass);
  EXPECT_EQ(a["w/own-params"]->result, Outcome::kSkip);
  // data.count is a string: `>` has no overload, an error in each rule, with its message.
  for (const char* id : {"w/broken-1", "w/broken-2"}) {
    EXPECT_EQ(a[id]->result, Outcome::kError) << id;
    EXPECT_NE(a[id]->message.find("match.when"), std::string::npos) << a[id]->message;
  }
  // The next object, with the same scratch state: nothing carried over.
  auto b = ByRule(Eval(*engine, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"},"data":{"one":"x"}})"));
  EXPECT_EQ(b["w/one"]->result, Outcome::kSkip);
  EXPECT_EQ(b["w/other"]->result, Outcome::kPass);
  EXPECT_EQ(b["w/two"]->result, Outcome::kSkip);
  EXPECT_EQ(b["w/own-params"]->result, Outcome::kPass);
}

// Message parts of the same text share one program across rules
// (compiled_pack.cc); each rule still renders its own message, a rule with its
// own parameters reads them, and a part that does not compile is an error at
// every rule that writes it.
TEST_F(EngineTest, RulesSharingMessagePartsRenderTheirOwnMessages) {
  const std::string pack = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: m, version: 0.1.0}
spec:
  parameters: {label: pack}
  rules:
  - id: one
    match: {kinds: ["v1/ConfigMap"]}
    assert: "false"
    message: "one: {{object.metadata.name}} ({{params.label}})"
  - id: two
    match: {kinds: ["v1/ConfigMap"]}
    assert: "false"
    message: "two: {{object.metadata.name}} ({{params.label}})"
  - id: own
    parameters: {label: rule}
    match: {kinds: ["v1/ConfigMap"]}
    assert: "false"
    message: "own: {{object.metadata.name}} ({{params.label}})"
)Y";
  auto engine = LoadText("messages.yaml", pack);
  ASSERT_NE(engine, nullptr);
  auto a = ByRule(Eval(*engine, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-a"}})"));
  EXPECT_EQ(a["m/one"]->message, "one: cm-a (pack)");
  EXPECT_EQ(a["m/two"]->message, "two: cm-a (pack)");
  EXPECT_EQ(a["m/own"]->message, "own: cm-a (rule)");
  auto b = ByRule(Eval(*engine, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-b"}})"));
  EXPECT_EQ(b["m/one"]->message, "one: cm-b (pack)");
  EXPECT_EQ(b["m/two"]->message, "two: cm-b (pack)");

  std::string broken = pack;
  for (size_t at; (at = broken.find("{{params.label}}")) != std::string::npos;) broken.replace(at, 16, "{{nope(1)}}");
  EngineOptions o;
  o.rule_paths = {dir_.Write("broken.yaml", broken)};
  std::vector<Diagnostic> diags;
  EXPECT_EQ(Engine::Load(o, &diags), nullptr);
  size_t reported = 0;
  for (const auto& d : diags) {
    reported += d.message.find("message: undeclared reference to 'nope'") != std::string::npos;
  }
  EXPECT_EQ(reported, 3u);
}

TEST_F(EngineTest, ParameterOverrides) {
  EngineOptions o;
  o.param_overrides = {"minReplicas=5", "t.prefix=other.io/"};
  auto engine = Load("Fail", o);
  ASSERT_NE(engine, nullptr);
  auto m = ByRule(Eval(*engine, kGood));
  EXPECT_EQ(m["t/replicas"]->result, Outcome::kFail);  // 3 < 5
  EXPECT_EQ(m["t/owner"]->result, Outcome::kFail);     // other.io/owner absent
  std::vector<Diagnostic> diags;
  o.param_overrides = {"nosuch=1"};
  o.rule_paths = {dir_.Write("pack2.yaml", std::string(kPack).replace(std::string(kPack).find("FAILURE_POLICY"), 14, "Fail"))};
  EXPECT_EQ(Engine::Load(o, &diags), nullptr);
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("unknown parameter 'nosuch'"), std::string::npos);
}

TEST_F(EngineTest, AuditOnlyNeverDenies) {
  EngineOptions o;
  o.enforcement.mode = EnforcementMode::kAudit;  // check --audit-only
  auto engine = Load("Fail", o);
  ASSERT_NE(engine, nullptr);
  ResourceEvaluation e = Eval(*engine, kBad);
  EXPECT_EQ(ByRule(e)["t/owner"]->result, Outcome::kFail);
  EXPECT_EQ(ByRule(e)["t/owner"]->action, Action::kAudit);
  EXPECT_FALSE(e.denied());
}

TEST_F(EngineTest, WaiversTurnFailuresIntoWaivedUntilTheyExpire) {
  EngineOptions o;
  o.waiver_paths = {dir_.Write("waivers.yaml", R"(apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: w-valid}
spec:
  rules: ["t/owner"]
  match: {namespaces: ["ml"], names: ["scor*"]}
  justification: accepted
  approvedBy: ciso@example.com
  expires: "2030-01-01T00:00:00Z"
---
apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: w-expired}
spec:
  rules: ["t/replicas"]
  justification: old
  approvedBy: ciso@example.com
  expires: "2020-01-01T00:00:00Z"
)")};
  auto engine = Load("Fail", o);
  ASSERT_NE(engine, nullptr);
  ResourceEvaluation e = Eval(*engine, kBad);
  auto m = ByRule(e);
  EXPECT_EQ(m["t/owner"]->result, Outcome::kWaived);
  EXPECT_EQ(m["t/owner"]->waiver->name, "w-valid");
  EXPECT_EQ(m["t/owner"]->waiver->approved_by, "ciso@example.com");
  EXPECT_EQ(m["t/replicas"]->result, Outcome::kFail);
  EXPECT_EQ(m["t/replicas"]->expired_waiver->name, "w-expired");
  EXPECT_FALSE(e.denied());  // the only deny failure is waived
}

// One EvalState serves every object of a thread, and each pack's activation is
// reused: nothing bound for one object (oldObject, a memoized helper) may be
// seen by the next.
TEST_F(EngineTest, ObjectsSharingAScratchStateSeeOnlyTheirOwnBindings) {
  EngineOptions o;
  o.rule_paths = {dir_.Write("reuse.yaml", R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: r, version: 0.1.0}
spec:
  functions:
  - name: owner
    params: [o]
    expression: "has(o.metadata.annotations) && 'example.com/owner' in o.metadata.annotations"
  rules:
  - id: created
    match: {kinds: ["Deployment"]}
    assert: "oldObject == null"
  - id: owned
    match: {kinds: ["Deployment"]}
    assert: "owner(object)"
)Y")};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  ASSERT_NE(engine, nullptr) << (diags.empty() ? "" : diags[0].ToString());
  aimsgate::JsonDocument good = Json(kGood), bad = Json(kBad);
  EvalRequest update;
  update.now_unix = 1800000000;
  update.old_object = &good;
  EvalRequest create;
  create.now_unix = 1800000000;
  auto outcomes = [](const ResourceEvaluation& e) {
    std::string s;
    for (const RuleResult& r : e.results) s += r.rule() + "=" + ToString(r.result) + " ";
    return s;
  };
  EXPECT_EQ(outcomes(engine->Evaluate(good, update, &state_)), "r/created=fail r/owned=pass ");
  EXPECT_EQ(outcomes(engine->Evaluate(bad, create, &state_)), "r/created=pass r/owned=fail ");
  EXPECT_EQ(outcomes(engine->Evaluate(good, create, &state_)), "r/created=pass r/owned=pass ");
  EXPECT_EQ(outcomes(engine->Evaluate(bad, update, nullptr)), "r/created=fail r/owned=fail ");
}

// What a reused activation keeps from object to object (the parameters, the
// inventory, the request, the time) is re-bound when it differs: another time,
// or another engine (a reload) on the same thread's scratch state.
TEST_F(EngineTest, KeptBindingsFollowTheTimeAndTheEngine) {
  auto pack = [&](const std::string& name, int replicas) {
    EngineOptions o;
    o.rule_paths = {dir_.Write(name + ".yaml", R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: k, version: 0.1.0}
spec:
  parameters: {minReplicas: )Y" + std::to_string(replicas) + R"Y(}
  rules:
  - id: replicas
    match: {kinds: ["Deployment"]}
    assert: "object.spec.replicas >= params.minReplicas"
  - id: before2030
    match: {kinds: ["Deployment"]}
    assert: "now < timestamp('2030-01-01T00:00:00Z')"
)Y")};
    std::vector<Diagnostic> diags;
    auto engine = Engine::Load(o, &diags);
    EXPECT_NE(engine, nullptr) << (diags.empty() ? "" : diags[0].ToString());
    return engine;
  };
  auto two = pack("two", 2), five = pack("five", 5);
  ASSERT_TRUE(two && five);
  aimsgate::JsonDocument good = Json(kGood);  // 3 replicas
  EvalRequest in2027, in2031;
  in2027.now_unix = 1800000000;
  in2031.now_unix = 1950000000;
  auto outcomes = [](const ResourceEvaluation& e) {
    std::string s;
    for (const RuleResult& r : e.results) s += ToString(r.result) + std::string(" ");
    return s;
  };
  EXPECT_EQ(outcomes(two->Evaluate(good, in2027, &state_)), "pass pass ");
  EXPECT_EQ(outcomes(two->Evaluate(good, in2031, &state_)), "pass fail ");
  EXPECT_EQ(outcomes(five->Evaluate(good, in2031, &state_)), "fail fail ");
  EXPECT_EQ(outcomes(five->Evaluate(good, in2027, &state_)), "fail pass ");
  EXPECT_EQ(outcomes(two->Evaluate(good, in2027, &state_)), "pass pass ");
}

// The resource's identity, as reports and evidence read it: the first of duplicate
// keys (as a JSON parser's lookup), generateName when there is no name, the uid of
// the controlling owner, the AI-system annotations, and nothing from a metadata
// that is not an object.
TEST_F(EngineTest, IdentifiesTheResource) {
  auto engine = Load();
  ASSERT_NE(engine, nullptr);
  ResourceEvaluation e = Eval(*engine, R"({"kind":"Deployment","apiVersion":"apps/v1","kind":"Pod",
    "metadata":{"generateName":"scorer-","namespace":"ml","uid":"u-1","namespace":"other",
      "ownerReferences":[{"uid":"o-1"},{"uid":"o-2","controller":false},{"uid":"o-3","controller":true}],
      "annotations":{"aimsgate.io/system-id":"credit","aimsgate.io/owner":"risk@example.com",
                     "aimsgate.io/risk-tier":"high","aimsgate.io/owner":"second"}},
    "metadata":{"name":"not-read"}})");
  const ResourceRef& r = e.resource;
  EXPECT_EQ(r.api_version(), "apps/v1");
  EXPECT_EQ(r.kind(), "Deployment");
  EXPECT_EQ(r.name(), "scorer-");
  EXPECT_EQ(r.namespace_(), "ml");
  EXPECT_EQ(r.uid(), "u-1");
  EXPECT_EQ(r.controller_uid(), "o-3");
  EXPECT_EQ(r.system_id(), "credit");
  EXPECT_EQ(r.owner(), "risk@example.com");
  EXPECT_EQ(r.risk_tier(), "high");
  ResourceEvaluation odd = Eval(*engine, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":["name","x"]})");
  EXPECT_EQ(odd.resource.kind(), "ConfigMap");
  EXPECT_EQ(odd.resource.name(), "");
  EXPECT_EQ(odd.resource.namespace_(), "");
}

}  // namespace
}  // namespace aimsgate
