// What pack authors write beyond assert: rule variables (lazy, at most once per
// evaluation), rule-scoped parameters, the built-in k8s.* library, and the
// type checks and deep merge of parameter overrides.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate {
namespace {

class AuthoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aimsgate-authoring-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::shared_ptr<const Engine> Load(const std::string& pack, EngineOptions o = {}) {
    const std::string path = dir_ + "/pack.yaml";
    std::ofstream(path) << pack;
    o.rule_paths = {path};
    diags_.clear();
    return Engine::Load(o, &diags_);
  }
  std::map<std::string, RuleResult> Eval(const Engine& engine, const std::string& json) {
    aimsgate::JsonDocument doc;
    doc.Parse(json.c_str());
    cel::EvalState state;
    std::map<std::string, RuleResult> out;
    for (auto& r : engine.Evaluate(doc, EvalRequest{}, &state).results) out[r.rule()] = r;
    return out;
  }
  std::string Diags() const {
    std::string s;
    for (const auto& d : diags_) s += d.ToString() + "\n";
    return s;
  }

  std::string dir_;
  std::vector<Diagnostic> diags_;
};

constexpr char kVariables[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: v}
spec:
  rules:
  - id: once
    variables:
    - {name: positives, expression: "object.items.filter(x, x > 0)"}
    - {name: count, expression: "size(variables.positives)"}
    match: {when: "variables.count > 0"}
    assert: "variables.count == 1000 && variables.count + variables.count == 2000 && size(variables.positives) == 1000"
    message: "{{variables.count}} positives"
  - id: inline
    assert: "size(object.items.filter(x, x > 0)) == 1000 && size(object.items.filter(x, x > 0)) == 1000"
  - id: lazy
    variables:
    - {name: broken, expression: "object.nosuch.field"}
    match: {when: "object.kind == 'Other'"}
    assert: "variables.broken == 1"
  - id: message
    variables:
    - {name: n, expression: "size(object.items)"}
    assert: "variables.n < 10"
    messageExpression: "'has ' + string(variables.n) + ' items'"
)Y";

std::string Items(int n) {
  std::string json = R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "items": [)";
  for (int i = 1; i <= n; ++i) json += (i > 1 ? "," : "") + std::to_string(i);
  return json + "]}";
}

TEST_F(AuthoringTest, VariablesAreEvaluatedAtMostOncePerEvaluation) {
  EngineOptions o;
  // One filter over 1,000 items fits the iteration budget; two do not.
  o.limits.max_comprehension_iterations = 1500;
  auto engine = Load(kVariables, o);
  ASSERT_TRUE(engine) << Diags();
  auto r = Eval(*engine, Items(1000));
  EXPECT_EQ(r["v/once"].result, Outcome::kPass) << r["v/once"].message;
  EXPECT_EQ(r["v/inline"].result, Outcome::kError);  // the control: the same work twice is over budget
  EXPECT_EQ(r["v/lazy"].result, Outcome::kSkip);     // never read, so its error never happens
  EXPECT_EQ(r["v/message"].result, Outcome::kFail);
  EXPECT_EQ(r["v/message"].message, "has 1000 items");
}

TEST_F(AuthoringTest, VariableErrorsAreLocated) {
  auto engine = Load(R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: v}
spec:
  rules:
  - id: r
    variables:
    - {name: a, expression: "variables.b + 1"}
    - {name: b, expression: "objct.x"}
    assert: "variables.a > variables.c"
)Y");
  ASSERT_FALSE(engine);
  const std::string d = Diags();
  EXPECT_NE(d.find("pack.yaml:8:30: error: variable 'a': unknown variable 'b'"), std::string::npos) << d;
  EXPECT_NE(d.find("pack.yaml:9:30: error: variable 'b': undeclared reference to 'objct'"), std::string::npos) << d;
  EXPECT_NE(d.find("pack.yaml:10:28: error: assert: unknown variable 'c'"), std::string::npos) << d;
}

constexpr char kScoped[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: p}
spec:
  parameters: {allowedProfiles: [shared]}
  rules:
  - id: apparmor
    parameters: {allowedProfiles: [runtime/default]}
    assert: "object.metadata.annotations.apparmor in params.allowedProfiles"
  - id: seccomp
    parameters: {allowedProfiles: {types: [RuntimeDefault]}}
    assert: "object.metadata.annotations.seccomp in params.allowedProfiles.types"
  - id: pack-level
    assert: "'shared' in params.allowedProfiles"
)Y";

constexpr char kProfiles[] =
    R"({"kind": "Pod", "metadata": {"name": "x", "annotations": {"apparmor": "runtime/default", "seccomp": "Localhost"}}})";

TEST_F(AuthoringTest, RuleScopedParametersOfOneNameTakeDifferentShapes) {
  auto engine = Load(kScoped);
  ASSERT_TRUE(engine) << Diags();
  auto r = Eval(*engine, kProfiles);
  EXPECT_EQ(r["p/apparmor"].result, Outcome::kPass);
  EXPECT_EQ(r["p/seccomp"].result, Outcome::kFail);
  EXPECT_EQ(r["p/pack-level"].result, Outcome::kPass);

  EngineOptions o;
  o.param_overrides = {"p/seccomp.allowedProfiles={types: [Localhost]}"};
  engine = Load(kScoped, o);
  ASSERT_TRUE(engine) << Diags();
  r = Eval(*engine, kProfiles);
  EXPECT_EQ(r["p/seccomp"].result, Outcome::kPass);
  EXPECT_EQ(r["p/apparmor"].result, Outcome::kPass);

  o.param_overrides = {"allowedProfiles=[a]"};  // fits the pack's and apparmor's list, not seccomp's map
  EXPECT_FALSE(Load(kScoped, o));
  EXPECT_NE(Diags().find("--param allowedProfiles: expected a map, got a list"), std::string::npos) << Diags();

  o.param_overrides = {"p/apparmor.nosuch=1"};
  EXPECT_FALSE(Load(kScoped, o));
  EXPECT_NE(Diags().find("rule 'p/apparmor' declares no parameter 'nosuch'"), std::string::npos) << Diags();
}

TEST_F(AuthoringTest, ParameterOverridesMergeMapsAndCheckTypes) {
  constexpr char kPack[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: m}
spec:
  parameters:
    fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 2}]}
    tiers: [high]
    anything: null
  rules:
  - id: r
    assert: "params.fsGroup.rule == 'MustRunAs' && params.fsGroup.ranges[0].min == 5 && size(params.fsGroup.ranges) == 1"
)Y";
  EngineOptions o;
  o.param_overrides = {"fsGroup={ranges: [{min: 5, max: 6}]}", "anything={x: 1}"};
  auto engine = Load(kPack, o);
  ASSERT_TRUE(engine) << Diags();
  EXPECT_EQ(Eval(*engine, kProfiles)["m/r"].result, Outcome::kPass);

  for (const auto& [override_text, message] : std::vector<std::pair<std::string, std::string>>{
           {"tiers=high", "--param tiers: expected a list, got a string"},
           {"tiers=[3]", "--param tiers[0]: expected a string, got a number"},
           {"fsGroup={rule: 7}", "--param fsGroup.rule: expected a string, got a number"},
           {"fsGroup=[]", "--param fsGroup: expected a map, got a list"}}) {
    o.param_overrides = {override_text};
    EXPECT_FALSE(Load(kPack, o)) << override_text;
    EXPECT_NE(Diags().find(message), std::string::npos) << override_text << "\n" << Diags();
  }
}

TEST_F(AuthoringTest, KubernetesLibrary) {
  auto engine = Load(R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: k}
spec:
  rules:
  - id: shape
    assert: >-
      k8s.podSpec(object).serviceAccountName == 'sa' && k8s.podMeta(object).labels.app == 'web' &&
      k8s.containers(object).map(c, c.name) == ['main', 'init', 'debug'] && k8s.isController(object) &&
      k8s.hasPodSpec(object) && !k8s.isOwned(object) && k8s.labels(object) == {'team': 'a'} &&
      k8s.annotations(object) == {} && k8s.podLabels(object) == {'app': 'web'} && size(k8s.volumes(object)) == 1 &&
      k8s.securityContext(k8s.containers(object)[0]) == {'runAsNonRoot': true}
  - id: images
    assert: >-
      k8s.image(k8s.containers(object)[0]) == {'reference': 'ghcr.io/org/app:1.2@sha256:ab', 'registry': 'ghcr.io',
        'repository': 'org/app', 'tag': '1.2', 'digest': 'sha256:ab'} &&
      k8s.image('nginx') == {'reference': 'nginx', 'registry': 'docker.io', 'repository': 'nginx', 'tag': '', 'digest': ''} &&
      k8s.image('localhost:5000/a/b').registry == 'localhost:5000' && k8s.image('localhost:5000/a/b').tag == '' &&
      k8s.image('library/redis:7').repository == 'library/redis' && k8s.image('library/redis:7').tag == '7' &&
      k8s.image({}).reference == ''
)Y");
  ASSERT_TRUE(engine) << Diags();
  const std::string spec = R"({"serviceAccountName": "sa", "volumes": [{"name": "v", "emptyDir": {}}],
      "containers": [{"name": "main", "image": "ghcr.io/org/app:1.2@sha256:ab", "securityContext": {"runAsNonRoot": true}}],
      "initContainers": [{"name": "init", "image": "busybox"}], "ephemeralContainers": [{"name": "debug", "image": "busybox"}]})";
  const std::string meta = R"({"name": "web", "labels": {"team": "a"}})";
  const std::string tmpl = R"({"metadata": {"labels": {"app": "web"}}, "spec": )" + spec + "}";
  const std::map<std::string, std::string> objects = {
      {"Deployment", R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": )" + meta + R"(, "spec": {"template": )" + tmpl + "}}"},
      {"CronJob", R"({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": )" + meta +
                      R"(, "spec": {"jobTemplate": {"spec": {"template": )" + tmpl + "}}}}"}};
  for (const auto& [kind, json] : objects) {
    auto r = Eval(*engine, json);
    EXPECT_EQ(r["k/shape"].result, Outcome::kPass) << kind << ": " << r["k/shape"].message;
    EXPECT_EQ(r["k/images"].result, Outcome::kPass) << kind << ": " << r["k/images"].message;
  }
  // A Pod is no controller; a Service has no pod spec at all.
  auto r = Eval(*engine, R"({"kind": "Service", "metadata": {"name": "s", "ownerReferences": [{"controller": true}]}})");
  EXPECT_EQ(r["k/shape"].result, Outcome::kFail);
}

}  // namespace
}  // namespace aimsgate
