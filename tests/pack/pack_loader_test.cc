// Rule-pack loading: every error is located at the exact file:line:col.
#include <gtest/gtest.h>

#include "evaluator/pack/engine.h"
#include "evaluator/pack/pack_loader.h"

namespace aimsgate {
namespace {

std::vector<Diagnostic> LoadErrors(const std::string& yaml, std::vector<PackSpec>* packs = nullptr) {
  std::vector<Diagnostic> diags;
  auto specs = LoadPackSpecs(SourceFile::FromString("p.yaml", yaml), &diags);
  if (packs) *packs = std::move(specs);
  return diags;
}

std::string Located(const Diagnostic& d) {
  return d.source + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message;
}

constexpr char kHeader[] = R"(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata:
  name: t
  version: 1.0.0
spec:
)";

TEST(PackLoader, LoadsAValidPack) {
  std::vector<PackSpec> packs;
  auto diags = LoadErrors(std::string(kHeader) + R"Y(  parameters:
    prefix: aimsgate.io/
    tiers: [high, "1"]
    count: 3
  rules:
  - id: owner-assigned
    title: Owner
    controls: ["A.3.2"]
    severity: high
    action: warn
    match:
      kinds: ["apps/v1/Deployment", "Pod", "v1/Service"]
      namespaces: {include: ["ml-*"], exclude: ["kube-system"]}
      labelSelector: {matchLabels: {app: x}, matchExpressions: [{key: tier, operator: In, values: [a]}]}
      when: "true"
    assert: "has(object.metadata)"
    message: "no owner on {{object.metadata.name}}"
    remediation: add it
)Y", &packs);
  ASSERT_TRUE(diags.empty()) << Located(diags[0]);
  ASSERT_EQ(packs.size(), 1u);
  const PackSpec& p = packs[0];
  EXPECT_EQ(p.name, "t");
  EXPECT_EQ(p.version, "1.0.0");
  ASSERT_EQ(p.rules.size(), 1u);
  const RuleSpec& r = p.rules[0];
  EXPECT_EQ(r.action, Action::kWarn);
  EXPECT_EQ(r.severity, Severity::kHigh);
  ASSERT_EQ(r.match.kinds.size(), 3u);
  EXPECT_EQ(r.match.kinds[0].group, "apps");
  EXPECT_EQ(r.match.kinds[1].group, "*");
  EXPECT_EQ(r.match.kinds[2].group, "");
  EXPECT_EQ(r.match.kinds[2].version, "v1");
  ASSERT_EQ(r.match.label_selector.size(), 2u);
  EXPECT_EQ(r.match.label_selector[0].op, "In");
  EXPECT_EQ(r.assert_expr.text, "has(object.metadata)");
  // assert: "has(...)" is on line 22; the expression starts after the quote.
  SourcePos pos = r.assert_expr.Locate(4);
  EXPECT_EQ(pos.line, 22);
  EXPECT_EQ(pos.column, 18);  // offset 4 is the "o" of object
  // Parameters keep Kubernetes typing: quoted "1" stays a string, 3 is an int.
  const auto& params = *p.parameters;
  EXPECT_TRUE(params["tiers"][1].IsString());
  EXPECT_TRUE(params["count"].IsInt64());
  EXPECT_EQ(p.digest.value().rfind("sha256:", 0), 0u);
  EXPECT_EQ(p.digest.value().size(), 7u + 64u);
}

TEST(PackLoader, DigestIgnoresFormattingButNotContent) {
  std::vector<PackSpec> a, b, c;
  std::string base = std::string(kHeader) + "  rules:\n  - id: r\n    assert: \"true\"\n";
  LoadErrors(base, &a);
  LoadErrors("# comment\n" + std::string(kHeader) + "  rules:\n  - {id: r, assert: 'true'}\n", &b);
  LoadErrors(std::string(kHeader) + "  rules:\n  - id: r\n    assert: \"false\"\n", &c);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(a[0].digest.value(), b[0].digest.value());
  EXPECT_NE(a[0].digest.value(), c[0].digest.value());
}

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::string expected;  // "line:col: message-substring"
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class PackLoaderErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(PackLoaderErrors, ReportsLocatedError) {
  const ErrorCase& c = GetParam();
  auto diags = LoadErrors(c.yaml);
  ASSERT_FALSE(diags.empty()) << "expected an error";
  std::string all;
  for (const auto& d : diags) all += Located(d) + "\n";
  size_t colon = c.expected.find(": ");
  std::string where = "p.yaml:" + c.expected.substr(0, colon) + ": ";
  std::string what = c.expected.substr(colon + 2);
  bool found = false;
  for (const auto& d : diags) {
    std::string l = Located(d);
    if (l.rfind(where, 0) == 0 && l.find(what) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "want " << where << "..." << what << "\ngot:\n" << all;
}

INSTANTIATE_TEST_SUITE_P(
    All, PackLoaderErrors,
    ::testing::Values(
        ErrorCase{"yaml_syntax", std::string(kHeader) + "  rules: [\n", "8:1: YAML syntax error"},
        ErrorCase{"unknown_top_field", std::string(kHeader) + "  rules: []\n  rulez: []\n", "8:3: unknown field 'rulez'"},
        ErrorCase{"unknown_rule_field",
                  std::string(kHeader) + "  rules:\n  - id: a\n    asert: \"true\"\n    assert: \"true\"\n",
                  "9:5: unknown field 'asert' in rule"},
        ErrorCase{"bad_severity",
                  std::string(kHeader) + "  rules:\n  - id: a\n    severity: urgent\n    assert: \"true\"\n",
                  "9:15: invalid severity 'urgent'"},
        ErrorCase{"bad_action", std::string(kHeader) + "  rules:\n  - id: a\n    action: block\n    assert: \"true\"\n",
                  "9:13: invalid action 'block'"},
        ErrorCase{"missing_assert", std::string(kHeader) + "  rules:\n  - id: a\n    title: x\n",
                  "8:5: missing required field 'assert'"},
        ErrorCase{"duplicate_id",
                  std::string(kHeader) + "  rules:\n  - id: a\n    assert: \"true\"\n  - id: a\n    assert: \"true\"\n",
                  "10:9: duplicate rule id 'a'"},
        ErrorCase{"bad_kind",
                  std::string(kHeader) + "  rules:\n  - id: a\n    match: {kinds: [\"a/b/c/d\"]}\n    assert: \"true\"\n",
                  "9:21: invalid kind 'a/b/c/d'"},
        ErrorCase{"bad_operator",
                  std::string(kHeader) +
                      "  rules:\n  - id: a\n    match:\n      labelSelector:\n        matchExpressions:\n"
                      "        - {key: k, operator: Is, values: [x]}\n    assert: \"true\"\n",
                  "12:30: invalid operator 'Is'"},
        ErrorCase{"bad_api_version", "apiVersion: v2\nkind: RulePack\nmetadata: {name: t}\nspec: {rules: []}\n",
                  "1:13: unsupported apiVersion 'v2'"},
        ErrorCase{"not_a_pack", "apiVersion: v1\nkind: ConfigMap\n", "1:1: document of kind 'ConfigMap' is not a RulePack"},
        ErrorCase{"missing_name", "apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {version: 1}\nspec: {rules: []}\n",
                  "3:11: missing required field 'name'"},
        ErrorCase{"bad_failure_policy", std::string(kHeader) + "  failurePolicy: Maybe\n  rules: []\n",
                  "7:18: invalid failurePolicy 'Maybe'"},
        ErrorCase{"message_and_expression",
                  std::string(kHeader) +
                      "  rules:\n  - id: a\n    assert: \"true\"\n    message: m\n    messageExpression: \"'m'\"\n",
                  "11:24: either 'message' or 'messageExpression'"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

// yaml-cpp shares an aliased node; the pack's parameters and digest copy it each time.
// Few aliases to a long string would copy gigabytes: a located error instead.
TEST(PackLoader, AliasCopiesOfLongTextAreBounded) {
  const std::string big(1 << 20, 'A');
  std::string aliases;
  for (int i = 0; i < 70; ++i) aliases += i ? ", *b" : "*b";
  auto diags = LoadErrors(std::string(kHeader) + "  parameters:\n    b: &b \"" + big + "\"\n    l: [" + aliases +
                          "]\n  rules:\n  - id: r\n    controls: [\"A.3.2\"]\n    severity: low\n    action: deny\n"
                          "    match: {kinds: [\"*\"]}\n    assert: \"true\"\n    message: m\n");
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("MiB of text after alias expansion"), std::string::npos) << Located(diags[0]);
  EXPECT_GT(diags[0].line, 0);
  // Sixty copies stay under the cap and load.
  aliases.clear();
  for (int i = 0; i < 60; ++i) aliases += i ? ", *b" : "*b";
  auto ok = LoadErrors(std::string(kHeader) + "  parameters:\n    b: &b \"" + big + "\"\n    l: [" + aliases +
                       "]\n  rules:\n  - id: r\n    controls: [\"A.3.2\"]\n    severity: low\n    action: deny\n"
                       "    match: {kinds: [\"*\"]}\n    assert: \"true\"\n    message: m\n");
  for (const auto& d : ok) EXPECT_EQ(d.message.find("alias expansion"), std::string::npos) << Located(d);
}

// yaml-cpp keeps both entries of a repeated key and node[key] answers the first:
// `action: deny` then `action: audit` loaded as deny, silently.  A located error now,
// at any depth.
TEST(PackLoader, ADuplicateKeyIsALocatedError) {
  auto diags = LoadErrors(std::string(kHeader) + "  rules:\n  - id: r\n    controls: [\"A.3.2\"]\n    severity: low\n"
                                                 "    action: deny\n    action: audit\n    match: {kinds: [\"*\"]}\n"
                                                 "    assert: \"true\"\n    message: m\n");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(Located(diags[0]), "p.yaml:12:5: YAML syntax error: duplicate key 'action' (first at line 11)");
  auto nested = LoadErrors(std::string(kHeader) + "  parameters:\n    m: {a: 1, b: 2, a: 3}\n  rules: []\n");
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_NE(nested[0].message.find("duplicate key 'a'"), std::string::npos) << Located(nested[0]);
}

TEST(KindPattern, Forms) {
  KindPattern k;
  ASSERT_TRUE(ParseKindPattern("serving.kserve.io/*/InferenceService", &k));
  EXPECT_EQ(k.group, "serving.kserve.io");
  EXPECT_EQ(k.version, "*");
  ASSERT_TRUE(ParseKindPattern("v1/Pod", &k));
  EXPECT_EQ(k.group, "");
  ASSERT_TRUE(ParseKindPattern("*", &k));
  EXPECT_EQ(k.kind, "*");
  EXPECT_FALSE(ParseKindPattern("", &k));
  EXPECT_FALSE(ParseKindPattern("a/b/c/d", &k));
  EXPECT_FALSE(ParseKindPattern("apps/v1/", &k));
}

TEST(BuiltinPack, LoadsAndCompiles) {
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(EngineOptions(), &diags);
  std::string all;
  for (const auto& d : diags) all += d.ToString() + "\n";
  ASSERT_NE(engine, nullptr) << all;
  ASSERT_EQ(engine->packs().size(), 1u);
  EXPECT_EQ(engine->packs()[0].name, "iso42001");
  EXPECT_GE(engine->rules().size(), 14u);
}

}  // namespace
}  // namespace aimsgate
