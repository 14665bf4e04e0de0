#include "cli/output_file.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/cli/test_util.h"

namespace aimsgate::cli {
namespace {

using testing::TempDir;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t EntriesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(OutputFile, ReplacesAnExistingFileOnlyOnCommit) {
  TempDir t;
  std::ofstream(t / "r.json") << "old";
  ASSERT_EQ(chmod((t / "r.json").c_str(), 0600), 0);
  OutputFile file;
  std::string why;
  ASSERT_TRUE(file.Open(t / "r.json", &why)) << why;
  file.stream() << std::string(200000, 'x');
  file.stream().flush();
  EXPECT_EQ(Read(t / "r.json"), "old");
  EXPECT_EQ(EntriesIn(t.path()), 2u);  // r.json and the temporary file
  ASSERT_TRUE(file.Commit(&why)) << why;
  EXPECT_EQ(Read(t / "r.json"), std::string(200000, 'x'));
  EXPECT_EQ(EntriesIn(t.path()), 1u);
  struct stat st;
  ASSERT_EQ(stat((t / "r.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(OutputFile, UncommittedLeavesTheOldFileAndNoTemporary) {
  TempDir t;
  std::ofstream(t / "r.json") << "old";
  {
    OutputFile file;
    std::string why;
    ASSERT_TRUE(file.Open(t / "r.json", &why)) << why;
    file.stream() << "half a report";
  }
  EXPECT_EQ(Read(t / "r.json"), "old");
  EXPECT_EQ(EntriesIn(t.path()), 1u);
}

TEST(OutputFile, NewFileInAMissingDirectorySaysWhy) {
  TempDir t;
  OutputFile file;
  std::string why;
  EXPECT_FALSE(file.Open(t / "no/such/r.json", &why));
  EXPECT_EQ(why, "No such file or directory");
}

TEST(OutputFile, FullDeviceFailsWithTheReason) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  OutputFile file;
  std::string why;
  ASSERT_TRUE(file.Open("/dev/full", &why)) << why;  // a device: written in place
  file.stream() << "report";
  EXPECT_FALSE(file.Commit(&why));
  EXPECT_EQ(why, "No space left on device");
}

TEST(SameFileConflict, NamesBothUsesOfOneFile) {
  TempDir t;
  t.Write("in.yaml", "a: 1\n");
  std::filesystem::create_directory(t / "sub");
  EXPECT_EQ(SameFileConflict({{"-o X", t / "in.yaml", true}, {"input Y", t / "sub/../in.yaml", false}}),
            "-o X and input Y name the same file; give each its own");
  // Not there yet: the normalised path decides.
  EXPECT_NE(SameFileConflict({{"a", t / "new.json", true}, {"b", t / "sub/../new.json", true}}), "");
  EXPECT_EQ(SameFileConflict({{"a", t / "new.json", true}, {"b", t / "other.json", true}}), "");
  // Two reads, devices and stdout never conflict.
  EXPECT_EQ(SameFileConflict({{"a", t / "in.yaml", false}, {"b", t / "in.yaml", false}}), "");
  EXPECT_EQ(SameFileConflict({{"a", "/dev/null", true}, {"b", "/dev/null", true}}), "");
  EXPECT_EQ(SameFileConflict({{"a", "-", true}, {"b", "-", true}}), "");
}

}  // namespace
}  // namespace aimsgate::cli
