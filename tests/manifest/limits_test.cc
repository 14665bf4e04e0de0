// Every budget in Limits: at its value the input loads, one over it fails with a
// located error, fast, and never crashes.
#include <chrono>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Errors;

bool Mentions(const LoadResult& r, const std::string& what) {
  return r.errors.size() == 1 && r.errors[0].message.find(what) != std::string::npos;
}

TEST(Limits, DefaultsAreDocumented) {
  Limits l;
  EXPECT_EQ(l.max_file_bytes, 64u << 20);
  EXPECT_EQ(l.max_depth, 100);
  EXPECT_EQ(l.max_documents, 100000u);
  EXPECT_EQ(l.max_string_bytes, 16u << 20);
  EXPECT_EQ(l.max_alias_nodes, 1000000u);
  EXPECT_EQ(l.max_nodes, 10000000u);
  EXPECT_TRUE(l.record_field_lines);
}

TEST(Limits, FileBytes) {
  const std::string text = "apiVersion: v1\nkind: Pod\n";
  Limits l;
  l.max_file_bytes = text.size();
  EXPECT_TRUE(LoadYaml(text, "f", l).ok());
  l.max_file_bytes = text.size() - 1;
  LoadResult r = LoadYaml(text, "f", l);
  ASSERT_TRUE(Mentions(r, "over the limit of 24 bytes")) << Errors(r);
  EXPECT_EQ(r.errors[0].ToString(), "f: error: file is 25 bytes, over the limit of 24 bytes");
  EXPECT_TRUE(Mentions(LoadBytes(text, "f", l), "over the limit"));
  const std::string json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}";
  l.max_file_bytes = json.size();
  EXPECT_TRUE(LoadJson(json, "f", l).ok());
  l.max_file_bytes = json.size() - 1;
  EXPECT_TRUE(Mentions(LoadJson(json, "f", l), "over the limit"));
}

std::string Nested(int levels, bool json) {
  // levels counts mappings including the root.
  std::string s = json ? "{\"apiVersion\":\"v1\",\"kind\":\"T\",\"a\":" : "apiVersion: v1\nkind: T\na: ";
  for (int i = 2; i < levels; ++i) s += json ? "{\"a\":" : "{a: ";
  s += json ? "{}" : "{}";
  for (int i = 2; i < levels; ++i) s += "}";
  if (json) s += "}";
  return s;
}

TEST(Limits, Depth) {
  Limits l;
  l.max_depth = 10;
  for (bool json : {false, true}) {
    EXPECT_TRUE(LoadBytes(Nested(10, json), "d", l).ok()) << json << Errors(LoadBytes(Nested(10, json), "d", l));
    LoadResult r = LoadBytes(Nested(11, json), "d", l);
    ASSERT_TRUE(Mentions(r, "nesting depth limit exceeded: more than 10 levels")) << json << Errors(r);
    EXPECT_EQ(r.errors[0].line, json ? 1 : 3);
  }
}

TEST(Limits, HugeNestingFailsFastWithoutCrashing) {
  const int n = 1000000;
  std::string yaml = "a: " + std::string(n, '[') + std::string(n, ']') + "\n";
  std::string json = std::string(n, '[') + std::string(n, ']');
  std::string yaml_block;
  for (int i = 0; i < 5000; ++i) yaml_block += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  auto start = std::chrono::steady_clock::now();
  LoadResult ry = LoadYaml(yaml, "deep.yaml");
  LoadResult rj = LoadJson(json, "deep.json");
  LoadResult rb = LoadYaml(yaml_block, "block.yaml");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(Mentions(ry, "nesting depth limit exceeded")) << Errors(ry);
  EXPECT_TRUE(Mentions(rj, "nesting depth limit exceeded")) << Errors(rj);
  EXPECT_TRUE(Mentions(rb, "nesting depth limit exceeded")) << Errors(rb);
  EXPECT_EQ(rj.errors[0].column, 101);
  EXPECT_LT(secs, 5.0);
}

TEST(Limits, DepthIsClampedToProtectTheStack) {
  Limits l;
  l.max_depth = 1 << 30;
  const int n = 20000;
  LoadResult rj = LoadJson(std::string(n, '[') + std::string(n, ']'), "deep.json", l);
  ASSERT_TRUE(Mentions(rj, "more than 10000 levels")) << Errors(rj);
  EXPECT_EQ(rj.errors[0].column, 10001);
  LoadResult ry = LoadYaml("a: " + std::string(n, '[') + std::string(n, ']'), "deep.yaml", l);
  EXPECT_TRUE(Mentions(ry, "more than 10000 levels")) << Errors(ry);
}

TEST(Limits, Documents) {
  Limits l;
  l.max_documents = 3;
  std::string three = "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\napiVersion: v1\nkind: C\n";
  EXPECT_EQ(LoadYaml(three, "d", l).resources.size(), 3u);
  LoadResult r = LoadYaml(three + "---\napiVersion: v1\nkind: D\n", "d", l);
  ASSERT_TRUE(Mentions(r, "document limit exceeded: more than 3 documents")) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 9);
  EXPECT_EQ(r.resources.size(), 3u);  // what came before is kept
  std::string j3 = "{\"apiVersion\":\"v1\",\"kind\":\"A\"}\n{\"apiVersion\":\"v1\",\"kind\":\"B\"}\n"
                   "{\"apiVersion\":\"v1\",\"kind\":\"C\"}\n";
  EXPECT_TRUE(LoadJson(j3, "d", l).ok());
  LoadResult rj = LoadJson(j3 + "{}", "d", l);
  ASSERT_TRUE(Mentions(rj, "document limit exceeded")) << Errors(rj);
  EXPECT_EQ(rj.errors[0].line, 4);
}

TEST(Limits, StringBytes) {
  Limits l;
  l.max_string_bytes = 10;
  EXPECT_TRUE(LoadYaml("apiVersion: v1\nkind: T\nv: '0123456789'\n", "s", l).ok());
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nv: '0123456789x'\n", "s", l);
  ASSERT_TRUE(Mentions(r, "string of 11 bytes exceeds the limit of 10 bytes")) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].column, 4);
  LoadResult key = LoadYaml("apiVersion: v1\nkind: T\n0123456789x: 1\n", "s", l);
  EXPECT_TRUE(Mentions(key, "exceeds the limit")) << Errors(key);
  EXPECT_TRUE(LoadJson("{\"apiVersion\":\"v1\",\"kind\":\"T\",\"v\":\"0123456789\"}", "s", l).ok());
  LoadResult rj = LoadJson("{\"apiVersion\":\"v1\",\"kind\":\"T\",\"v\":\"0123456789x\"}", "s", l);
  ASSERT_TRUE(Mentions(rj, "string of 11 bytes")) << Errors(rj);
  EXPECT_EQ(rj.errors[0].column, 35);
}

TEST(Limits, AliasNodes) {
  // *a copies 4 nodes (the mapping, a key, a value... : {x: 1} is 3 nodes).
  const std::string base = "apiVersion: v1\nkind: T\na: &a {x: 1}\nb: *a\nc: *a\n";
  Limits l;
  l.max_alias_nodes = 6;
  EXPECT_TRUE(LoadYaml(base, "a", l).ok()) << Errors(LoadYaml(base, "a", l));
  l.max_alias_nodes = 5;
  LoadResult r = LoadYaml(base, "a", l);
  ASSERT_TRUE(Mentions(r, "alias expansion limit exceeded: more than 5 nodes")) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_EQ(r.errors[0].column, 4);
}

// A few aliases to a long string copy its bytes past any count of nodes: the copies
// count against the object's byte budget, in the Load functions (which hold the file
// and do not apply max_object_bytes to what they read) as in the stream.
TEST(Limits, AliasCopiesOfTextCountAgainstTheObjectsBytes) {
  const std::string big(1000, 'A');
  auto text = [&](int copies) {
    std::string t = "apiVersion: v1\nkind: T\nbig: &b \"" + big + "\"\nl: [";
    for (int i = 0; i < copies; ++i) t += i ? ", *b" : "*b";
    return t + "]\n";
  };
  Limits l;
  l.max_object_bytes = 10500;  // the document's other text is ~20 bytes
  EXPECT_TRUE(LoadYaml(text(9), "a", l).ok()) << Errors(LoadYaml(text(9), "a", l));
  LoadResult r = LoadYaml(text(10), "a", l);
  ASSERT_TRUE(Mentions(r, "document larger than the limit of 10500 bytes once its aliases are expanded")) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 4);
  // max_expanded_bytes alone, the object budget lifted: the same limit.
  Limits e;
  e.max_object_bytes = std::numeric_limits<size_t>::max();
  e.max_expanded_bytes = 10500;
  EXPECT_TRUE(LoadYaml(text(9), "a", e).ok());
  EXPECT_TRUE(Mentions(LoadYaml(text(10), "a", e), "once its aliases are expanded"));
  // A mapping anchor counts its keys and values, and aliases inside it.
  const std::string nested = "apiVersion: v1\nkind: T\nbig: &b \"" + big + "\"\nm: &m {k: *b, j: *b}\nl: [*m, *m, *m, *m]\n";
  EXPECT_TRUE(Mentions(LoadYaml(nested, "n", l), "once its aliases are expanded")) << Errors(LoadYaml(nested, "n", l));
  l.max_object_bytes = 11500;
  EXPECT_TRUE(LoadYaml(nested, "n", l).ok()) << Errors(LoadYaml(nested, "n", l));  // 1 + 2 + 8 copies
}

TEST(Limits, TotalNodes) {
  // root mapping + 2 keys + 2 values + key v + sequence + 3 items = 10 nodes.
  const std::string text = "apiVersion: v1\nkind: T\nv: [1, 2, 3]\n";
  Limits l;
  l.max_nodes = 10;
  EXPECT_TRUE(LoadYaml(text, "n", l).ok());
  EXPECT_TRUE(LoadJson("{\"apiVersion\":\"v1\",\"kind\":\"T\",\"v\":[1,2,3]}", "n", l).ok());
  l.max_nodes = 9;
  LoadResult r = LoadYaml(text, "n", l);
  ASSERT_TRUE(Mentions(r, "node limit exceeded: more than 9 nodes")) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].column, 11);
  LoadResult rj = LoadJson("{\"apiVersion\":\"v1\",\"kind\":\"T\",\"v\":[1,2,3]}", "n", l);
  ASSERT_TRUE(Mentions(rj, "node limit exceeded")) << Errors(rj);
  EXPECT_EQ(rj.errors[0].column, 40);
}

TEST(Limits, RecordFieldLinesOff) {
  Limits l;
  l.record_field_lines = false;
  LoadResult r = LoadYaml("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    x: 1\n",
                          "f", l);
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Resource& res = r.resources[0];
  EXPECT_EQ(res.line, 4);  // the object's own position is kept
  EXPECT_EQ(res.column, 3);
  EXPECT_EQ(res.FieldLine(&(*res.object)["spec"]["x"]), 0);
  // Duplicate keys are still found, with their position.
  LoadResult dup = LoadYaml("apiVersion: v1\nkind: T\nm:\n  a: 1\n  a: 2\n", "f", l);
  ASSERT_EQ(dup.errors.size(), 1u);
  EXPECT_EQ(dup.errors[0].line, 5);
}

}  // namespace
}  // namespace aimsgate::manifest
