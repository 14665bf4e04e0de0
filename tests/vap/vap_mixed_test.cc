// ValidatingAdmissionPolicies beside RulePacks in one --rules file, and the
// documented details vap_test.cc does not pin: the Audit action alone,
// messageExpression falling back to message, the documentation's matchConditions
// (leases and node requests excluded), a matchCondition error under each
// failurePolicy, and a pack digest that covers the params object.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate {
namespace {

class VapMixedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aimsgate-vapmix-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::shared_ptr<const Engine> Load(const std::string& yaml) {
    const std::string path = dir_ + "/rules-" + std::to_string(files_++) + ".yaml";
    std::ofstream(path) << yaml;
    EngineOptions o;
    o.rule_paths = {path};
    std::vector<Diagnostic> diags;
    auto engine = Engine::Load(o, &diags);
    for (const auto& d : diags) ADD_FAILURE() << d.ToString();
    return engine;
  }

  std::map<std::string, RuleResult> Eval(const Engine& e, const std::string& object_json,
                                         const std::string& request_json = "", ResourceEvaluation* out = nullptr) {
    aimsgate::JsonDocument obj, req;
    obj.Parse(object_json.c_str());
    EXPECT_FALSE(obj.HasParseError()) << object_json;
    EvalRequest r;
    if (!request_json.empty()) {
      req.Parse(request_json.c_str());
      EXPECT_FALSE(req.HasParseError()) << request_json;
      r.request = &req;
    }
    ResourceEvaluation ev = e.Evaluate(obj, r, &state_);
    std::map<std::string, RuleResult> m;
    for (const auto& res : ev.results) m[res.rule()] = res;
    if (out) *out = ev;
    return m;
  }

  std::string dir_;
  int files_ = 0;
  cel::EvalState state_;
};

constexpr char kDeployment[] =
    R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"one","namespace":"default"},)"
    R"("spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","image":"nginx:1.25"}]}}}})";

TEST_F(VapMixedTest, RulePackAndVapInOneFileBothApply) {
  auto engine = Load(R"Y(
apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: mini, version: 1.0.0}
spec:
  rules:
  - id: has-labels
    title: labels
    controls: ["A.3.2"]
    severity: low
    action: warn
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "has(object.metadata.labels)"
    message: no labels
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: audit-only}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas >= 2"
    message: "need 2 replicas"
  - expression: "object.spec.template.spec.containers.all(c, c.image.contains('@sha256:'))"
    messageExpression: "object.spec.nosuchfield"
    message: "pin images by digest"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: audit-only-binding}
spec: {policyName: audit-only, validationActions: [Audit]}
)Y");
  ASSERT_TRUE(engine);
  ResourceEvaluation ev;
  auto m = Eval(*engine, kDeployment, "", &ev);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m["mini/has-labels"].result, Outcome::kFail);
  EXPECT_EQ(m["audit-only/validation-0"].result, Outcome::kFail);
  EXPECT_EQ(m["audit-only/validation-0"].action, Action::kAudit);
  EXPECT_EQ(m["audit-only/validation-0"].message, "need 2 replicas");
  // messageExpression errors (no such field): the static message, as the apiserver does.
  EXPECT_EQ(m["audit-only/validation-1"].result, Outcome::kFail);
  EXPECT_EQ(m["audit-only/validation-1"].message, "pin images by digest");
  // Audit records without denying; the RulePack's warn rule warns.
  EXPECT_FALSE(ev.denied());
  EXPECT_TRUE(ev.warned());
}

// The documentation's matchConditions example: leases and requests by nodes are left alone.
constexpr char kMatchConditions[] = R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: demo}
spec:
  failurePolicy: POLICY
  matchConstraints:
    resourceRules:
    - {apiGroups: ["*"], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: ["*"]}
  matchConditions:
  - name: exclude-leases
    expression: '!(request.resource.group == "coordination.k8s.io" && request.resource.resource == "leases")'
  - name: exclude-kubelet-requests
    expression: '!("system:nodes" in request.userInfo.groups)'
  - name: CONDITION_NAME
    expression: 'CONDITION'
  validations:
  - expression: "!object.metadata.name.contains('bad')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: demo-binding}
spec: {policyName: demo, validationActions: [Deny]}
)Y";

std::string MatchConditions(const std::string& policy, const std::string& condition) {
  std::string s = kMatchConditions;
  s.replace(s.find("POLICY"), 6, policy);
  s.replace(s.find("CONDITION_NAME"), 14, "extra");
  s.replace(s.find("CONDITION'"), 9, condition);
  return s;
}

std::string Request(const std::string& group, const std::string& resource, const std::string& groups) {
  return R"({"operation":"CREATE","dryRun":false,"resource":{"group":")" + group + R"(","version":"v1","resource":")" +
         resource + R"("},"userInfo":{"username":"u","groups":)" + groups + "}}";
}

TEST_F(VapMixedTest, DocumentedMatchConditionsExcludeLeasesAndNodes) {
  auto engine = Load(MatchConditions("Fail", "true"));
  ASSERT_TRUE(engine);
  const std::string lease =
      R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"bad","namespace":"x"}})";
  const std::string cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad","namespace":"x"}})";
  EXPECT_EQ(Eval(*engine, lease, Request("coordination.k8s.io", "leases", R"(["system:authenticated"])"))
                ["demo/validation-0"].result,
            Outcome::kSkip);
  EXPECT_EQ(Eval(*engine, cm, Request("", "configmaps", R"(["system:nodes"])"))["demo/validation-0"].result,
            Outcome::kSkip);
  ResourceEvaluation ev;
  EXPECT_EQ(Eval(*engine, cm, Request("", "configmaps", R"(["system:authenticated"])"), &ev)["demo/validation-0"].result,
            Outcome::kFail);
  EXPECT_TRUE(ev.denied());
  // In CI (synthetic request) the request describes the object: a Lease is still excluded.
  EXPECT_EQ(Eval(*engine, lease)["demo/validation-0"].result, Outcome::kSkip);
}

TEST_F(VapMixedTest, MatchConditionErrorFollowsFailurePolicy) {
  const std::string cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok","namespace":"x"}})";
  for (const std::string fp : {"Fail", "Ignore"}) {
    auto engine = Load(MatchConditions(fp, "object.data.missing == 1"));
    ASSERT_TRUE(engine) << fp;
    ResourceEvaluation ev;
    auto m = Eval(*engine, cm, Request("", "configmaps", R"([])"), &ev);
    EXPECT_EQ(m["demo/validation-0"].result, Outcome::kError) << fp;
    EXPECT_EQ(ev.denied(), fp == "Fail") << fp;
  }
}

TEST_F(VapMixedTest, PackDigestCoversTheParamsObject) {
  const std::string policy = R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.replicas <= int(params.data.max)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: {name: limits, namespace: default}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: default}
data: {max: "MAX"}
)Y";
  std::string digest[2];
  Outcome outcome[2];
  const char* max[2] = {"0", "5"};
  for (int i = 0; i < 2; ++i) {
    std::string text = policy;
    text.replace(text.find("MAX"), 3, max[i]);
    auto engine = Load(text);
    ASSERT_TRUE(engine);
    for (const auto& p : engine->packs()) {
      if (p.name == "limit") digest[i] = p.digest;
    }
    outcome[i] = Eval(*engine, kDeployment)["limit/validation-0"].result;
  }
  EXPECT_EQ(outcome[0], Outcome::kFail);
  EXPECT_EQ(outcome[1], Outcome::kPass);
  EXPECT_FALSE(digest[0].empty());
  EXPECT_NE(digest[0], digest[1]);
}

// --context: params and Namespaces from a file that holds no pack.
TEST_F(VapMixedTest, ContextPathsSupplyNamespacesAndParams) {
  const std::string rules = dir_ + "/policy.yaml", context = dir_ + "/context.yaml";
  std::ofstream(rules) << R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.replicas <= int(params.data.max)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: {name: limits, namespace: default}
  matchResources: {namespaceSelector: {matchLabels: {environment: test}}}
)Y";
  std::ofstream(context) << R"Y(
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: default}
data: {max: "0"}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {environment: test}}
)Y";
  EngineOptions o;
  o.rule_paths = {rules};
  o.context_paths = {context};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  for (const auto& d : diags) ADD_FAILURE() << d.ToString();
  ASSERT_TRUE(engine);
  EXPECT_EQ(Eval(*engine, kDeployment)["limit/validation-0"].result, Outcome::kFail);

  // Without the context the params are missing (Deny by default) and the namespace unlabelled.
  o.context_paths.clear();
  diags.clear();
  engine = Engine::Load(o, &diags);
  ASSERT_TRUE(engine);
  EXPECT_TRUE(Eval(*engine, kDeployment).empty());

  // A RulePack given as context is refused with its location.
  std::ofstream(context) << "apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: x, version: 1.0.0}\n"
                            "spec: {rules: [{id: r, title: t, controls: [A.3.2], severity: low, action: warn, "
                            "assert: 'true', message: m}]}\n";
  o.context_paths = {context};
  diags.clear();
  EXPECT_FALSE(Engine::Load(o, &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].ToString().find("--context"), std::string::npos) << diags[0].ToString();
}

}  // namespace
}  // namespace aimsgate
