// The trees the build parses from the embedded YAML files (lite_yaml.h,
// EmbeddedLiteTree): each is the tree ParseLiteYaml makes of the file's text, it
// is used only for that text, and bytes that are not a whole snapshot are refused.
#include <gtest/gtest.h>

#include <string>

#include "evaluator/pack/embedded_files.h"
#include "evaluator/pack/lite_yaml.h"

namespace aimsgate {
namespace {

bool IsSnapshot(const std::string& path) { return path.size() > 5 && path.compare(path.size() - 5, 5, ".lite") == 0; }

TEST(LiteYamlSnapshot, EveryEmbeddedYamlFileHasTheTreeItsTextParsesTo) {
  int files = 0;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (IsSnapshot(f.path)) continue;
    SCOPED_TRACE(f.path);
    ++files;
    const std::string_view text(f.data, f.size);
    LiteTree parsed, built;
    ASSERT_TRUE(ParseLiteYaml(text, &parsed));
    ASSERT_TRUE(EmbeddedLiteTree(f.path, text, &built)) << "the build wrote no tree for it";
    EXPECT_TRUE(built == parsed);
    EXPECT_FALSE(built.documents().empty());
  }
  EXPECT_EQ(files, 5) << "the two built-in packs and the three framework catalogues";
}

TEST(LiteYamlSnapshot, OnlyTheEmbeddedTextGetsTheTree) {
  const std::string path = "rules/iso42001/pack.yaml";
  auto source = EmbeddedSource(path);
  ASSERT_TRUE(source);
  std::string edited(source->text());
  LiteTree tree;
  ASSERT_TRUE(EmbeddedLiteTree(path, edited, &tree));
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'x' ? 'y' : 'x';  // the same file, edited on disk
  EXPECT_FALSE(EmbeddedLiteTree(path, edited, &tree));
  EXPECT_FALSE(EmbeddedLiteTree(path, std::string(source->text()) + "\n", &tree));
  EXPECT_FALSE(EmbeddedLiteTree("rules/other/pack.yaml", source->text(), &tree));
  EXPECT_FALSE(EmbeddedLiteTree(path + ".lite", source->text(), &tree));
}

constexpr char kYaml[] = R"Y(# two documents, every node type, marks past multi-byte characters
a: plain
b: "quoted: é"
c: [1, ~, {d: e}]
f: >-
  folded
  text
---
- ü
- null
- {}
)Y";

TEST(LiteYamlSnapshot, WriteThenReadGivesTheSameTree) {
  LiteTree parsed, read;
  ASSERT_TRUE(ParseLiteYaml(kYaml, &parsed));
  const std::string bytes = WriteLiteTree(parsed);
  ASSERT_TRUE(ReadLiteTree(bytes, &read));
  EXPECT_TRUE(read == parsed);
  ASSERT_EQ(read.documents().size(), 2u);
  const LiteNode doc = read.documents()[0];
  EXPECT_EQ(doc["b"].Scalar(), "quoted: é");
  EXPECT_EQ(doc["b"].Tag(), "!");
  EXPECT_EQ(doc["a"].Tag(), "?");
  EXPECT_TRUE(doc["c"][size_t{1}].IsNull());
  EXPECT_EQ(doc["c"][size_t{2}]["d"].Scalar(), "e");
  EXPECT_EQ(doc["f"].Scalar(), "folded text");
  EXPECT_EQ(read.documents()[1][size_t{0}].Mark().line, parsed.documents()[1][size_t{0}].Mark().line);
  EXPECT_EQ(read.documents()[1][size_t{0}].Mark().column, 2);

  LiteTree other;
  ASSERT_TRUE(ParseLiteYaml("a: plain\n", &other));
  EXPECT_FALSE(other == parsed);
}

TEST(LiteYamlSnapshot, RefusesWhatIsNotAWholeSnapshot) {
  LiteTree parsed, read;
  ASSERT_TRUE(ParseLiteYaml(kYaml, &parsed));
  const std::string bytes = WriteLiteTree(parsed);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(ReadLiteTree(bytes.substr(0, n), &read)) << "a prefix of " << n << " bytes";
  }
  EXPECT_FALSE(ReadLiteTree(bytes + '\0', &read)) << "a trailing byte";
  std::string magic = bytes;
  magic[0] = 'l';
  EXPECT_FALSE(ReadLiteTree(magic, &read));
  // The last four bytes are the second document's index: past the last node, and negative.
  std::string index = bytes;
  index[index.size() - 4] = '\xFF';
  EXPECT_FALSE(ReadLiteTree(index, &read));
  index[index.size() - 1] = '\xFF';
  EXPECT_FALSE(ReadLiteTree(index, &read));
  // A node count no input of this size could hold is refused before anything is made of it.
  std::string count = bytes;
  for (size_t i = 9; i < 13; ++i) count[i] = '\xFF';
  EXPECT_FALSE(ReadLiteTree(count, &read));
  EXPECT_TRUE(ReadLiteTree(bytes, &read));
}

TEST(LiteYamlSnapshot, RefusesAChildThatIsNotBelowItsParent) {
  LiteTree parsed, read;
  ASSERT_TRUE(ParseLiteYaml("[a]\n", &parsed));  // node 0, the list, holds node 1
  std::string bytes = WriteLiteTree(parsed);
  ASSERT_TRUE(ReadLiteTree(bytes, &read));
  // The magic (9 bytes), the node count, then node 0: six fields, its child count, its child.
  const size_t child = 9 + 4 + 6 * 4 + 4;
  ASSERT_EQ(bytes[child], '\x01');
  bytes[child] = '\x00';  // the list inside itself: a walk would never end
  EXPECT_FALSE(ReadLiteTree(bytes, &read));
}

}  // namespace
}  // namespace aimsgate
