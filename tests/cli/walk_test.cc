#include "cli/walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  EXPECT_THAT(w.files, ElementsAre("tree/in.yaml"));  // alias.yaml is the same file
  std::vector<std::string> skipped;
  for (const auto& s : w.skipped) skipped.push_back(s.source + ": " + s.message);
  EXPECT_THAT(skipped, ::testing::UnorderedElementsAre(
                           "tree/alias.yaml: same file as tree/in.yaml; not read again",
                           "tree/dangling.yaml: dangling symlink; skipped",
                           ::testing::StartsWith("tree/escape-dir: symlink points outside the scanned tree"),
                           ::testing::StartsWith("tree/escape.yaml: symlink points outside the scanned tree"),
                           "tree/loop: directory cycle through a symlink; not entered again",
                           ::testing::StartsWith("tree/sub/up: symlink points outside the scanned tree")));
}

std::vector<std::string> Notes(const WalkResult& w) {
  std::vector<std::string> notes;
  for (const auto& s : w.skipped) notes.push_back(s.source + ": " + s.message);
  return notes;
}

// A hostile-input audit: two symlinks per level to the next directory made
// 2^N paths to one file (N = 18 walked for minutes; N = 12 took one file as
// 8,191). Each real directory is walked once, each file taken once.
TEST(Walk, DirectoriesReachedByManyPathsAreWalkedOnce) {
  TempDir t;
  constexpr int kLevels = 12;
  for (int i = 0; i < kLevels; ++i) {
    const std::string next = "../d" + std::to_string(i + 1);
    t.Symlink(next, "d" + std::to_string(i) + "/a");
    t.Symlink(next, "d" + std::to_string(i) + "/b");
  }
  t.Write("d12/m.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"."}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  EXPECT_THAT(w.files, ElementsAre("d12/m.yaml"));
  ASSERT_EQ(w.skipped.size(), 2u * kLevels);
  EXPECT_EQ(Notes(w)[0], "d0/a: same directory as d1; not walked again");
}

// A directory is taken under its own name, even when a symlink to it sorts first.
TEST(Walk, SymlinksAreFollowedAfterTheTreesOwnEntries) {
  TempDir t;
  t.Symlink("../z", "a/link");
  t.Symlink("../z/x.yaml", "a/x-link.yaml");
  t.Write("z/x.yaml", kPod);
  t.Symlink("../../z", "b/only/via");  // and a directory only a symlink reaches is walked through it
  t.Write("c/.aimsgateignore", "*\n");
  t.Write("c/hidden/y.yaml", kPod);
  t.Symlink("../c/hidden", "b/to-hidden");
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"."}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  EXPECT_THAT(w.files, ElementsAre("b/to-hidden/y.yaml", "z/x.yaml"));
  EXPECT_THAT(Notes(w), ElementsAre("a/link: same directory as z; not walked again",
                                    "a/x-link.yaml: same file as z/x.yaml; not read again",
                                    "b/only/via: same directory as z; not walked again"));
}

TEST(Walk, ADirectoryNamedTwiceIsWalkedOnceWithoutANote) {
  TempDir t;
  t.Write("d/sub/a.yaml", kPod);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"d", "d/sub", "./d"}, WalkOptions());
  EXPECT_THAT(w.files, ElementsAre("d/sub/a.yaml"));
  EXPECT_TRUE(w.skipped.empty());
}

// FIFOs, sockets and devices with a manifest's name are noted, not read (a
// FIFO would block the run) nor dropped silently.
TEST(Walk, SpecialFilesAreNotedAsSkipped) {
  TempDir t;
  t.Write("d/a.yaml", kPod);
  ASSERT_EQ(mkfifo((t / "d/pipe.yaml").c_str(), 0600), 0);
  ASSERT_EQ(mkfifo((t / "d/pipe.txt").c_str(), 0600), 0);  // not a manifest's name: no note
  t.Symlink("pipe.yaml", "d/to-pipe.json");
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"d"}, WalkOptions());
  EXPECT_TRUE(w.errors.empty());
  EXPECT_THAT(w.files, ElementsAre("d/a.yaml"));
  EXPECT_THAT(Notes(w), ElementsAre("d/pipe.yaml: a FIFO, not a regular file; skipped",
                                    "d/to-pipe.json: a FIFO, not a regular file; skipped"));
}

// An entry whose type cannot be read is an input error, not dropped silently:
// here a symlink whose path is longer than PATH_MAX under a directory whose is not.
TEST(Walk, AnEntryThatCannotBeStatedIsAnError) {
  TempDir t;
  std::string deep;
  int dir = open(t.path().c_str(), O_DIRECTORY | O_RDONLY);
  for (int i = 0; i < 16; ++i) {  // made step by step: a long $TMPDIR must not matter
    const std::string name(250, static_cast<char>('a' + i));
    deep += (i ? "/" : "") + name;
    ASSERT_EQ(mkdirat(dir, name.c_str(), 0700), 0);
    int sub = openat(dir, name.c_str(), O_DIRECTORY | O_RDONLY);
    close(dir);
    dir = sub;
    ASSERT_GE(dir, 0);
  }
  ASSERT_EQ(symlinkat("x.yaml", dir, std::string(200, 'l').c_str()), 0);
  close(dir);
  ScopedCwd cwd(t.path());
  WalkResult w = WalkInputs({"."}, WalkOptions());
  ASSERT_EQ(w.errors.size(), 1u);
  EXPECT_EQ(w.errors[0].source, deep + "/" + std::string(200, 'l'));
  EXPECT_EQ(w.errors[0].message, "cannot stat: File name too long");
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
