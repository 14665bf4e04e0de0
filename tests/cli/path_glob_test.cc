#include "cli/path_glob.h"

#include <gtest/gtest.h>

namespace aimsgate::cli {
namespace {

struct GlobCase {
  const char* glob;
  const char* path;
  bool is_dir;
  bool match;
};

class GlobTest : public ::testing::TestWithParam<GlobCase> {};

TEST_P(GlobTest, Matches) {
  const GlobCase& c = GetParam();
  PathGlob g(c.glob);
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(g.Matches(c.path, c.is_dir), c.match) << c.glob << " vs " << c.path << " (regex " << g.regex() << ")";
}

INSTANTIATE_TEST_SUITE_P(
    Gitignore, GlobTest,
    ::testing::Values(
        // No slash: a name at any depth.
        GlobCase{"*.yaml", "a.yaml", false, true}, GlobCase{"*.yaml", "x/y/a.yaml", false, true},
        GlobCase{"*.yaml", "a.yml", false, false}, GlobCase{"secret", "deep/secret", true, true},
        // '*' and '?' never cross '/'.
        GlobCase{"a/*.yaml", "a/b/c.yaml", false, false}, GlobCase{"a/?.yaml", "a/b.yaml", false, true},
        GlobCase{"a?b", "a/b", false, false},
        // A slash anchors to the base directory.
        GlobCase{"a/b.yaml", "a/b.yaml", false, true}, GlobCase{"a/b.yaml", "x/a/b.yaml", false, false},
        GlobCase{"/top.yaml", "top.yaml", false, true}, GlobCase{"/top.yaml", "sub/top.yaml", false, false},
        // '**' forms.
        GlobCase{"**/gen/*.yaml", "gen/a.yaml", false, true}, GlobCase{"**/gen/*.yaml", "x/y/gen/a.yaml", false, true},
        GlobCase{"charts/**", "charts/a/b/c.yaml", false, true}, GlobCase{"charts/**", "charts", true, false},
        GlobCase{"a/**/z.yaml", "a/z.yaml", false, true}, GlobCase{"a/**/z.yaml", "a/b/c/z.yaml", false, true},
        GlobCase{"a/**/z.yaml", "b/a/z.yaml", false, false}, GlobCase{"**", "any/thing", false, true},
        // Directory-only patterns.
        GlobCase{"build/", "build", true, true}, GlobCase{"build/", "build", false, false},
        GlobCase{"build/", "x/build", true, true},
        // Classes and escapes.
        GlobCase{"[ab].yaml", "a.yaml", false, true}, GlobCase{"[ab].yaml", "c.yaml", false, false},
        GlobCase{"[!ab].yaml", "c.yaml", false, true}, GlobCase{"[!ab].yaml", "a.yaml", false, false},
        GlobCase{"v[0-9].yaml", "v7.yaml", false, true}, GlobCase{"\\*.yaml", "*.yaml", false, true},
        GlobCase{"\\*.yaml", "a.yaml", false, false}, GlobCase{"a+b(1).yaml", "a+b(1).yaml", false, true},
        GlobCase{"[unterminated", "[unterminated", false, true}));

TEST(IgnoreRules, LastMatchWinsAndNegationReincludes) {
  std::vector<std::string> errors;
  IgnoreRules r = IgnoreRules::Parse("# comment\n\n*.tmp.yaml\n!keep.tmp.yaml   \nbuild/\n\\#literal.yaml\n", &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(r.Match("x.tmp.yaml", false), IgnoreRules::kIgnored);
  EXPECT_EQ(r.Match("sub/keep.tmp.yaml", false), IgnoreRules::kIncluded);
  EXPECT_EQ(r.Match("build", true), IgnoreRules::kIgnored);
  EXPECT_EQ(r.Match("build", false), IgnoreRules::kNoMatch);
  EXPECT_EQ(r.Match("#literal.yaml", false), IgnoreRules::kIgnored);
  EXPECT_EQ(r.Match("app.yaml", false), IgnoreRules::kNoMatch);
}

TEST(IgnoreRules, CrlfAndEscapedTrailingSpace) {
  std::vector<std::string> errors;
  IgnoreRules r = IgnoreRules::Parse("a.yaml\r\nb\\ \r\n", &errors);
  EXPECT_EQ(r.Match("a.yaml", false), IgnoreRules::kIgnored);
  EXPECT_EQ(r.Match("b ", false), IgnoreRules::kIgnored);
}

TEST(IgnoreRules, BadPatternIsReportedWithItsLine) {
  std::vector<std::string> errors;
  IgnoreRules r = IgnoreRules::Parse("ok.yaml\n[/]\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("line 2:", 0), 0u) << errors[0];
  EXPECT_EQ(r.Match("ok.yaml", false), IgnoreRules::kIgnored);
}

}  // namespace
}  // namespace aimsgate::cli
