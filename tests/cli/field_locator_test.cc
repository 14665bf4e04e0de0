// FieldLocator's choice of line against a plain reading of field_locator.h,
// point 2: each recorded path walked alone on the object, the deepest point
// winning, a missing field over one that exists on a tie, then the earlier
// path. The locator walks all of a rule's paths at once (a trie, stopping a
// list early); this checks it picks the same line on thousands of generated
// objects, with lists in lists, maps walked with `*`, empty lists and values of
// the wrong type where an object is expected. And that reusing what inlining
// a helper gave records the same paths, in the same order.
#include "cli/field_locator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "evaluator/kernel/json.h"
#include "tests/cli/test_util.h"

namespace aimsgate::cli {
namespace {

using testing::TempDir;

constexpr const char* kPack = R"yaml(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata:
  name: loc
  version: 1.0.0
spec:
  rules:
  - id: nested
    title: nested lists
    severity: low
    action: audit
    match: {kinds: ["v1/Pod"]}
    assert: "object.spec.items.all(i, has(i.a) && i.a.b.all(x, has(x.c) && x.c.d == 1) && has(i.e))"
    message: m
  - id: map
    title: a map walked by key
    severity: low
    action: audit
    match: {kinds: ["v1/Pod"]}
    assert: "object.spec.m.all(k, object.spec.m[k].v > 0) && has(object.spec.x)"
    message: m
  - id: prefixes
    title: paths that are prefixes of others
    severity: low
    action: audit
    match: {kinds: ["v1/Pod"]}
    assert: >-
      object.a.b == 1 || object.a.b.c.d == 2 || object.a.e.exists(z, z.f == 1) || has(object.g) ||
      object.a.e.all(z, z.e.all(y, has(y.f) && has(y.c)))
    message: m
  - id: twice
    title: two lists deep
    severity: low
    action: audit
    match: {kinds: ["v1/Pod"]}
    assert: "object.spec.items.exists(i, i.e.exists(j, j.a == 1 && j.b.c == 2)) || object.spec.x.v == 1"
    message: m
  - id: order
    title: a later branch of the trie holding an earlier path
    severity: low
    action: audit
    match: {kinds: ["v1/Pod"]}
    assert: "has(object.x.y.k) || object.z.w.v == 1 || has(object.x.q.r)"
    message: m
)yaml";

const char* const kKeys[] = {"spec", "items", "a", "b", "c", "d", "e", "f", "g", "m", "v", "x", "y", "z", "k", "q", "r", "w"};

// A random value, pretty-printed one member or element per line so that most
// keys and elements have lines of their own.
void Random(std::mt19937* rng, int depth, std::string* out) {
  std::uniform_int_distribution<int> pct(0, 99);
  const int kind = depth >= 6 ? 80 + pct(*rng) % 20 : pct(*rng);
  if (kind < 45) {
    std::vector<std::string> keys;
    const int n = pct(*rng) % 5;
    for (int k = 0; k < n; ++k) {
      std::string key = kKeys[pct(*rng) % 18];
      bool dup = false;
      for (const auto& seen : keys) dup = dup || seen == key;
      if (!dup) keys.push_back(key);
    }
    *out += "{";
    for (size_t k = 0; k < keys.size(); ++k) {
      *out += (k ? ",\n\"" : "\n\"") + keys[k] + "\": ";
      Random(rng, depth + 1, out);
    }
    *out += "\n}";
  } else if (kind < 80) {
    const int n = pct(*rng) % 4;
    *out += "[";
    for (int k = 0; k < n; ++k) {
      *out += k ? ",\n" : "\n";
      Random(rng, depth + 1, out);
    }
    *out += "\n]";
  } else if (kind < 90) {
    *out += "1";
  } else if (kind < 95) {
    *out += "\"s\"";
  } else {
    *out += "null";
  }
}

// field_locator.h, point 2, for one path alone.
struct Reach {
  size_t depth = 0;
  const aimsgate::JsonValue* at = nullptr;
  bool complete = false;
};

Reach Walk(const aimsgate::JsonValue& node, const aimsgate::JsonValue* at, const std::vector<std::string>& path, size_t i) {
  if (i == path.size()) return {i, at, true};
  if (path[i] == "*") {
    std::vector<std::pair<const aimsgate::JsonValue*, const aimsgate::JsonValue*>> children;
    if (node.IsArray()) {
      for (const auto& el : node.GetArray()) children.emplace_back(&el, &el);
    } else if (node.IsObject()) {
      for (const auto& m : node.GetObject()) children.emplace_back(&m.value, &m.name);
    }
    if (children.empty()) return {i, at, false};
    std::optional<Reach> missing;
    for (const auto& [child, child_at] : children) {
      Reach r = Walk(*child, child_at, path, i + 1);
      if (!r.complete && (!missing || r.depth > missing->depth)) missing = r;
    }
    return missing ? *missing : Reach{i, at, true};
  }
  if (node.IsObject()) {
    for (const auto& m : node.GetObject()) {
      if (m.name.GetString() == path[i]) return Walk(m.value, &m.name, path, i + 1);
    }
  }
  return {i, at, false};
}

int Expected(const std::vector<std::string>& paths, const manifest::Resource& res) {
  std::optional<Reach> best;
  for (const auto& dotted : paths) {
    std::vector<std::string> path;
    size_t start = 0;
    for (size_t dot; (dot = dotted.find('.', start)) != std::string::npos; start = dot + 1) {
      path.push_back(dotted.substr(start, dot - start));
    }
    path.push_back(dotted.substr(start));
    Reach r = Walk(*res.object, nullptr, path, 0);
    if (!best || r.depth > best->depth || (r.depth == best->depth && !r.complete && best->complete)) best = r;
  }
  if (!best || best->depth == 0) return 0;
  return res.FieldLine(best->at);
}

// An engine of the one pack `text`, written to `dir`/pack.yaml under `t`.
std::shared_ptr<const Engine> EngineOfPack(const TempDir& t, const std::string& dir, const std::string& text) {
  t.Write(dir + "/pack.yaml", text);
  EngineOptions o;
  o.rule_paths = {t / dir};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  for (const auto& d : diags) ADD_FAILURE() << d.message;
  return engine;
}

std::shared_ptr<const Engine> PackEngine(const TempDir& t) { return EngineOfPack(t, "pack", kPack); }

TEST(FieldLocator, RecordsListAndMapPaths) {
  TempDir t;
  auto engine = PackEngine(t);
  ASSERT_TRUE(engine);
  FieldLocator locator(*engine);
  EXPECT_THAT(locator.PathsOf("loc/nested"), ::testing::Contains("spec.items.*.a.b.*.c.d"));
  EXPECT_THAT(locator.PathsOf("loc/map"), ::testing::Contains("spec.m.*.v"));
  EXPECT_THAT(locator.PathsOf("loc/prefixes"), ::testing::IsSupersetOf({"a.b", "a.b.c.d", "a.e.*.e.*.c"}));
  EXPECT_THAT(locator.PathsOf("loc/twice"), ::testing::Contains("spec.items.*.e.*.b.c"));
}

// Paths (loc/prefixes): a, a.b, a.b.c, a.b.c.d, a.e, a.e.*.f, g, a.e.*.e,
// a.e.*.e.*.f, a.e.*.e.*.c.
int LineOf(const FieldLocator& locator, const std::string& body, const std::string& rule = "loc/prefixes") {
  const std::string doc = "{\"apiVersion\": \"v1\",\n\"kind\": \"Pod\",\n\"metadata\": {\"name\": \"p\"},\n" + body;
  manifest::LoadResult loaded = manifest::LoadJson(doc, "t.json");
  EXPECT_EQ(loaded.resources.size(), 1u) << doc;
  return loaded.resources.empty() ? -1 : locator.Locate(rule, loaded.resources[0]);
}

TEST(FieldLocator, TieRules) {
  TempDir t;
  auto engine = PackEngine(t);
  ASSERT_TRUE(engine);
  FieldLocator locator(*engine);
  // a.b.c.d exists (depth 4, line 7); a.e.*.e.*.f stops at an empty list,
  // also depth 4 (line 10): the missing one wins.
  EXPECT_EQ(LineOf(locator, "\"a\": {\n\"b\": {\n\"c\": {\n\"d\": 1}},\n\"e\": [\n{\"f\": 1,\n\"e\": []}]}}"), 10);
  // Both a.e.*.e.*.f (first element, line 6) and a.e.*.e.*.c (second, line 8)
  // miss at depth 5: the earlier path wins.
  EXPECT_EQ(LineOf(locator, "\"a\": {\"e\": [\n{\"e\": [\n{\"c\": 1}]},\n{\"e\": [\n{\"f\": 1}]}]}}"), 6);
  // Every element misses f at depth 5: the first one (line 6), though the walk
  // goes on for c, which the second element (line 8) misses.
  EXPECT_EQ(LineOf(locator, "\"a\": {\"e\": [\n{\"e\": [\n{\"c\": 1}]},\n{\"e\": [\n{\"x\": 1}]}]}}"), 6);
  // Only c is missing, in the second element's list (line 8).
  EXPECT_EQ(LineOf(locator, "\"a\": {\"e\": [\n{\"e\": [\n{\"c\": 1, \"f\": 1}]},\n{\"e\": [\n{\"f\": 1}]}]}}"), 8);
  // loc/order records x.y.k, z.w.v, x.q.r (and their prefixes) in that order;
  // x.q.r is walked first (the x branch) but z.w.v, as deep and existing too,
  // was recorded before it and wins (line 9).
  EXPECT_EQ(LineOf(locator, "\"x\": {\n\"q\": {\n\"r\": 1}},\n\"z\": {\n\"w\": {\n\"v\": 1}}}", "loc/order"), 9);
  // Everything the lists hold exists and a.b is missing at depth 1: the
  // deepest is a.e itself (depth 2, line 4), every walk through it complete.
  EXPECT_EQ(LineOf(locator, "\"a\": {\"e\": [\n{\"f\": 1, \"e\": [\n{\"c\": 1, \"f\": 1}]}]}}"), 4);
}

// A pack whose helpers are called again and again, with the same arguments
// from different places and rules (the locator reuses what inlining a helper
// gave), and a chain h0 -> h1 -> ... -> h17 longer than the 16 levels the
// analysis inlines.
std::shared_ptr<const Engine> HelperEngine(const TempDir& t) {
  std::string pack = R"yaml(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata:
  name: memo
  version: 1.0.0
spec:
  functions:
  - name: f
    params: [o, k]
    expression: "has(o.metadata) && k in o.metadata.annotations ? o.spec[k] : o.status.x"
  - name: g
    params: [o]
    expression: "f(o, 'a') + f(o.spec.template, 'a')"
  - name: h17
    params: [o]
    expression: "o.leaf"
)yaml";
  for (int k = 16; k >= 0; --k) {
    pack += "  - name: h" + std::to_string(k) + "\n    params: [o]\n    expression: \"o.leaf + h" +
            std::to_string(k + 1) + "(o.n)\"\n";
  }
  pack += "  rules:\n";
  const std::vector<std::pair<std::string, std::string>> rules = {
      {"one", "f(object, 'a') == 'x' && g(object) == 'y' && f(object, 'b') == 'z' && f(object, 'a') == 'w'"},
      {"two", "f(object, 'b') == 'z' && g(object) == 'y' && f(object.spec, 'a') == 'q'"},
      {"direct", "h5(object.n.n.n.n.n) == 1"},
      {"chain", "h0(object) == 1"}};
  for (const auto& [id, assert_expr] : rules) {
    pack += "  - id: " + id + "\n    title: t\n    severity: low\n    action: audit\n" +
            "    match: {kinds: [\"v1/Pod\"]}\n    assert: \"" + assert_expr + "\"\n    message: m\n";
  }
  return EngineOfPack(t, "memo", pack);
}

TEST(FieldLocator, HelpersMetAgainRecordTheSamePathsInTheSameOrder) {
  TempDir t;
  auto engine = HelperEngine(t);
  ASSERT_TRUE(engine);
  const std::vector<std::string> one = {
      "metadata", "metadata.annotations", "metadata.annotations.a", "spec", "spec.a", "status", "status.x",
      "spec.template", "spec.template.metadata", "spec.template.metadata.annotations",
      "spec.template.metadata.annotations.a", "spec.template.spec", "spec.template.spec.a", "spec.template.status",
      "spec.template.status.x", "metadata.annotations.b", "spec.b"};
  const std::vector<std::string> two = {
      "metadata", "metadata.annotations", "metadata.annotations.b", "spec", "spec.b", "status", "status.x",
      "metadata.annotations.a", "spec.a", "spec.template", "spec.template.metadata",
      "spec.template.metadata.annotations", "spec.template.metadata.annotations.a", "spec.template.spec",
      "spec.template.spec.a", "spec.template.status", "spec.template.status.x", "spec.metadata",
      "spec.metadata.annotations", "spec.metadata.annotations.a", "spec.spec", "spec.spec.a", "spec.status",
      "spec.status.x"};
  {
    FieldLocator locator(*engine);
    EXPECT_EQ(locator.PathsOf("memo/one"), one);
    EXPECT_EQ(locator.PathsOf("memo/two"), two);
  }
  {
    FieldLocator locator(*engine);
    EXPECT_EQ(locator.PathsOf("memo/two"), two);
    EXPECT_EQ(locator.PathsOf("memo/one"), one);
  }
}

TEST(FieldLocator, HelperChainsStopAtTheInlineDepthWhateverWasAnalysedBefore) {
  TempDir t;
  auto engine = HelperEngine(t);
  ASSERT_TRUE(engine);
  // h0 is inlined at depth 0, ..., h15 at depth 15; h16 is not: the chain
  // reads leaf .. n^15.leaf and records n^16 (h16's argument).
  std::vector<std::string> chain = {"leaf"};
  std::string n;
  for (int k = 1; k <= 15; ++k) {
    n += k == 1 ? "n" : ".n";
    chain.push_back(n);
    chain.push_back(n + ".leaf");
  }
  chain.push_back(n + ".n");
  {
    FieldLocator locator(*engine);
    EXPECT_EQ(locator.PathsOf("memo/chain"), chain);
  }
  {
    // h5(object.n.n.n.n.n) analysed at depth 0 first goes down to h17; met
    // again at depth 5 inside the chain, it must stop at h15 all the same.
    FieldLocator locator(*engine);
    EXPECT_THAT(locator.PathsOf("memo/direct"), ::testing::Contains("n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.n.leaf"));
    EXPECT_EQ(locator.PathsOf("memo/chain"), chain);
  }
}

TEST(FieldLocator, PicksTheLineOfWalkingEachPathAlone) {
  TempDir t;
  auto engine = PackEngine(t);
  ASSERT_TRUE(engine);
  FieldLocator locator(*engine);
  const std::vector<std::string> rules = {"loc/nested", "loc/map", "loc/prefixes", "loc/twice", "loc/order"};
  std::vector<std::vector<std::string>> paths;
  for (const auto& rule : rules) paths.push_back(locator.PathsOf(rule));
  std::mt19937 rng(42);
  int located = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string doc = "{\"apiVersion\": \"v1\",\n\"kind\": \"Pod\",\n\"metadata\": {\"name\": \"p\"}";
    for (const char* top : {"spec", "a", "g", "x", "z"}) {
      if (rng() % 5 == 0) continue;
      doc += std::string(",\n\"") + top + "\": ";
      // Mostly an object, so the walks get past the first segment.
      if (rng() % 4 != 0) {
        std::vector<std::string> keys = {"items", "m"};
        for (int k = 0; k < 3; ++k) {
          std::string key = kKeys[rng() % 18];
          if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        }
        std::shuffle(keys.begin(), keys.end(), rng);
        for (size_t k = 0; k < keys.size(); ++k) {
          doc += (k ? ",\n\"" : "{\n\"") + keys[k] + "\": ";
          Random(&rng, 1, &doc);
        }
        doc += "\n}";
      } else {
        Random(&rng, 1, &doc);
      }
    }
    doc += "\n}\n";
    manifest::LoadResult loaded = manifest::LoadJson(doc, "gen.json");
    if (loaded.resources.size() != 1) continue;  // a duplicate key: rejected, as Kubernetes does
    const manifest::Resource& res = loaded.resources[0];
    for (size_t r = 0; r < rules.size(); ++r) {
      const int want = Expected(paths[r], res);
      ASSERT_EQ(locator.Locate(rules[r], res), want) << rules[r] << " on\n" << doc;
      located += want > 1;
    }
  }
  EXPECT_GT(located, 3000);  // most walks get somewhere past the object's first line
}

}  // namespace
}  // namespace aimsgate::cli
