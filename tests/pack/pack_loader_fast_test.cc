// The built-in packs' libyaml loader (pack_loader_fast.h) against LoadPackSpecs:
// the same PackSpecs, field by field, for every built-in pack; and every file it
// does not reproduce goes back to LoadPackSpecs, diagnostics and all.
#include <gtest/gtest.h>

#include <filesystem>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/pack_loader.h"
#include "evaluator/pack/pack_loader_fast.h"

namespace aimsgate {
namespace {

std::string Pos(const SourcePos& p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

void ExpectSameExpr(const ExprText& a, const ExprText& b, const std::string& where) {
  EXPECT_EQ(a.text, b.text) << where;
  ASSERT_EQ(a.segments.size(), b.segments.size()) << where;
  for (size_t i = 0; i < a.segments.size(); ++i) {
    EXPECT_EQ(a.segments[i].offset, b.segments[i].offset) << where << " segment " << i;
    EXPECT_EQ(Pos(a.segments[i].pos), Pos(b.segments[i].pos)) << where << " segment " << i;
  }
}

void ExpectSameJson(const std::shared_ptr<aimsgate::JsonDocument>& a, const std::shared_ptr<aimsgate::JsonDocument>& b,
                    const std::string& where) {
  ASSERT_EQ(a == nullptr, b == nullptr) << where;
  if (a) {
    EXPECT_TRUE(*a == *b) << where;
  }
}

void ExpectSameLabels(const std::vector<LabelRequirement>& a, const std::vector<LabelRequirement>& b,
                      const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key) << where;
    EXPECT_EQ(a[i].op, b[i].op) << where;
    EXPECT_EQ(a[i].values, b[i].values) << where;
  }
}

void ExpectSameRule(const RuleSpec& a, const RuleSpec& b) {
  const std::string w = "rule " + a.id;
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title) << w;
  EXPECT_EQ(a.description, b.description) << w;
  EXPECT_EQ(a.controls, b.controls) << w;
  EXPECT_EQ(a.framework_controls, b.framework_controls) << w;
  EXPECT_EQ(a.applies_from, b.applies_from) << w;
  EXPECT_EQ(a.applies_from_unix, b.applies_from_unix) << w;
  EXPECT_EQ(a.severity, b.severity) << w;
  EXPECT_EQ(a.action, b.action) << w;
  ASSERT_EQ(a.match.kinds.size(), b.match.kinds.size()) << w;
  for (size_t i = 0; i < a.match.kinds.size(); ++i) {
    EXPECT_EQ(a.match.kinds[i].group, b.match.kinds[i].group) << w;
    EXPECT_EQ(a.match.kinds[i].version, b.match.kinds[i].version) << w;
    EXPECT_EQ(a.match.kinds[i].kind, b.match.kinds[i].kind) << w;
  }
  EXPECT_EQ(a.match.namespaces_include, b.match.namespaces_include) << w;
  EXPECT_EQ(a.match.namespaces_exclude, b.match.namespaces_exclude) << w;
  ExpectSameLabels(a.match.label_selector, b.match.label_selector, w);
  EXPECT_EQ(a.match.admission.size(), b.match.admission.size()) << w;
  ExpectSameExpr(a.match.when, b.match.when, w + " match.when");
  ExpectSameExpr(a.assert_expr, b.assert_expr, w + " assert");
  EXPECT_EQ(a.message, b.message) << w;
  EXPECT_EQ(Pos(a.message_pos), Pos(b.message_pos)) << w;
  ExpectSameExpr(a.message_expression, b.message_expression, w + " messageExpression");
  EXPECT_EQ(a.remediation, b.remediation) << w;
  EXPECT_EQ(Pos(a.pos), Pos(b.pos)) << w;
  ASSERT_EQ(a.variables.size(), b.variables.size()) << w;
  for (size_t i = 0; i < a.variables.size(); ++i) {
    EXPECT_EQ(a.variables[i].name, b.variables[i].name) << w;
    EXPECT_EQ(Pos(a.variables[i].pos), Pos(b.variables[i].pos)) << w;
    ExpectSameExpr(a.variables[i].expression, b.variables[i].expression, w + " variable " + a.variables[i].name);
  }
  ExpectSameJson(a.parameters, b.parameters, w + " parameters");
  EXPECT_EQ(a.audit_annotation_key, b.audit_annotation_key) << w;
}

void ExpectSamePacks(const std::vector<PackSpec>& fast, const std::vector<PackSpec>& slow) {
  ASSERT_EQ(fast.size(), slow.size());
  for (size_t p = 0; p < fast.size(); ++p) {
    const PackSpec &a = fast[p], &b = slow[p];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.failure_policy_fail, b.failure_policy_fail);
    ExpectSameJson(a.parameters, b.parameters, "pack parameters");
    ASSERT_EQ(a.functions.size(), b.functions.size());
    for (size_t i = 0; i < a.functions.size(); ++i) {
      EXPECT_EQ(a.functions[i].name, b.functions[i].name);
      EXPECT_EQ(a.functions[i].params, b.functions[i].params);
      EXPECT_EQ(Pos(a.functions[i].pos), Pos(b.functions[i].pos)) << a.functions[i].name;
      ExpectSameExpr(a.functions[i].expression, b.functions[i].expression, "function " + a.functions[i].name);
    }
    ASSERT_EQ(a.rules.size(), b.rules.size());
    for (size_t i = 0; i < a.rules.size(); ++i) ExpectSameRule(a.rules[i], b.rules[i]);
    EXPECT_EQ(a.digest.value(), b.digest.value());
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(Pos(a.pos), Pos(b.pos));
    EXPECT_EQ(a.namespaces, b.namespaces);
    EXPECT_EQ(a.program_key, b.program_key);
  }
}

TEST(PackLoaderFast, EveryBuiltinPackLoadsAsWithYamlCpp) {
  ASSERT_FALSE(BuiltinPackNames().empty());
  for (const auto& name : BuiltinPackNames()) {
    SCOPED_TRACE(name);
    auto file = BuiltinPackSource(name);
    ASSERT_TRUE(file);
    std::vector<PackSpec> fast;
    ASSERT_TRUE(LoadPackSpecsFast(file, &fast)) << "the fast path must take every built-in pack";
    std::vector<Diagnostic> diags;
    std::vector<PackSpec> slow = LoadPackSpecs(file, &diags);
    EXPECT_TRUE(diags.empty());
    ASSERT_FALSE(slow.empty());
    ExpectSamePacks(fast, slow);
    std::vector<Diagnostic> builtin_diags;
    ExpectSamePacks(LoadBuiltinPackSpecs(file, &builtin_diags), slow);
    EXPECT_TRUE(builtin_diags.empty());
  }
}

constexpr char kPack[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata:
  name: t
  description: "quoted — with a multi-byte dash"
spec:
  parameters:
    prefix: aimsgate.io/
    tiers: [high, "1", 2, ~, null, true]
    empty:
  functions:
  - name: owner
    params: [o]
    expression: >-
      has(o.metadata.labels) &&
      o.metadata.labels.exists(k, k.startsWith(params.prefix))
  rules:
  - id: owner-assigned
    title: 'Owner — single quoted'
    controls: {iso42001: [A.3.2], eu-ai-act: ["Art. 26(2)"]}
    severity: high
    action: warn
    appliesFrom: "2025-08-02"
    match:
      kinds: [apps/v1/Deployment, Pod]
      namespaces: {include: [prod-*], exclude: [kube-system]}
      labelSelector:
        matchLabels: {tier: ml}
        matchExpressions:
        - {key: app, operator: In, values: [a, b]}
      when: object.metadata.name != ''
    variables:
    - name: labels
      expression: "object.metadata.labels"
    parameters:
      minReplicas: 2
    assert: |
      variables.labels.size() > 0 &&
        owner(object)
    message: "owner missing on {{object.metadata.name}}"
    remediation: add it
)Y";

// Both loaders on `text`: the fast one takes it, and gives yaml-cpp's packs.
void ExpectFastReproducesYamlCpp(const std::string& text) {
  auto file = SourceFile::FromString("p.yaml", text);
  std::vector<PackSpec> fast;
  ASSERT_TRUE(LoadPackSpecsFast(file, &fast));
  std::vector<Diagnostic> diags;
  std::vector<PackSpec> slow = LoadPackSpecs(file, &diags);
  ASSERT_TRUE(diags.empty()) << diags[0].ToString();
  ExpectSamePacks(fast, slow);
}

TEST(PackLoaderFast, ReproducesYamlCppOnEveryScalarStyle) { ExpectFastReproducesYamlCpp(kPack); }

// Marks of an all-ASCII text are converted without walking the characters
// (lite_yaml.cc): the same pack with ASCII dashes gives yaml-cpp's positions.
TEST(PackLoaderFast, ReproducesYamlCppOnAnAsciiPack) {
  std::string text = kPack;
  for (size_t at; (at = text.find("\xE2\x80\x94")) != std::string::npos;) text.replace(at, 3, "--");
  ASSERT_EQ(text.find_first_of("\x80\xE2"), std::string::npos);
  ExpectFastReproducesYamlCpp(text);
}

// The fast path writes the digest's canonical JSON straight from the libyaml
// tree (pack_loader.cc): every kind of scalar, key order and nesting must hash
// as the JSON document yaml-cpp's path builds does.
TEST(PackLoaderFast, DigestsEveryScalarKindAsWithYamlCpp) {
  constexpr char kScalars[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata:
  name: s
  version: "1.0"
  description: "tab\there, quote \" and \\ \u00e9 \u0001"
  annotations: {nan: .nan, NaN: .NaN}  # in the digest only: NaN parameters would never compare equal
spec:
  parameters:
    zeta: 1
    Alpha: [0.5, -3, 18446744073709551615, -9223372036854775808, 1e3, 2.50, .inf, -.Inf, 0x1F, 0o17, 017]
    alpha: {b: yes, a: No, c: on, d: OFF, e: ~, f: null, g: "", h: 'single', i: "007"}
    "": empty key
    beta:
      - - [deep, {z: 1, y: [2, {x: 3}]}]
      - |
        block
        text
      - >-
        folded
        text
    long: 123456789012345678901234567890
  rules:
  - id: r
    assert: "true"
)Y";
  auto file = SourceFile::FromString("s.yaml", kScalars);
  std::vector<PackSpec> fast;
  ASSERT_TRUE(LoadPackSpecsFast(file, &fast));
  std::vector<Diagnostic> diags;
  std::vector<PackSpec> slow = LoadPackSpecs(file, &diags);
  ASSERT_TRUE(diags.empty()) << diags[0].ToString();
  ASSERT_EQ(fast.size(), 1u);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(fast[0].digest.value(), slow[0].digest.value());
  ExpectSamePacks(fast, slow);
}

// Whatever the fast path does not take, LoadBuiltinPackSpecs reads with
// LoadPackSpecs: the same diagnostics, at the same file:line:col.
TEST(PackLoaderFast, FallsBackToYamlCppWithItsDiagnostics) {
  const std::string base = kPack;
  const std::vector<std::string> texts = {
      base + "    unknown: field\n",                                      // a diagnostic
      base + "  - id: owner-assigned\n    assert: 'true'\n",               // duplicate rule id
      base + "  - id: [\n",                                              // a YAML syntax error
      base + "  - &a {id: x, assert: 'true'}\n",                         // an anchor
      base + "  - !!map {id: y, assert: 'true'}\n",                      // a tag
      base + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",  // not a RulePack
      std::string("\xEF\xBB\xBF") + base,                                  // a byte-order mark
      "apiVersion: aimsgate.io/v1alpha1\r\nkind: RulePack\r\n",            // \r\n line breaks
      "spec: x\nmetadata: {name: t}\nkind: RulePack\n<<: {a: b}\n",        // a merge key
      "kind: RulePack\nspec: scalar\nmetadata: {name: [x]}\n",
  };
  for (const auto& text : texts) {
    SCOPED_TRACE(text.substr(text.size() > 60 ? text.size() - 60 : 0));
    auto file = SourceFile::FromString("p.yaml", text);
    std::vector<PackSpec> fast;
    EXPECT_FALSE(LoadPackSpecsFast(file, &fast));
    std::vector<Diagnostic> slow_diags, builtin_diags;
    std::vector<PackSpec> slow = LoadPackSpecs(file, &slow_diags);
    std::vector<PackSpec> builtin = LoadBuiltinPackSpecs(file, &builtin_diags);
    ASSERT_EQ(builtin_diags.size(), slow_diags.size());
    for (size_t i = 0; i < slow_diags.size(); ++i) EXPECT_EQ(builtin_diags[i].ToString(), slow_diags[i].ToString());
    ExpectSamePacks(builtin, slow);
  }
}

// Beyond the built-in packs: every pack file of the repository (examples, test
// fixtures, the benchmark's) the fast path takes loads as with yaml-cpp, and it
// takes none that has a diagnostic.
TEST(PackLoaderFast, EveryPackOfTheRepositoryLoadsAsWithYamlCppOrIsLeftToIt) {
  namespace fs = std::filesystem;
  size_t taken = 0, clean = 0;
  for (const char* dir : {"rules", "examples", "tests/e2e/fixtures", "tests/export/testdata", "tests/cli/fixtures",
                          "tests/vap", "bench/micro"}) {
    const fs::path root = fs::path(AIMSGATE_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
      std::string error;
      auto file = SourceFile::Read(entry.path().string(), &error);
      ASSERT_TRUE(file) << error;
      if (file->text().find("RulePack") == std::string::npos) continue;
      SCOPED_TRACE(entry.path().string());
      std::vector<Diagnostic> diags;
      std::vector<PackSpec> slow = LoadPackSpecs(file, &diags);
      std::vector<PackSpec> fast;
      const bool took = LoadPackSpecsFast(file, &fast);
      if (!diags.empty()) {
        EXPECT_FALSE(took) << "the fast path took a file with diagnostics";
        continue;
      }
      if (slow.empty()) continue;
      ++clean;
      if (!took) continue;
      ++taken;
      ExpectSamePacks(fast, slow);
    }
  }
  EXPECT_GE(clean, 8u);
  EXPECT_EQ(taken, clean) << "a pack without diagnostics the fast path did not take";
}

}  // namespace
}  // namespace aimsgate
