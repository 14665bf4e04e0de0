// The compiled matcher (evaluator/pack/matcher.h): every label-selector operator,
// kind wildcards through the group/kind index, namespaces, cluster-scoped objects,
// VAP match constraints, namespaces absent from the namespace index, malformed
// selectors, and no allocation while finding and deciding candidates (operator new
// is counted in this binary: allocation_counter.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/matcher.h"
#include "tests/pack/allocation_counter.h"

namespace aimsgate {
namespace {

KindPattern K(const std::string& group, const std::string& version, const std::string& kind) { return {group, version, kind}; }

aimsgate::JsonDocument Json(const char* text) {
  aimsgate::JsonDocument d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

// The rules (of `specs`) that match `o`, by index, in order.
std::vector<uint32_t> Matching(const Matcher& m, MatchObject o) {
  std::vector<uint32_t> out;
  for (const MatchCandidate& c : m.Candidates(o)) {
    if (m.Matches(c, &o)) out.push_back(c.rule);
  }
  return out;
}

Matcher Compile(const std::vector<MatchSpec>& specs, std::shared_ptr<const NamespaceIndex> ns = nullptr) {
  std::vector<const MatchSpec*> ptrs;
  for (const auto& s : specs) ptrs.push_back(&s);
  Matcher m;
  std::string error;
  EXPECT_TRUE(m.Compile(ptrs, std::move(ns), &error)) << error;
  return m;
}

MatchObject Obj(std::string_view group, std::string_view version, std::string_view kind, std::string_view ns = "ml",
                const aimsgate::JsonValue* labels = nullptr) {
  MatchObject o;
  o.group = group;
  o.version = version;
  o.kind = kind;
  o.ns = ns;
  o.name = "x";
  o.labels = labels;
  return o;
}

TEST(LabelSelector, EachOperator) {
  aimsgate::JsonDocument labels = Json(R"({"env":"prod","team":"ml","n":3})");
  struct Case {
    LabelRequirement req;
    bool expect;
  } cases[] = {
      {{"env", "In", {"prod", "staging"}}, true},
      {{"env", "In", {"dev"}}, false},
      {{"missing", "In", {"prod"}}, false},
      {{"env", "NotIn", {"dev"}}, true},
      {{"env", "NotIn", {"prod"}}, false},
      {{"missing", "NotIn", {"prod"}}, true},  // absent: not in any list
      {{"team", "Exists", {}}, true},
      {{"missing", "Exists", {}}, false},
      {{"team", "DoesNotExist", {}}, false},
      {{"missing", "DoesNotExist", {}}, true},
      {{"n", "Exists", {}}, true},   // a non-string value is present
      {{"n", "In", {"3"}}, false},  // and compares as no value
  };
  for (const auto& c : cases) {
    LabelSelector s;
    std::string error;
    ASSERT_TRUE(s.Compile({c.req}, &error)) << error;
    EXPECT_EQ(s.Matches(&labels), c.expect) << c.req.key << " " << c.req.op;
    // No labels at all: only NotIn and DoesNotExist hold.
    EXPECT_EQ(s.Matches(nullptr), c.req.op == "NotIn" || c.req.op == "DoesNotExist") << c.req.key << " " << c.req.op;
  }
}

TEST(LabelSelector, RequirementsAreAnded) {
  aimsgate::JsonDocument labels = Json(R"({"env":"prod","team":"ml"})");
  LabelSelector s;
  std::string error;
  ASSERT_TRUE(s.Compile({{"env", "In", {"prod"}}, {"team", "In", {"web"}}}, &error));
  EXPECT_FALSE(s.Matches(&labels));
  ASSERT_TRUE(s.Compile({{"env", "In", {"prod"}}, {"team", "Exists", {}}}, &error));
  EXPECT_TRUE(s.Matches(&labels));
  ASSERT_TRUE(s.Compile({}, &error));
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(s.Matches(nullptr));
}

TEST(LabelSelector, ImplicitNamespaceNameLabel) {
  LabelSelector s;
  std::string error;
  ASSERT_TRUE(s.Compile({{"kubernetes.io/metadata.name", "In", {"ml"}}}, &error));
  EXPECT_TRUE(s.Matches(nullptr, "ml"));
  EXPECT_FALSE(s.Matches(nullptr, "web"));
  EXPECT_FALSE(s.Matches(nullptr));
}

TEST(LabelSelector, MalformedRequirementsAreErrors) {
  struct Case {
    LabelRequirement req;
    const char* message;
    LabelSelector::Field where;
  } cases[] = {
      {{"a", "Equals", {"x"}}, "invalid operator 'Equals' (expected In, NotIn, Exists or DoesNotExist)", LabelSelector::Field::kOperator},
      {{"a", "In", {}}, "operator In needs a non-empty values list", LabelSelector::Field::kEntry},
      {{"a", "NotIn", {}}, "operator NotIn needs a non-empty values list", LabelSelector::Field::kEntry},
      {{"a", "Exists", {"x"}}, "operator Exists takes no values", LabelSelector::Field::kValues},
      {{"a", "DoesNotExist", {"x"}}, "operator DoesNotExist takes no values", LabelSelector::Field::kValues},
  };
  for (const auto& c : cases) {
    std::string error;
    LabelSelector::Field where{};
    EXPECT_FALSE(LabelSelector::Check(c.req, &error, &where));
    EXPECT_EQ(error, c.message);
    EXPECT_EQ(where, c.where) << c.message;
    LabelSelector s;
    size_t bad = 99;
    EXPECT_FALSE(s.Compile({{"ok", "Exists", {}}, c.req}, &error, &bad));
    EXPECT_EQ(bad, 1u);
  }
  // The matcher names the rule.
  std::vector<MatchSpec> specs(3);
  specs[2].admission.emplace_back().object_selector = {{"a", "Exists", {"x"}}};
  std::vector<const MatchSpec*> ptrs = {&specs[0], &specs[1], &specs[2]};
  Matcher m;
  std::string error;
  size_t bad = 99;
  EXPECT_FALSE(m.Compile(ptrs, nullptr, &error, &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_EQ(error, "objectSelector: operator Exists takes no values");
}

TEST(Matcher, KindsAndWildcards) {
  std::vector<MatchSpec> specs(11);
  specs[0].kinds = {K("apps", "v1", "Deployment")};
  specs[1].kinds = {K("apps", "*", "Deployment")};
  specs[2].kinds = {K("*", "*", "Deployment")};
  specs[3].kinds = {K("apps", "*", "*")};
  specs[4].kinds = {K("*", "*", "*")};
  specs[5] = {};  // no kinds: every kind
  specs[6].kinds = {K("", "v1", "Pod"), K("batch", "v1", "Job")};
  specs[7].kinds = {K("*.kserve.io", "*", "Inference*")};
  specs[8].kinds = {K("apps", "v1", "Stateful?et")};
  // Same group and kind, several versions: the index leaves only the version to check.
  specs[9].kinds = {K("apps", "v1", "Deployment"), K("apps", "v1beta2", "Deployment")};
  specs[10].kinds = {K("apps", "v1beta?", "Deployment")};
  Matcher m = Compile(specs);
  using V = std::vector<uint32_t>;
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment")), (V{0, 1, 2, 3, 4, 5, 9}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1beta1", "Deployment")), (V{1, 2, 3, 4, 5, 10}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1beta2", "Deployment")), (V{1, 2, 3, 4, 5, 9, 10}));
  EXPECT_EQ(Matching(m, Obj("apps", "v2", "Deployment")), (V{1, 2, 3, 4, 5}));
  EXPECT_EQ(Matching(m, Obj("extensions", "v1beta1", "Deployment")), (V{2, 4, 5}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "StatefulSet")), (V{3, 4, 5, 8}));
  EXPECT_EQ(Matching(m, Obj("apps", "v2", "StatefulSet")), (V{3, 4, 5}));
  EXPECT_EQ(Matching(m, Obj("", "v1", "Pod")), (V{4, 5, 6}));
  EXPECT_EQ(Matching(m, Obj("", "v2", "Pod")), (V{4, 5}));
  EXPECT_EQ(Matching(m, Obj("batch", "v1", "Job")), (V{4, 5, 6}));
  EXPECT_EQ(Matching(m, Obj("", "v1", "Job")), (V{4, 5}));  // Job names group batch
  EXPECT_EQ(Matching(m, Obj("serving.kserve.io", "v1beta1", "InferenceService")), (V{4, 5, 7}));
  EXPECT_EQ(Matching(m, Obj("example.com", "v1", "Widget")), (V{4, 5}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Widget")), (V{3, 4, 5}));
  // The index hands out no rule that cannot match: a Pod sees neither the
  // Deployment rules nor the apps/* one.
  MatchObject pod = Obj("", "v1", "Pod");
  std::vector<uint32_t> candidates;
  for (const auto& c : m.Candidates(pod)) candidates.push_back(c.rule);
  EXPECT_EQ(candidates, (V{4, 5, 6}));
}

// A literal group/version/kind is an index key of its own: the index decides
// every kind pattern there (globs included), and a rule with nothing else to
// check is `decided` (matched without reading the object).  A rule that still
// has a namespace or label constraint is checked; other versions fall back to
// the group/kind key and its version checks.
TEST(Matcher, LiteralGroupVersionKindDecidesTheMatch) {
  std::vector<MatchSpec> specs(5);
  specs[0].kinds = {K("apps", "v1", "Deployment")};
  specs[1].kinds = {K("apps", "v1", "Deployment")};
  specs[1].namespaces_include = {"payments"};
  specs[2].kinds = {K("apps", "v?", "Deploy*")};
  specs[3].kinds = {K("apps", "v2", "Deployment")};
  specs[4].kinds = {K("apps", "v1", "Deployment")};
  specs[4].label_selector = {{"team", "Exists", {}}};
  Matcher m = Compile(specs);
  struct Seen {
    uint32_t rule;
    bool decided;
    bool operator==(const Seen& o) const { return rule == o.rule && decided == o.decided; }
  };
  auto seen = [&](const MatchObject& o) {
    std::vector<Seen> out;
    for (const MatchCandidate& c : m.Candidates(o)) out.push_back({c.rule, c.decided});
    return out;
  };
  EXPECT_EQ(seen(Obj("apps", "v1", "Deployment")),
            (std::vector<Seen>{{0, true}, {1, false}, {2, true}, {4, false}}));
  EXPECT_EQ(seen(Obj("apps", "v2", "Deployment")), (std::vector<Seen>{{2, true}, {3, true}}));
  // v3 is no literal key: the group/kind list, whose version checks still apply.
  using V = std::vector<uint32_t>;
  EXPECT_EQ(Matching(m, Obj("apps", "v3", "Deployment")), (V{2}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1beta1", "Deployment")), (V{}));
  aimsgate::JsonDocument team = Json(R"({"team":"ml"})");
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "ml", &team)), (V{0, 2, 4}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "payments")), (V{0, 1, 2}));
}

// Few index keys are scanned, many are binary-searched: both find every key,
// and a key that differs in one byte or its length from a present one finds none.
TEST(Matcher, IndexLookupsWithFewAndManyKeys) {
  for (size_t n : {size_t{3}, size_t{8}, size_t{9}, size_t{40}}) {
    std::vector<MatchSpec> specs(n);
    for (size_t i = 0; i < n; ++i) specs[i].kinds = {K("g" + std::to_string(i % 3) + ".example.com", "v1", "Kind" + std::to_string(i))};
    Matcher m = Compile(specs);
    using V = std::vector<uint32_t>;
    for (size_t i = 0; i < n; ++i) {
      const std::string group = "g" + std::to_string(i % 3) + ".example.com", kind = "Kind" + std::to_string(i);
      EXPECT_EQ(Matching(m, Obj(group, "v1", kind)), (V{static_cast<uint32_t>(i)})) << n << " keys, " << kind;
      EXPECT_EQ(Matching(m, Obj(group, "v2", kind)), V{}) << n << " keys, " << kind;
      EXPECT_EQ(Matching(m, Obj("h" + group.substr(1), "v1", kind)), V{}) << n << " keys, " << kind;
      EXPECT_EQ(Matching(m, Obj(group, "v1", kind + "x")), V{}) << n << " keys, " << kind;
    }
  }
}

TEST(Matcher, Namespaces) {
  std::vector<MatchSpec> specs(4);
  specs[0].namespaces_include = {"ml-*", "payments"};
  specs[1].namespaces_exclude = {"kube-*"};
  specs[2].namespaces_include = {"ml-?"};
  specs[2].namespaces_exclude = {"ml-0"};
  specs[3].namespaces_include = {"*"};
  Matcher m = Compile(specs);
  using V = std::vector<uint32_t>;
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "ml-1")), (V{0, 1, 2, 3}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "ml-0")), (V{0, 1, 3}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "payments")), (V{0, 1, 3}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "kube-system")), (V{3}));
  // A cluster-scoped object has no namespace: include lists other than "*" skip it.
  EXPECT_EQ(Matching(m, Obj("", "v1", "Namespace", "")), (V{1, 3}));
}

TEST(Matcher, LabelSelectorOfRulePacks) {
  aimsgate::JsonDocument labels = Json(R"({"env":"prod"})");
  std::vector<MatchSpec> specs(2);
  specs[0].kinds = {K("apps", "*", "Deployment")};
  specs[0].label_selector = {{"env", "In", {"prod"}}};
  specs[1].kinds = {K("apps", "*", "Deployment")};
  specs[1].label_selector = {{"env", "DoesNotExist", {}}};
  Matcher m = Compile(specs);
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "ml", &labels)), std::vector<uint32_t>{0});
  EXPECT_EQ(Matching(m, Obj("apps", "v1", "Deployment", "ml", nullptr)), std::vector<uint32_t>{1});
}

std::shared_ptr<NamespaceIndex> Namespaces(const char* json_array) {
  auto index = std::make_shared<NamespaceIndex>();
  index->objects = std::make_shared<aimsgate::JsonDocument>();
  index->objects->Parse(json_array);
  for (auto& v : index->objects->GetArray()) index->by_name.emplace_back(v["metadata"]["name"].GetString(), &v);
  index->Sort();
  return index;
}

TEST(Matcher, AdmissionConstraints) {
  auto index = Namespaces(R"([{"metadata":{"name":"prod","labels":{"env":"prod"}}},
                              {"metadata":{"name":"bare"}}])");
  std::vector<MatchSpec> specs(5);
  {  // resourceRules with operations, apiGroups, resources; an exclude by name
    AdmissionMatch& a = specs[0].admission.emplace_back();
    ResourceRule r;
    r.groups = {"apps"};
    r.versions = {"v1"};
    r.resources = {"deployments", "statefulsets"};
    r.operations = {"CREATE", "UPDATE"};
    a.resource_rules = {r};
    ResourceRule ex;
    ex.groups = {"*"};
    ex.versions = {"*"};
    ex.resources = {"*"};
    ex.operations = {"*"};
    ex.names = {"skip-me"};
    a.exclude_rules = {ex};
  }
  {  // namespaceSelector
    AdmissionMatch& a = specs[1].admission.emplace_back();
    a.namespace_selector = {{"env", "In", {"prod"}}};
  }
  {  // namespaceSelector on the implicit name label
    AdmissionMatch& a = specs[2].admission.emplace_back();
    a.namespace_selector = {{"kubernetes.io/metadata.name", "In", {"absent", "bare"}}};
  }
  {  // scope and objectSelector
    AdmissionMatch& a = specs[3].admission.emplace_back();
    ResourceRule r;
    r.resources = {"*/*"};
    r.scope = "Cluster";
    a.resource_rules = {r};
    a.object_selector = {{"team", "Exists", {}}};
  }
  {  // two entries (policy and binding): both must match
    specs[4].admission.emplace_back().namespace_selector = {{"env", "Exists", {}}};
    specs[4].admission.emplace_back().object_selector = {{"team", "DoesNotExist", {}}};
  }
  Matcher m = Compile(specs, index);
  aimsgate::JsonDocument team = Json(R"({"team":"ml"})");
  using V = std::vector<uint32_t>;
  MatchObject o = Obj("apps", "v1", "Deployment", "prod");
  EXPECT_EQ(Matching(m, o), (V{0, 1, 4}));
  o.operation = "DELETE";
  EXPECT_EQ(Matching(m, o), (V{1, 4}));
  o = Obj("apps", "v1", "Deployment", "prod");
  o.name = "skip-me";
  EXPECT_EQ(Matching(m, o), (V{1, 4}));
  EXPECT_EQ(Matching(m, Obj("apps", "v1beta1", "Deployment", "prod")), (V{1, 4}));
  EXPECT_EQ(Matching(m, Obj("", "v1", "Pod", "prod", &team)), (V{1}));
  // A namespace absent from the index: only kubernetes.io/metadata.name.
  EXPECT_EQ(Matching(m, Obj("", "v1", "Pod", "absent")), (V{2}));
  EXPECT_EQ(Matching(m, Obj("", "v1", "Pod", "elsewhere")), V{});
  // In the index without labels: also only its name.
  EXPECT_EQ(Matching(m, Obj("", "v1", "Pod", "bare")), (V{2}));
  // Cluster-scoped: namespaceSelector does not apply (except to a Namespace's own labels).
  EXPECT_EQ(Matching(m, Obj("rbac.authorization.k8s.io", "v1", "ClusterRole", "", &team)), (V{1, 2, 3}));
  EXPECT_EQ(Matching(m, Obj("rbac.authorization.k8s.io", "v1", "ClusterRole", "")), (V{1, 2, 4}));
  aimsgate::JsonDocument prod = Json(R"({"env":"prod","team":"x"})");
  EXPECT_EQ(Matching(m, Obj("", "v1", "Namespace", "", &prod)), (V{1, 3}));
}

TEST(Matcher, FindsAndDecidesCandidatesWithoutAllocating) {
  if (!test::CountsAllocations()) GTEST_SKIP() << "operator new is AddressSanitizer's in this build";
  auto index = Namespaces(R"([{"metadata":{"name":"prod","labels":{"env":"prod"}}}])");
  std::vector<MatchSpec> specs(100);
  for (size_t i = 0; i < specs.size(); ++i) {
    MatchSpec& s = specs[i];
    switch (i % 5) {
      case 0: s.kinds = {K("apps", "v1", "Deployment"), K("", "v1", "Pod")}; break;
      case 1: s.kinds = {K("*", "*", "Deployment")}; s.label_selector = {{"env", "NotIn", {"dev"}}}; break;
      case 2: s.kinds = {K("apps", "*", "*")}; s.namespaces_include = {"pr*"}; break;
      case 3: s.namespaces_exclude = {"kube-system"}; s.label_selector = {{"team", "Exists", {}}}; break;
      case 4: {
        AdmissionMatch& a = s.admission.emplace_back();
        ResourceRule r;
        r.groups = {"apps"};
        r.resources = {"deployments"};
        a.resource_rules = {r};
        a.namespace_selector = {{"env", "In", {"prod"}}};
        a.object_selector = {{"team", "In", {"ml"}}};
      }
    }
  }
  Matcher m = Compile(specs, index);
  aimsgate::JsonDocument labels = Json(R"({"env":"prod","team":"ml"})");
  const MatchObject objects[] = {Obj("apps", "v1", "Deployment", "prod", &labels), Obj("", "v1", "Pod", "prod", &labels),
                                 Obj("example.com", "v1", "Widget", "absent", &labels)};
  size_t matched = 0;
  {  // the counter counts
    const long start = test::Allocations();
    auto* s = new std::string(100, 'x');
    delete s;
    ASSERT_GE(test::Allocations() - start, 2);
  }
  const long before = test::Allocations();
  for (int round = 0; round < 10; ++round) {
    for (const MatchObject& proto : objects) {
      MatchObject o = proto;  // fresh admission facts each time, as per evaluation
      for (const MatchCandidate& c : m.Candidates(o)) matched += m.Matches(c, &o) ? 1 : 0;
    }
  }
  EXPECT_EQ(test::Allocations() - before, 0);
  EXPECT_EQ(matched, 10u * (100 + 40 + 20));  // Deployment: all; Pod: cases 0 and 3; Widget: case 3
}

}  // namespace
}  // namespace aimsgate
