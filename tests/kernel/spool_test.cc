// kernel::Spool: what a streaming report writer spools its body to.
#include "evaluator/kernel/spool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>
#include <string>

namespace aimsgate::kernel {
namespace {

// Sets an environment variable for one test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, old_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

std::string Pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('a' + i % 26);
  return s;
}

TEST(Spool, CopiesBackWhatWasWrittenAcrossBuffers) {
  Spool spool;
  const std::string body = Pattern(1000003);  // ~15 buffers, not a multiple of one
  spool.Write(body.substr(0, 70000));
  for (char c : body.substr(70000, 30000)) spool.Put(c);
  spool.Write(body.substr(100000));
  EXPECT_EQ(spool.size(), body.size());
  std::ostringstream out;
  ASSERT_TRUE(spool.CopyTo(out)) << spool.error();
  EXPECT_EQ(out.str(), body);
  std::string part;
  ASSERT_TRUE(spool.Read(65530, 20, &part));  // across the first buffer's end
  EXPECT_EQ(part, body.substr(65530, 20));
  ASSERT_TRUE(spool.Read(body.size() - 5, 5, &part));
  EXPECT_EQ(part, body.substr(body.size() - 5));
}

TEST(Spool, ASmallBodyNeverTouchesTheDisk) {
  ScopedEnv tmp("TMPDIR", "/nonexistent/aimsgate-spool-test");
  Spool spool;
  spool.Write("[1, 2, 3]");
  std::ostringstream out;
  ASSERT_TRUE(spool.CopyTo(out)) << spool.error();
  EXPECT_EQ(out.str(), "[1, 2, 3]");
  std::string part;
  ASSERT_TRUE(spool.Read(1, 4, &part));
  EXPECT_EQ(part, "1, 2");
}

TEST(Spool, NoTemporaryDirectoryIsAClearError) {
  ScopedEnv tmp("TMPDIR", "/nonexistent/aimsgate-spool-test");
  Spool spool;
  spool.Write(Pattern(200000));
  EXPECT_FALSE(spool.ok());
  EXPECT_EQ(spool.error(),
            "cannot create a temporary file in /nonexistent/aimsgate-spool-test (TMPDIR): No such file or directory");
  std::ostringstream out;
  EXPECT_FALSE(spool.CopyTo(out));
}

// A full disk: /dev/full fails every write with ENOSPC.
TEST(Spool, AFullDiskIsAClearError) {
  int fd = open("/dev/full", O_RDWR);
  if (fd < 0) GTEST_SKIP() << "no /dev/full";
  Spool spool;
  spool.Adopt(fd, "/dev/full");
  spool.Write(Pattern(100000));
  EXPECT_FALSE(spool.ok());
  EXPECT_EQ(spool.error(), "cannot write the report's temporary file in /dev/full: No space left on device");
  spool.Write("more");  // dropped: the first error stays
  EXPECT_EQ(spool.error(), "cannot write the report's temporary file in /dev/full: No space left on device");
  std::ostringstream out;
  EXPECT_FALSE(spool.CopyTo(out));
}

}  // namespace
}  // namespace aimsgate::kernel
