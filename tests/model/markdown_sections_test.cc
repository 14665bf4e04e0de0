#include "evaluator/model/markdown_sections.h"

#include <gtest/gtest.h>

namespace aimsgate::model {
namespace {

const MarkdownSection* Find(const std::vector<MarkdownSection>& sections, const std::string& title) {
  for (const MarkdownSection& s : sections) {
    if (s.title == title) return &s;
  }
  return nullptr;
}

TEST(MarkdownSectionsTest, SectionContentIncludesSubsectionsButNotHeadings) {
  auto sections = ParseMarkdownSections(
      "# Title\nintro\n## Uses\n### Direct Use\nqueue ordering\n### Out-of-Scope Use\nnot for refunds\n"
      "## Limitations ##\nshort texts\n");
  ASSERT_EQ(sections.size(), 5u);
  const MarkdownSection* uses = Find(sections, "Uses");
  ASSERT_NE(uses, nullptr);
  EXPECT_EQ(uses->level, 2);
  EXPECT_EQ(uses->line, 3);
  EXPECT_EQ(uses->content, "queue ordering\nnot for refunds");
  const MarkdownSection* limitations = Find(sections, "Limitations");
  ASSERT_NE(limitations, nullptr);
  EXPECT_EQ(limitations->content, "short texts");
  EXPECT_EQ(Find(sections, "Title")->content, "intro\nqueue ordering\nnot for refunds\nshort texts");
}

TEST(MarkdownSectionsTest, TemplatePlaceholdersAndCommentsAreNotContent) {
  auto sections = ParseMarkdownSections(
      "## Bias, Risks, and Limitations\n<!-- This section is meant to convey both technical and\n"
      "sociotechnical limitations. -->\n\n[More Information Needed]\n### Recommendations\n"
      "<!-- one line -->[More Information Needed]\n");
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].content, "");
  EXPECT_EQ(sections[1].content, "");
}

TEST(MarkdownSectionsTest, FencedCodeAndHashtagsAreNotHeadings) {
  auto sections = ParseMarkdownSections("## Usage\n```python\n# load the model\nm = load()\n```\n#hashtag\n");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].content, "```python\n# load the model\nm = load()\n```\n#hashtag");
}

TEST(MarkdownSectionsTest, SevenHashesAndCarriageReturns) {
  auto sections = ParseMarkdownSections("####### not a heading\r\n# Real\r\ntext\r\n");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title, "Real");
  EXPECT_EQ(sections[0].line, 2);
  EXPECT_EQ(sections[0].content, "text");
}

TEST(MarkdownSectionsTest, ManyHeadingsStayLinear) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "# h\nx\n";
  auto sections = ParseMarkdownSections(text);
  EXPECT_EQ(sections.size(), 200000u);
  EXPECT_EQ(sections.back().content, "x");
}

}  // namespace
}  // namespace aimsgate::model
