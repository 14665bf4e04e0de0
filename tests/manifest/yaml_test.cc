// YAML streams: documents, Lists, aliases, merges, duplicate keys, errors.
#include <string>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Describe;
using testing::Errors;

std::string Name(const Resource& r) {
  const aimsgate::JsonValue& o = *r.object;
  auto md = o.FindMember("metadata");
  if (md == o.MemberEnd()) return std::string(o["kind"].GetString());
  return std::string(md->value["name"].GetString());
}

TEST(YamlStream, MultiDocumentWithEmptyDocumentsSkipped) {
  const char* text =
      "---\n"                                        // 1: doc 0, empty
      "# Source: chart/templates/a.yaml\n"           // 2: doc 1, only a comment
      "---\n"                                        // 3
      "apiVersion: v1\n"                             // 4: doc 1
      "kind: ConfigMap\n"
      "metadata: {name: a}\n"
      "---\n"                                        // 7: doc 2, empty
      "---\n"                                        // 8: doc 3
      "# Source: chart/templates/b.yaml\n"
      "apiVersion: apps/v1\n"                        // 10
      "kind: Deployment\n"
      "metadata:\n"
      "  name: b\n"
      "...\n";
  LoadResult r = LoadYaml(text, "helm.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(Name(r.resources[0]), "a");
  EXPECT_EQ(r.resources[0].line, 4);
  EXPECT_EQ(r.resources[0].column, 1);
  EXPECT_EQ(r.resources[0].document_index, 1);
  EXPECT_EQ(r.resources[0].item_index, -1);
  EXPECT_EQ(Name(r.resources[1]), "b");
  EXPECT_EQ(r.resources[1].line, 10);
  EXPECT_EQ(r.resources[1].document_index, 3);
  EXPECT_EQ(r.resources[1].source, "helm.yaml");
}

TEST(YamlStream, EmptyInputsYieldNothing) {
  for (const char* text : {"", "\n\n", "# nothing\n", "---\n", "---\n---\n...\n", "~\n", "null\n"}) {
    LoadResult r = LoadYaml(text, "e.yaml");
    EXPECT_TRUE(r.ok()) << Errors(r);
    EXPECT_TRUE(r.resources.empty()) << text;
  }
}

TEST(YamlStream, DocumentWithoutMarkerAndBom) {
  LoadResult r = LoadYaml("\xEF\xBB\xBF" "apiVersion: v1\nkind: Pod\n", "bom.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].line, 1);
  EXPECT_EQ(r.resources[0].column, 1);
}

TEST(YamlList, ItemsExpandedWithTheirOwnPositions) {
  const char* text =
      "apiVersion: v1\n"
      "kind: List\n"
      "items:\n"
      "- apiVersion: v1\n"          // 4
      "  kind: Pod\n"
      "  metadata: {name: p}\n"
      "-   apiVersion: apps/v1\n"    // 7
      "    kind: Deployment\n"
      "    metadata: {name: d}\n";
  LoadResult r = LoadYaml(text, "list.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(Name(r.resources[0]), "p");
  EXPECT_EQ(r.resources[0].line, 4);
  EXPECT_EQ(r.resources[0].column, 3);
  EXPECT_EQ(r.resources[0].item_index, 0);
  EXPECT_EQ(Name(r.resources[1]), "d");
  EXPECT_EQ(r.resources[1].line, 7);
  EXPECT_EQ(r.resources[1].column, 5);
  EXPECT_EQ(r.resources[1].item_index, 1);
  EXPECT_EQ(r.resources[0].document_index, 0);
  // One document, shared by both items.
  EXPECT_EQ(r.resources[0].owner, r.resources[1].owner);
}

TEST(YamlList, TypedListKindsAndBadItems) {
  const char* text =
      "apiVersion: apps/v1\n"
      "kind: DeploymentList\n"
      "items:\n"
      "- apiVersion: apps/v1\n"
      "  kind: Deployment\n"
      "  metadata: {name: ok}\n"
      "- metadata: {name: nokind}\n"  // 7
      "- just a string\n";            // 8
  LoadResult r = LoadYaml(text, "list.yaml");
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(Name(r.resources[0]), "ok");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].ToString(),
            "list.yaml:7:3: error: List item 1: document is not a Kubernetes object (no kind)");
  EXPECT_EQ(r.errors[1].line, 8);
  EXPECT_EQ(r.errors[1].column, 3);
}

TEST(YamlList, EmptyListAndListKindWithoutItems) {
  LoadResult empty = LoadYaml("apiVersion: v1\nkind: List\nitems: []\n", "l.yaml");
  EXPECT_TRUE(empty.ok());
  EXPECT_TRUE(empty.resources.empty());
  // A kind that merely ends in "List" but has no items array is an object of its own.
  LoadResult allow = LoadYaml("apiVersion: x.io/v1\nkind: AllowList\nspec: {}\n", "l.yaml");
  ASSERT_EQ(allow.resources.size(), 1u);
  EXPECT_EQ(allow.resources[0].item_index, -1);
}

TEST(YamlObject, NotAKubernetesObjectIsALocatedError) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"a: 1\n", "x.yaml:1:1: error: document is not a Kubernetes object (no kind)"},
      {"\n\n  kind: Pod\n", "x.yaml:3:3: error: document is not a Kubernetes object (no apiVersion)"},
      {"- a\n- b\n", "x.yaml:1:1: error: document is not a Kubernetes object (no kind): it is a sequence"},
      {"hello\n", "x.yaml:1:1: error: document is not a Kubernetes object (no kind): it is a scalar"},
      {"kind: 5\napiVersion: v1\n", "x.yaml:1:1: error: document is not a Kubernetes object (no kind)"},
  };
  for (const Case& c : cases) {
    LoadResult r = LoadYaml(c.text, "x.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << c.text;
    EXPECT_EQ(r.errors[0].ToString(), c.error);
  }
}

TEST(YamlObject, ResourcesAndErrorsFromOneFile) {
  const char* text =
      "apiVersion: v1\nkind: A\n"
      "---\n"
      "apiVersion: v1\nkind: B\nmetadata:\n  name: x\n  name: y\n"  // dup at 8:3
      "---\n"
      "foo: bar\n"                                                 // 10: no kind
      "---\n"
      "apiVersion: v1\nkind: C\n";
  LoadResult r = LoadYaml(text, "mix.yaml");
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(Name(r.resources[0]), "A");
  EXPECT_EQ(Name(r.resources[1]), "C");
  EXPECT_EQ(r.resources[1].document_index, 3);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].ToString(), "mix.yaml:8:3: error: duplicate key \"name\" in mapping");
  EXPECT_EQ(r.errors[1].ToString(), "mix.yaml:10:1: error: document is not a Kubernetes object (no kind)");
}

TEST(YamlDuplicates, DetectedInSmallAndLargeMappings) {
  std::string big = "apiVersion: v1\nkind: ConfigMap\ndata:\n";
  for (int i = 0; i < 100; ++i) big += "  k" + std::to_string(i) + ": v\n";
  big += "  k42: again\n";  // line 104
  LoadResult r = LoadYaml(big, "big.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(), "big.yaml:104:3: error: duplicate key \"k42\" in mapping");
  // Quoted and plain spellings of one key collide; flow mappings too.
  LoadResult q = LoadYaml("apiVersion: v1\nkind: T\nm: {a: 1, \"a\": 2}\n", "q.yaml");
  ASSERT_EQ(q.errors.size(), 1u);
  EXPECT_EQ(q.errors[0].line, 3);
  EXPECT_EQ(q.errors[0].column, 11);
  LoadResult top = LoadYaml("apiVersion: v1\nkind: T\nkind: U\n", "t.yaml");
  ASSERT_EQ(top.errors.size(), 1u);
  EXPECT_EQ(top.errors[0].line, 3);
}

TEST(YamlSyntax, MalformedYamlHasExactLocations) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: x\n",
       "s.yaml:5:7: error: mapping values are not allowed in this context"},
      {"apiVersion: v1\nkind: Pod\nspec:\n\t- x\n",
       "s.yaml:4:1: error: found character that cannot start any token (while scanning for the "
       "next token at line 4, column 1)"},
      {"apiVersion: v1\nkind: Pod\nname: \"open\n",
       "s.yaml:4:1: error: found unexpected end of stream (while scanning a quoted scalar at line "
       "3, column 7)"},
      {"apiVersion: v1\nkind: Pod\nspec: [1, 2\n",
       "s.yaml:4:1: error: did not find expected ',' or ']' (while parsing a flow sequence at line "
       "3, column 7)"},
      {"a: b\n- c\n", "s.yaml:2:1: error: did not find expected key (while parsing a block mapping at "
                      "line 1, column 1)"},
  };
  for (const Case& c : cases) {
    LoadResult r = LoadYaml(c.text, "s.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << c.text;
    EXPECT_EQ(r.errors[0].ToString(), c.error);
  }
}

TEST(YamlSyntax, SyntaxErrorKeepsEarlierDocuments) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: A\n---\nkey: [\n", "s.yaml");
  EXPECT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.errors.size(), 1u);
}

TEST(YamlAliases, AnchorsAreCopied) {
  const char* text =
      "apiVersion: v1\n"
      "kind: T\n"
      "base: &b {cpu: 1, mem: 2Gi}\n"
      "copy: *b\n"
      "list: [&x 5, *x, *b]\n";
  LoadResult r = LoadYaml(text, "a.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const aimsgate::JsonValue& o = *r.resources[0].object;
  EXPECT_EQ(o["copy"], o["base"]);
  EXPECT_NE(&o["copy"], &o["base"]);
  EXPECT_EQ(Describe(o["list"][1]), "int:5");
  EXPECT_EQ(Describe(o["list"][2]["mem"]), "str:2Gi");
  EXPECT_EQ(r.resources[0].FieldLine(&o["copy"]["cpu"]), 4);  // the alias' line
}

TEST(YamlAliases, AliasAsKeyAndUnknownAlias) {
  LoadResult k = LoadYaml("apiVersion: v1\nkind: T\nn: &k name\nm: {*k : v}\n", "a.yaml");
  ASSERT_TRUE(k.ok()) << Errors(k);
  EXPECT_EQ(Describe((*k.resources[0].object)["m"]["name"]), "str:v");
  LoadResult u = LoadYaml("apiVersion: v1\nkind: T\nm: *missing\n", "a.yaml");
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].ToString(), "a.yaml:3:4: error: unknown anchor 'missing' referenced");
}

TEST(YamlAliases, BillionLaughsStopsAtTheBudget) {
  std::string text = "apiVersion: v1\nkind: T\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  LoadResult r = LoadYaml(text, "lol.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("alias expansion limit exceeded"), std::string::npos)
      << r.errors[0].message;
  // a_i copies 10 * 11.1 * 10^(i-1) nodes: a5 (line 8) takes the total past 1,000,000.
  EXPECT_EQ(r.errors[0].line, 8);
  EXPECT_GT(r.errors[0].column, 1);
  EXPECT_TRUE(r.resources.empty());
}

TEST(YamlAliases, AliasDepthCountsAgainstTheDepthLimit) {
  Limits limits;
  limits.max_depth = 5;
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nd: &d [[[1]]]\ne: [[*d]]\n", "d.yaml", limits);
  // root (1), e's two sequences (3), 3 levels of *d: 6 > 5; `e: [*d]` makes exactly 5.
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_NE(r.errors[0].message.find("nesting depth limit exceeded"), std::string::npos);
  EXPECT_TRUE(LoadYaml("apiVersion: v1\nkind: T\nd: &d [[[1]]]\ne: [*d]\n", "d.yaml", limits).ok());
}

TEST(YamlMerge, MergeKeysFollowYamlPrecedence) {
  const char* text =
      "apiVersion: v1\n"
      "kind: T\n"
      "defaults: &d {a: 1, b: 2, c: 3}\n"
      "extra: &e {c: 30, x: 40}\n"
      "one:\n"
      "  b: 20\n"
      "  <<: *d\n"               // 7
      "many:\n"
      "  <<: [*e, *d]\n"
      "inline:\n"
      "  <<: {z: 9}\n"
      "  w: 8\n";
  LoadResult r = LoadYaml(text, "m.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const aimsgate::JsonValue& o = *r.resources[0].object;
  EXPECT_EQ(Describe(o["one"]["a"]), "int:1");
  EXPECT_EQ(Describe(o["one"]["b"]), "int:20");  // explicit key wins
  EXPECT_EQ(o["one"].MemberCount(), 3u);
  EXPECT_FALSE(o["one"].HasMember("<<"));
  EXPECT_EQ(Describe(o["many"]["c"]), "int:30");  // earlier source wins
  EXPECT_EQ(Describe(o["many"]["x"]), "int:40");
  EXPECT_EQ(Describe(o["many"]["a"]), "int:1");
  EXPECT_EQ(Describe(o["inline"]["z"]), "int:9");
  EXPECT_EQ(Describe(o["inline"]["w"]), "int:8");
  EXPECT_EQ(r.resources[0].FieldLine(&o["one"]["a"]), 7);
  EXPECT_EQ(r.resources[0].FieldLine(&o["inline"]["w"]), 12);
  // A quoted "<<" is an ordinary key.
  LoadResult q = LoadYaml("apiVersion: v1\nkind: T\nm: {'<<': 1}\n", "m.yaml");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE((*q.resources[0].object)["m"].HasMember("<<"));
  // An explicitly tagged one is a merge key.
  LoadResult t = LoadYaml("apiVersion: v1\nkind: T\nb: &b {x: 1}\nm: {!!merge '<<': *b}\n", "m.yaml");
  ASSERT_TRUE(t.ok()) << Errors(t);
  EXPECT_EQ(Describe((*t.resources[0].object)["m"]["x"]), "int:1");
}

TEST(YamlMerge, MergeOfAScalarIsAnError) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nm:\n  <<: 5\n", "m.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(),
            "m.yaml:4:3: error: merge key << needs a mapping or a sequence of mappings");
}

TEST(YamlMerge, DuplicateKeysInAnInlineMergeSource) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nm:\n  <<: {a: 1, a: 2}\n", "m.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(), "m.yaml:4:3: error: duplicate key \"a\" in a mapping merged by <<");
}

TEST(YamlKeys, ComplexKeysAreRejected) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\n? [a, b]\n: c\n", "k.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_NE(r.errors[0].message.find("mapping key"), std::string::npos);
}

TEST(YamlBinary, NulAndInvalidUtf8AreClearErrors) {
  std::string nul("apiVersion: v1\nkind: Pod\x00\x01", 25);
  LoadResult r = LoadYaml(nul, "b.bin");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(),
            "b.bin:2:10: error: binary file: NUL byte at offset 24 (manifests must be UTF-8 text)");
  LoadResult bad = LoadYaml("apiVersion: v1\nkind: P\xff\n", "b.yaml");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].ToString(), "b.yaml:2:8: error: not UTF-8 text: invalid byte at offset 22");
  // UTF-16 (with BOM) is binary to us.
  std::string utf16("\xFF\xFE" "a\0:\0", 6);
  EXPECT_EQ(LoadBytes(utf16, "u.yaml").errors.size(), 1u);
  // Overlong encodings and surrogates are not UTF-8.
  EXPECT_FALSE(LoadYaml("a: \xC0\xAF\n", "o.yaml").ok());
  EXPECT_FALSE(LoadYaml("a: \xED\xA0\x80\n", "s.yaml").ok());
  EXPECT_TRUE(LoadYaml("apiVersion: v1\nkind: \xF0\x9F\x98\x80\n", "e.yaml").ok());
}

}  // namespace
}  // namespace aimsgate::manifest
