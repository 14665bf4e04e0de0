// Manifest loader limits (manifest::Limits): each input just under a limit loads,
// the same input one step over it fails with a located, explicit error.
#include <gtest/gtest.h>

#include <string>

#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {
namespace {

constexpr char kHead[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";

std::string Errors(const LoadResult& r) {
  std::string all;
  for (const auto& e : r.errors) all += e.ToString() + "\n";
  return all;
}

// data: {a: {a: ... }} nested `levels` deep below the object (object = depth 1, data = 2).
std::string NestedYaml(int levels) {
  std::string s = std::string(kHead) + "data:";
  for (int i = 0; i < levels; ++i) s += " {a:";
  s += " 1";
  for (int i = 0; i < levels; ++i) s += "}";
  return s + "\n";
}
std::string NestedJson(int levels) {
  std::string s = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":)";
  for (int i = 0; i < levels; ++i) s += "[";
  s += "1";
  for (int i = 0; i < levels; ++i) s += "]";
  return s + "}";
}

TEST(ManifestLimits, YamlNestingDepthJustOver) {
  Limits l;  // max_depth 100
  int fits = 0;
  for (int n = 90; n <= 110; ++n) {
    if (LoadYaml(NestedYaml(n), "d.yaml", l).ok()) fits = n; else break;
  }
  ASSERT_GE(fits, 97);   // the object and `data` take two of the 100 levels
  ASSERT_LE(fits, 100);
  LoadResult over = LoadYaml(NestedYaml(fits + 1), "d.yaml", l);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Errors(over).find("d.yaml:"), std::string::npos) << Errors(over);
  EXPECT_NE(Errors(over).find("depth"), std::string::npos) << Errors(over);
}

TEST(ManifestLimits, JsonNestingDepthJustOver) {
  Limits l;
  EXPECT_TRUE(LoadJson(NestedJson(99), "d.json", l).ok()) << Errors(LoadJson(NestedJson(99), "d.json", l));
  LoadResult over = LoadJson(NestedJson(100), "d.json", l);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Errors(over).find("depth"), std::string::npos) << Errors(over);
}

TEST(ManifestLimits, HostileDepthNeverOverflowsTheStack) {
  // 1,000,000 levels: the yaml-cpp deep-nesting CVE class.  Refused, not a crash.
  std::string deep = std::string(kHead) + "data: " + std::string(1000000, '[');
  EXPECT_FALSE(LoadYaml(deep, "deep.yaml").ok());
  EXPECT_FALSE(LoadJson(std::string(1000000, '['), "deep.json").ok());
}

TEST(ManifestLimits, FileSizeJustOver) {
  Limits l;
  std::string doc = std::string(kHead) + "data: {k: v}\n";
  l.max_file_bytes = doc.size();
  EXPECT_TRUE(LoadYaml(doc, "s.yaml", l).ok());
  LoadResult over = LoadYaml(doc + " ", "s.yaml", l);
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(over.resources.empty());
  EXPECT_NE(Errors(over).find("bytes"), std::string::npos) << Errors(over);
}

TEST(ManifestLimits, DefaultFileSizeIs64MiB) { EXPECT_EQ(Limits().max_file_bytes, 64u << 20); }

TEST(ManifestLimits, DocumentCountJustOver) {
  Limits l;
  l.max_documents = 3;
  std::string three = std::string(kHead) + "---\n" + kHead + "---\n" + kHead;
  EXPECT_TRUE(LoadYaml(three, "n.yaml", l).ok()) << Errors(LoadYaml(three, "n.yaml", l));
  LoadResult over = LoadYaml(three + "---\n" + kHead, "n.yaml", l);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Errors(over).find("documents"), std::string::npos) << Errors(over);
}

TEST(ManifestLimits, BillionLaughsJustOverAliasBudget) {
  // Each level doubles: 2^k copied nodes.  With max_alias_nodes = 1024 one more level fails.
  auto laughs = [](int levels) {
    std::string s = std::string(kHead) + "data:\n  l0: &l0 [x, x]\n";
    for (int i = 1; i <= levels; ++i) {
      s += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
           std::to_string(i - 1) + "]\n";
    }
    return s;
  };
  Limits l;
  l.max_depth = 100;
  l.max_alias_nodes = 1000000;  // the default
  LoadResult ok = LoadYaml(laughs(8), "laughs.yaml", l);
  EXPECT_TRUE(ok.ok()) << Errors(ok);
  // 30 levels would be ~2^31 nodes: stopped at the budget, quickly.
  LoadResult over = LoadYaml(laughs(30), "laughs.yaml", l);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Errors(over).find("alias"), std::string::npos) << Errors(over);
}

TEST(ManifestLimits, StringLengthJustOver) {
  Limits l;
  l.max_string_bytes = 64;
  std::string at = std::string(kHead) + "data: {k: " + std::string(64, 'x') + "}\n";
  EXPECT_TRUE(LoadYaml(at, "str.yaml", l).ok()) << Errors(LoadYaml(at, "str.yaml", l));
  std::string over = std::string(kHead) + "data: {k: " + std::string(65, 'x') + "}\n";
  LoadResult r = LoadYaml(over, "str.yaml", l);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("str.yaml:4:"), std::string::npos) << Errors(r);
  std::string json_over = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + std::string(65, 'x') + "\"}}";
  EXPECT_FALSE(LoadJson(json_over, "str.json", l).ok());
}

TEST(ManifestLimits, NodeCountJustOver) {
  Limits l;
  std::string doc = std::string(kHead) + "data: [1, 2, 3, 4]\n";
  l.max_nodes = 100;
  ASSERT_TRUE(LoadYaml(doc, "nodes.yaml", l).ok());
  l.max_nodes = 5;
  LoadResult r = LoadYaml(doc, "nodes.yaml", l);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("nodes"), std::string::npos) << Errors(r);
}

}  // namespace
}  // namespace aimsgate::manifest
