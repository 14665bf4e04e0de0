#include "cli/walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/test_util.h"

namespace aimsgate::cli {
namespace {

using testing::ScopedCwd;
using testing::TempDir;
using ::testing::ElementsAre;

constexpr const char* kPod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";

TEST(Walk, FixtureRepoHonoursNestedIgnoreFiles) {
  ScopedCwd cwd(testing::Fixtures());
  WalkResult w = WalkInputs({"repo"}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  // ignored/ (dir pattern), *.tmp.yaml (but !keep.tmp.yaml), nested/deep/local-*.yaml are out;
  // .aimsgateignore itself has no manifest extension.
  EXPECT_THAT(w.files, ElementsAre("repo/apps/bad.yaml", "repo/apps/good.yaml", "repo/apps/odd name,with:colon%.yaml",
                                   "repo/apps/waived.yaml", "repo/config/cm.yaml", "repo/nested/deep/svc.yaml",
                                   "repo/nested/keep.tmp.yaml"));
}

TEST(Walk, IgnoreFileAppliesOnlyToItsSubtree) {
  TempDir t;
  t.Write("a/.aimsgateignore", "x.yaml\n/only-here.yaml\n");
  t.Write("a/x.yaml", kPod);
  t.Write("a/sub/x.yaml", kPod);
  t.Write("a/only-here.yaml", kPod);
  t.Write("a/sub/only-here.yaml", kPod);
  t.Write("b/x.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"."}, WalkOptions());
  EXPECT_THAT(w.files, ElementsAre("a/sub/only-here.yaml", "b/x.yaml"));
}

TEST(Walk, DeeperIgnoreFileOverridesShallower) {
  TempDir t;
  t.Write(".aimsgateignore", "*.gen.yaml\n");
  t.Write("keep/.aimsgateignore", "!*.gen.yaml\n");
  t.Write("x.gen.yaml", kPod);
  t.Write("keep/y.gen.yaml", kPod);
  ScopedCwd cwd(t.path());
  EXPECT_THAT(WalkInputs({"."}, WalkOptions()).files, ElementsAre("keep/y.gen.yaml"));
}

TEST(Walk, ExcludedDirectoryIsNotEnteredSoNegationCannotReinclude) {
  TempDir t;
  t.Write(".aimsgateignore", "vendor/\n!vendor/keep.yaml\n");
  t.Write("vendor/keep.yaml", kPod);
  t.Write("app.yaml", kPod);
  ScopedCwd cwd(t.path());
  EXPECT_THAT(WalkInputs({"."}, WalkOptions()).files, ElementsAre("app.yaml"));
}

TEST(Walk, BadIgnorePatternIsAnErrorWithLine) {
  TempDir t;
  t.Write("d/.aimsgateignore", "ok\n[/]\n");
  t.Write("d/a.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"d"}, WalkOptions());
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].source, "d/.aimsgateignore");
  EXPECT_EQ(w.errors[0].line, 2);
  EXPECT_THAT(w.files, ElementsAre("d/a.yaml"));
}

// An ignore file is read whole, up to 1 MiB; past that it is an error (and
// ignores nothing), not a read of however much the file holds.
TEST(Walk, IgnoreFilePastOneMebibyteIsAnError) {
  TempDir t;
  t.Write("d/.aimsgateignore", "a.yaml\n" + std::string(1 << 20, '#'));
  t.Write("d/a.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"d"}, WalkOptions());
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].source, "d/.aimsgateignore");
  EXPECT_EQ(w.errors[0].message, "cannot read the ignore file: larger than 1 MiB");
  EXPECT_THAT(w.files, ElementsAre("d/a.yaml"));
}

struct SelectCase {
  std::vector<std::string> include, exclude;
  std::vector<std::string> want;
};

class SelectTest : public ::testing::TestWithParam<SelectCase> {};

TEST_P(SelectTest, IncludeExclude) {
  TempDir t;
  for (const char* f : {"deploy/a.yaml", "deploy/b.json", "deploy/legacy/c.yaml", "charts/x/values.yaml",
                        "charts/x/templates/d.yaml", "notes.txt"}) {
    t.Write(f, kPod);
  }
  ScopedCwd cwd(t.path());
  WalkOptions o;
  o.include = GetParam().include;
  o.exclude = GetParam().exclude;
  WalkResult w = WalkInputs({"."}, o);
  EXPECT_TRUE(w.errors.empty());
  EXPECT_EQ(w.files, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Globs, SelectTest,
    ::testing::Values(
        SelectCase{{}, {}, {"charts/x/templates/d.yaml", "charts/x/values.yaml", "deploy/a.yaml", "deploy/b.json",
                            "deploy/legacy/c.yaml"}},
        SelectCase{{}, {"charts"}, {"deploy/a.yaml", "deploy/b.json", "deploy/legacy/c.yaml"}},
        SelectCase{{}, {"deploy/legacy/**", "values.yaml"}, {"charts/x/templates/d.yaml", "deploy/a.yaml",
                                                             "deploy/b.json"}},
        SelectCase{{"*.json"}, {}, {"deploy/b.json"}},
        SelectCase{{"deploy/**"}, {"legacy/"}, {"deploy/a.yaml", "deploy/b.json"}},
        // Extensions still apply: notes.txt is never a manifest of a walk.
        SelectCase{{"*.txt"}, {}, {}}));

TEST(Walk, GlobsMatchThePrintedPathAndThePathBelowTheArgument) {
  TempDir t;
  t.Write("repo/deploy/a.yaml", kPod);
  t.Write("repo/other/b.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkOptions o;
  o.exclude = {"repo/other/**"};
  EXPECT_THAT(WalkInputs({"repo"}, o).files, ElementsAre("repo/deploy/a.yaml"));
  o.exclude = {"other/**"};
  EXPECT_THAT(WalkInputs({"repo"}, o).files, ElementsAre("repo/deploy/a.yaml"));
}

TEST(Walk, InvalidGlobIsAnError) {
  WalkOptions o;
  o.exclude = {"[/]"};
  WalkResult w = WalkInputs({}, o);
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].source, "--exclude");
}

TEST(Walk, SymlinksOutOfTheTreeAreNotFollowed) {
  TempDir outside, t;
  outside.Write("secret.yaml", kPod);
  outside.Write("dir/x.yaml", kPod);
  t.Write("tree/in.yaml", kPod);
  t.Symlink(outside / "secret.yaml", "tree/escape.yaml");
  t.Symlink(outside / "dir", "tree/escape-dir");
  t.Symlink("../../", "tree/sub/up");                // to the temp dir's parent: outside
  t.Symlink("in.yaml", "tree/alias.yaml");           // inside: followed
  t.Symlink("/nonexistent/x.yaml", "tree/dangling.yaml");
  t.Symlink(".", "tree/loop");                       // inside, a cycle
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"tree"}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  EXPECT_THAT(w.files, ElementsAre("tree/alias.yaml", "tree/in.yaml"));
  std::vector<std::string> skipped;
  for (const auto& s : w.skipped) skipped.push_back(s.source);
  EXPECT_THAT(skipped, ::testing::UnorderedElementsAre("tree/dangling.yaml", "tree/escape-dir", "tree/escape.yaml",
                                                      "tree/loop", "tree/sub/up"));
}

TEST(Walk, ExplicitFilesAreAlwaysTakenAndDeduplicated) {
  TempDir t;
  t.Write(".aimsgateignore", "*.yaml\n");
  t.Write("a.yaml", kPod);
  t.Write("manifest.txt", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"manifest.txt", "./a.yaml", "a.yaml", "-", "."}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  EXPECT_THAT(w.files, ElementsAre("-", "a.yaml", "manifest.txt"));
}

TEST(Walk, MissingPathIsAnError) {
  WalkResult w = WalkInputs({"/nonexistent/aimsgate"}, WalkOptions());
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].message, "no such file or directory");
}

TEST(Walk, MountedConfigMapKeysAreReadOnce) {
  TempDir t;
  t.Write("cm/..2026_11_28_10_00_00.1/app.yaml", kPod);
  t.Symlink("..2026_11_28_10_00_00.1", "cm/..data");
  t.Symlink("..data/app.yaml", "cm/app.yaml");
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"cm"}, WalkOptions());
  EXPECT_THAT(w.files, ElementsAre("cm/app.yaml"));
  EXPECT_TRUE(w.skipped.empty());
}

TEST(Walk, GitDirectoryIsSkipped) {
  TempDir t;
  t.Write(".git/config.yaml", kPod);
  t.Write("a.yaml", kPod);
  ScopedCwd cwd(t.path());
  EXPECT_THAT(WalkInputs({"."}, WalkOptions()).files, ElementsAre("a.yaml"));
}

}  // namespace
}  // namespace aimsgate::cli

namespace aimsgate::cli {
namespace {

TEST(Walk, IgnoreFilesAboveTheArgumentApplyInsideAGitWorkTree) {
  testing::TempDir t;
  t.Write(".git/HEAD", "ref: refs/heads/main\n");
  t.Write(".aimsgateignore", "*.gen.yaml\n/top-only.yaml\nsub/anchored.yaml\n");
  t.Write("sub/x.gen.yaml", "kind: Pod\n");
  t.Write("sub/anchored.yaml", "kind: Pod\n");
  t.Write("sub/top-only.yaml", "kind: Pod\n");
  t.Write("sub/keep.yaml", "kind: Pod\n");
  testing::ScopedCwd cwd(t.path() + "/sub");
  EXPECT_THAT(WalkInputs({"."}, WalkOptions()).files, ::testing::ElementsAre("keep.yaml", "top-only.yaml"));
}

TEST(Walk, OutsideAGitWorkTreeOnlyTheWalkedTreeCounts) {
  testing::TempDir t;
  t.Write(".aimsgateignore", "*.gen.yaml\n");
  t.Write("sub/x.gen.yaml", "kind: Pod\n");
  testing::ScopedCwd cwd(t.path() + "/sub");
  EXPECT_THAT(WalkInputs({"."}, WalkOptions()).files, ::testing::ElementsAre("x.gen.yaml"));
}

}  // namespace
}  // namespace aimsgate::cli
