// ValidatingAdmissionPolicy objects evaluated offline (evaluator/pack/vap.h) with
// the decisions the Kubernetes documentation gives: bindings, params (by name,
// namespace, selector, not found), match constraints and conditions, variables,
// messageExpression, validation actions and failure policy.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/vap.h"

namespace aimsgate {
namespace {

class VapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aimsgate-vap-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // Loads the YAML text as a --rules file; diagnostics (errors and warnings) go to *diags.
  std::shared_ptr<const Engine> Load(const std::string& yaml, std::vector<Diagnostic>* diags = nullptr) {
    const std::string path = dir_ + "/rules-" + std::to_string(files_++) + ".yaml";
    std::ofstream(path) << yaml;
    EngineOptions o;
    o.rule_paths = {path};
    std::vector<Diagnostic> local;
    auto engine = Engine::Load(o, diags ? diags : &local);
    if (!diags) {
      for (const auto& d : local) ADD_FAILURE() << d.ToString();
    }
    return engine;
  }

  // rule id -> result for one object (synthetic CREATE unless `request` is given).
  std::map<std::string, RuleResult> Eval(const Engine& e, const std::string& object_json,
                                         const std::string& request_json = "", ResourceEvaluation* out = nullptr) {
    aimsgate::JsonDocument obj, req;
    obj.Parse(object_json.c_str());
    EXPECT_FALSE(obj.HasParseError()) << object_json;
    EvalRequest r;
    if (!request_json.empty()) {
      req.Parse(request_json.c_str());
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

std::string Deployment(const std::string& ns, int replicas, const std::string& labels = "{}") {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":")" + ns +
         R"(","labels":)" + labels + R"(},"spec":{"replicas":)" + std::to_string(replicas) + "}}";
}

// The documentation's replica-limit policy, with params and a namespaceSelector binding.
constexpr char kReplicaLimit[] = R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicalimit-policy.example.com}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: rules.example.com/v1, kind: ReplicaLimit}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= params.maxReplicas"
    messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
    reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replicalimit-binding-test.example.com}
spec:
  policyName: replicalimit-policy.example.com
  validationActions: [Deny]
  paramRef: {name: replica-limit-test.example.com, namespace: default, parameterNotFoundAction: NOT_FOUND}
  matchResources:
    namespaceSelector:
      matchLabels: {environment: test}
---
apiVersion: rules.example.com/v1
kind: ReplicaLimit
metadata: {name: PARAM_NAME, namespace: default}
maxReplicas: 3
---
apiVersion: v1
kind: Namespace
metadata: {name: staging, labels: {environment: test}}
)Y";

std::string ReplicaLimit(const std::string& param_name = "replica-limit-test.example.com",
                         const std::string& not_found = "Deny") {
  std::string s = kReplicaLimit;
  s.replace(s.find("PARAM_NAME"), 10, param_name);
  s.replace(s.find("NOT_FOUND"), 9, not_found);
  return s;
}

constexpr char kRule[] = "replicalimit-policy.example.com/validation-0";

TEST_F(VapTest, ParamsBindingAndNamespaceSelectorDecideAsTheDocumentationSays) {
  auto engine = Load(ReplicaLimit());
  ASSERT_TRUE(engine);
  ResourceEvaluation ev;
  auto over = Eval(*engine, Deployment("staging", 5), "", &ev);
  ASSERT_EQ(over.count(kRule), 1u);
  EXPECT_EQ(over[kRule].result, Outcome::kFail);
  EXPECT_EQ(over[kRule].message, "object.spec.replicas must be no greater than 3");
  EXPECT_TRUE(ev.denied());
  EXPECT_EQ(Eval(*engine, Deployment("staging", 3))[kRule].result, Outcome::kPass);
  // Not in a namespace labelled environment=test: the binding does not match.
  EXPECT_EQ(Eval(*engine, Deployment("prod", 50)).count(kRule), 0u);
  // Not a deployment: matchConstraints do not match.
  EXPECT_EQ(Eval(*engine, R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s","namespace":"staging"},"spec":{"replicas":9}})")
                .count(kRule), 0u);
}

TEST_F(VapTest, ParameterNotFoundDeniesOrAllows) {
  auto deny = Load(ReplicaLimit("another-name", "Deny"));
  ASSERT_TRUE(deny);
  auto m = Eval(*deny, Deployment("staging", 1));
  ASSERT_EQ(m.count("replicalimit-policy.example.com/params-not-found"), 1u);
  EXPECT_EQ(m["replicalimit-policy.example.com/params-not-found"].result, Outcome::kFail);
  auto allow = Load(ReplicaLimit("another-name", "Allow"));
  ASSERT_TRUE(allow);
  EXPECT_TRUE(Eval(*allow, Deployment("staging", 99)).empty());
}

TEST_F(VapTest, SelectorPicksEveryMatchingParamAndNamespacedParamsServeTheirNamespace) {
  auto engine = Load(R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]}
  validations:
  - expression: "object.spec.replicas <= int(params.data.max)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: {selector: {matchLabels: {kind: replica-limit}}, parameterNotFoundAction: Deny}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: small, namespace: team-a, labels: {kind: replica-limit}}
data: {max: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: large, namespace: team-b, labels: {kind: replica-limit}}
data: {max: "10"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated, namespace: team-a}
data: {max: "0"}
)Y");
  ASSERT_TRUE(engine);
  auto a = Eval(*engine, Deployment("team-a", 5));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a["limit#team-a/small/validation-0"].result, Outcome::kFail);
  auto b = Eval(*engine, Deployment("team-b", 5));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b["limit#team-b/large/validation-0"].result, Outcome::kPass);
}

TEST_F(VapTest, ActionsConditionsVariablesExclusionsAndSelectors) {
  auto engine = Load(R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
    excludeResourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments], resourceNames: [excluded]}]
    objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}
  matchConditions:
  - {name: not-dry-run, expression: "!request.dryRun"}
  variables:
  - {name: replicas, expression: "has(object.spec.replicas) ? object.spec.replicas : 1"}
  - {name: doubled, expression: "variables.replicas * 2"}
  validations:
  - expression: "variables.doubled <= 10"
    message: "variables.doubled is not a variable inside a message {{ or an interpolation }}"
  - expression: "object.metadata.name.startsWith('web')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: warn}
spec: {policyName: p, validationActions: [Warn, Audit]}
)Y");
  ASSERT_TRUE(engine);
  ResourceEvaluation ev;
  auto m = Eval(*engine, Deployment("x", 6), "", &ev);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m["p/validation-0"].result, Outcome::kFail);
  EXPECT_EQ(m["p/validation-0"].action, Action::kWarn);
  EXPECT_EQ(m["p/validation-0"].message, "variables.doubled is not a variable inside a message {{ or an interpolation }}");
  EXPECT_EQ(m["p/validation-1"].result, Outcome::kPass);
  EXPECT_TRUE(ev.warned());
  EXPECT_FALSE(ev.denied());
  EXPECT_EQ(Eval(*engine, Deployment("x", 5))["p/validation-0"].result, Outcome::kPass);
  // objectSelector and excludeResourceRules remove the object; a false matchCondition skips it.
  EXPECT_TRUE(Eval(*engine, Deployment("x", 9, R"({"skip":"yes"})")).empty());
  std::string excluded = Deployment("x", 9);
  excluded.replace(excluded.find("\"web\""), 5, "\"excluded\"");
  EXPECT_TRUE(Eval(*engine, excluded).empty());
  auto dry = Eval(*engine, Deployment("x", 9), R"({"operation":"CREATE","dryRun":true,"userInfo":{"username":"u"}})");
  EXPECT_EQ(dry["p/validation-0"].result, Outcome::kSkip);
  // DELETE is not among the operations.
  EXPECT_TRUE(Eval(*engine, Deployment("x", 9), R"({"operation":"DELETE","dryRun":false})").empty());
}

TEST_F(VapTest, FailurePolicyDecidesOnErrors) {
  const std::string policy = R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  failurePolicy: POLICY
  matchConstraints: {resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]}
  validations:
  - expression: "object.spec.missing.field == 1"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Deny]}
)Y";
  for (const std::string fp : {"Fail", "Ignore"}) {
    std::string text = policy;
    text.replace(text.find("POLICY"), 6, fp);
    auto engine = Load(text);
    ASSERT_TRUE(engine);
    ResourceEvaluation ev;
    auto m = Eval(*engine, Deployment("x", 1), "", &ev);
    EXPECT_EQ(m["p/validation-0"].result, Outcome::kError);
    EXPECT_EQ(ev.denied(), fp == "Fail") << fp;
  }
}

TEST_F(VapTest, NamespaceObjectAndRequestAreTheDocumentedVariables) {
  auto engine = Load(R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}]}
  validations:
  - expression: "namespaceObject.metadata.labels.team == object.metadata.labels.team"
    messageExpression: "'team must be ' + namespaceObject.metadata.labels.team"
  - expression: "request.resource.resource == 'deployments' && request.kind.kind == 'Deployment' && request.operation == 'CREATE'"
  - expression: "params == null"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Deny]}
---
apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {team: payments}}
)Y");
  ASSERT_TRUE(engine);
  auto m = Eval(*engine, Deployment("payments", 1, R"({"team":"billing"})"));
  EXPECT_EQ(m["p/validation-0"].result, Outcome::kFail);
  EXPECT_EQ(m["p/validation-0"].message, "team must be payments");
  EXPECT_EQ(m["p/validation-1"].result, Outcome::kPass);
  EXPECT_EQ(m["p/validation-2"].result, Outcome::kPass);
}

TEST_F(VapTest, AuditAnnotationsAreRecordedNotDecided) {
  auto engine = Load(R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}]}
  auditAnnotations:
  - {key: high-replica-count, valueExpression: "object.spec.replicas > 3 ? 'replicas: ' + string(object.spec.replicas) : null"}
  - {key: broken, valueExpression: "object.spec.missing.field"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Audit]}
)Y");
  ASSERT_TRUE(engine);
  ResourceEvaluation ev;
  EXPECT_TRUE(Eval(*engine, Deployment("x", 5), "", &ev).empty());  // no rule results, no decision
  ASSERT_EQ(ev.audit_annotations.size(), 1u);
  EXPECT_EQ(ev.audit_annotations[0].first, "p/high-replica-count");
  EXPECT_EQ(ev.audit_annotations[0].second, "replicas: 5");
  EXPECT_FALSE(ev.denied());
  Eval(*engine, Deployment("x", 2), "", &ev);
  EXPECT_TRUE(ev.audit_annotations.empty());  // null omits the key
  EXPECT_TRUE(engine->rules().empty());        // not listed as rules
}

TEST_F(VapTest, LoadErrorsAndWarningsAreLocated) {
  std::vector<Diagnostic> diags;
  // A policy without binding is inert: a warning, the load succeeds.
  auto inert = Load(R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: lonely}
spec:
  validations: [{expression: "false"}]
)Y", &diags);
  ASSERT_TRUE(inert);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].level, Diagnostic::Level::kWarning);
  EXPECT_NE(diags[0].message.find("no ValidatingAdmissionPolicyBinding"), std::string::npos);
  EXPECT_TRUE(Eval(*inert, Deployment("x", 1)).empty());

  diags.clear();
  EXPECT_FALSE(Load(R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: missing, validationActions: [Deny]}
)Y", &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("'missing'"), std::string::npos);
  EXPECT_EQ(diags[0].line, 4);

  diags.clear();  // authorizer is not available offline: a compile error that names it
  EXPECT_FALSE(Load(R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  validations:
  - expression: "authorizer.group('apps').resource('deployments').check('create').allowed()"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Deny]}
)Y", &diags));
  bool named = false;
  for (const auto& d : diags) {
    named |= d.message.find("undeclared reference to 'authorizer'") != std::string::npos && d.line == 6 && d.column == 18;
  }
  EXPECT_TRUE(named);
}

TEST_F(VapTest, MalformedShapesAreLocatedErrorsNotCrashes) {
  const std::string binding = R"Y(
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Deny]}
)Y";
  struct Case {
    const char* spec;
    const char* error;
  } cases[] = {
      {"spec: {validations: [{}]}", "validation 0 has no expression"},
      {"spec: {matchConstraints: {resourceRules: x}, validations: [{expression: 'true'}]}", "resourceRules must be a list"},
      {"spec: {auditAnnotations: [{key: k}]}", "auditAnnotation needs key and valueExpression"},
      {"spec: 5", "without spec"},
  };
  for (const auto& c : cases) {
    std::vector<Diagnostic> diags;
    const std::string text = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n"
                             "metadata: {name: p}\n" + std::string(c.spec) + binding;
    EXPECT_FALSE(Load(text, &diags)) << c.spec;
    std::string all;
    for (const auto& d : diags) all += d.ToString() + "\n";
    EXPECT_NE(all.find(c.error), std::string::npos) << c.spec << "\n" << all;
    EXPECT_GT(diags.empty() ? 0 : diags[0].line, 0) << all;
  }
  std::vector<Diagnostic> diags;  // a binding whose spec is a scalar
  EXPECT_FALSE(Load("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                    "metadata: {name: b}\nspec: 3\n", &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("without spec"), std::string::npos);
}

// Params are activation values: 40 params objects give 40 packs (one decision
// each, as before) but the policy is compiled once.
TEST_F(VapTest, ManyParamsObjectsCompileThePolicyOnce) {
  const std::string policy = R"Y(
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]}
  matchConditions: [{name: has-replicas, expression: "has(object.spec.replicas)"}]
  variables: [{name: max, expression: "int(params.data.max)"}]
  validations:
  - expression: "object.spec.replicas <= variables.max"
    messageExpression: "'at most ' + string(variables.max)"
  - expression: "object.metadata.name != params.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: {selector: {matchLabels: {kind: replica-limit}}, parameterNotFoundAction: Deny}
)Y";
  auto params = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      out += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: limit-" + std::to_string(i) +
             ", namespace: team-" + std::to_string(i % 4) + ", labels: {kind: replica-limit}}\ndata: {max: \"" +
             std::to_string(i) + "\"}\n";
    }
    return out;
  };
  auto one = Load(policy + params(1));
  auto many = Load(policy + params(40));
  ASSERT_TRUE(one && many);
  EXPECT_EQ(many->packs().size(), 40u);
  EXPECT_GT(one->compiled_expressions(), 0u);
  EXPECT_EQ(many->compiled_expressions(), one->compiled_expressions());
  // Each params object still decides for its own namespace, with its own values.
  auto ev = Eval(*many, Deployment("team-1", 20));
  ASSERT_EQ(ev.size(), 20u);  // limit-1, -5, ... -37: two validations each
  for (int i = 1; i < 40; i += 4) {
    const std::string pack = "limit#team-1/limit-" + std::to_string(i);
    const RuleResult& r = ev[pack + "/validation-0"];
    EXPECT_EQ(r.result, i >= 20 ? Outcome::kPass : Outcome::kFail) << pack;
    if (i < 20) {
      EXPECT_EQ(r.message, "at most " + std::to_string(i)) << pack;
    }
    EXPECT_EQ(ev[pack + "/validation-1"].result, Outcome::kPass) << pack;
  }
  // The same decisions as a policy bound to one params object at a time.
  auto single = Load(policy + params(40).substr(0, params(6).size()));
  ASSERT_TRUE(single);
  auto five = Eval(*single, Deployment("team-1", 3));
  EXPECT_EQ(five["limit#team-1/limit-1/validation-0"].result, Outcome::kFail);
  EXPECT_EQ(five["limit#team-1/limit-5/validation-0"].result, Outcome::kPass);
  EXPECT_EQ(Eval(*many, Deployment("team-1", 3))["limit#team-1/limit-5/validation-0"].result, Outcome::kPass);
}

// A malformed selector in a policy, a binding or a paramRef is a load error at the expression.
TEST_F(VapTest, MalformedSelectorsAreLocatedLoadErrors) {
  struct Case {
    const char* selector;
    const char* error;
    int line;
  } cases[] = {
      {"{matchExpressions: [{key: a, operator: Equals, values: [x]}]}",
       "objectSelector: invalid operator 'Equals' (expected In, NotIn, Exists or DoesNotExist)", 7},
      {"{matchExpressions: [{key: a, operator: Exists, values: [x]}]}", "objectSelector: operator Exists takes no values", 7},
      {"{matchExpressions: [{key: a, operator: In}]}", "objectSelector: operator In needs a non-empty values list", 7},
  };
  for (const auto& c : cases) {
    std::vector<Diagnostic> diags;
    const std::string text = std::string("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n") +
                             "metadata: {name: p}\nspec:\n  validations: [{expression: 'true'}]\n  matchConstraints:\n" +
                             "    objectSelector: " + c.selector +
                             "\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\n"
                             "metadata: {name: b}\nspec:\n  policyName: p\n  validationActions: [Deny]\n"
                             "  matchResources: {namespaceSelector: " + c.selector + "}\n";
    EXPECT_FALSE(Load(text, &diags)) << c.selector;
    std::string all;
    for (const auto& d : diags) all += d.ToString() + "\n";
    ASSERT_EQ(diags.size(), 2u) << all;
    EXPECT_EQ(diags[0].message, c.error) << all;
    EXPECT_EQ(diags[0].line, c.line) << all;
    EXPECT_GT(diags[0].column, 20) << all;
    EXPECT_EQ(diags[1].message, "namespaceSelector" + std::string(c.error).substr(14)) << all;
    EXPECT_EQ(diags[1].line, 15) << all;
  }
  std::vector<Diagnostic> diags;  // paramRef.selector
  std::string text = ReplicaLimit();
  text.replace(text.find("paramRef: {name: replica-limit-test.example.com,"), 48,
               "paramRef: {selector: {matchExpressions: [{key: a, operator: DoesNotExist, values: [b]}]},");
  EXPECT_FALSE(Load(text, &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags[0].message, "paramRef.selector: operator DoesNotExist takes no values");
  EXPECT_EQ(diags[0].line, 22);
}

TEST(VapRewrite, VariablesOutsideStringLiterals) {
  EXPECT_EQ(RewriteVariables("variables.a + variables.b_2"),
            VariableHelper("a") + "(object) + " + VariableHelper("b_2") + "(object)");
  EXPECT_EQ(RewriteVariables("'variables.a' + \"x variables.b\" + '''variables.c'''"),
            "'variables.a' + \"x variables.b\" + '''variables.c'''");
  EXPECT_EQ(RewriteVariables("object.variables.a"), "object.variables.a");
  EXPECT_EQ(RewriteVariables("myvariables.a"), "myvariables.a");
}

}  // namespace
}  // namespace aimsgate
