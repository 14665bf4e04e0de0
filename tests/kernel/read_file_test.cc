// kernel::ReadWholeFile: whatever the path names, at most the bound is read and
// held (the buffer never grows past twice the bound), and each refusal says why.
#include "evaluator/kernel/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace aimsgate::kernel {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/aimsgate_read_file_test_" + std::to_string(::getpid()) + "_" + name;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(ReadWholeFile, ARegularFileUpToTheBound) {
  const std::string bytes(1000, 'x');
  const std::string path = WriteFile("exact", bytes);
  std::string out, error;
  ASSERT_TRUE(ReadWholeFile(path, 1000, &out, &error)) << error;
  EXPECT_EQ(out, bytes);
  const std::string empty = WriteFile("empty", "");
  ASSERT_TRUE(ReadWholeFile(empty, 1000, &out, &error)) << error;
  EXPECT_EQ(out, "");
  std::remove(empty.c_str());
  errno = 0;
  EXPECT_FALSE(ReadWholeFile(path, 999, &out, &error));
  EXPECT_EQ(error, "larger than 999 bytes");
  EXPECT_EQ(errno, EFBIG);
  EXPECT_EQ(out, "");
  std::remove(path.c_str());
}

// Reading stops one byte past the bound: /dev/zero is an error, and the buffer
// it took is bounded by the bound, not by how long the device would go on.
TEST(ReadWholeFile, AnEndlessDeviceIsAnErrorInBoundedMemory) {
  std::string out, error;
  const size_t bound = size_t{1} << 20;
  EXPECT_FALSE(ReadWholeFile("/dev/zero", bound, &out, &error));
  EXPECT_EQ(error, "larger than 1 MiB");
  EXPECT_EQ(out, "");
  EXPECT_LE(out.capacity(), 2 * (bound + 1));
}

TEST(ReadWholeFile, APipeIsReadToItsEnd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([fd = fds[1]] {
    const std::string chunk(100000, 'p');  // more than a pipe buffer: several reads
    for (int i = 0; i < 3; ++i) {
      size_t at = 0;
      while (at < chunk.size()) {
        const ssize_t n = ::write(fd, chunk.data() + at, chunk.size() - at);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
    }
    ::close(fd);
  });
  std::string out, error;
  const bool ok = ReadWholeFile("/dev/fd/" + std::to_string(fds[0]), 1 << 20, &out, &error);
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(out, std::string(300000, 'p'));
}

TEST(ReadWholeFile, APipeThatGoesOnPastTheBoundIsAnError) {
  std::signal(SIGPIPE, SIG_IGN);  // the writer's write after the reader is gone fails with EPIPE
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([fd = fds[1]] {
    const std::string chunk(4096, 'q');
    while (::write(fd, chunk.data(), chunk.size()) > 0) {
    }
    ::close(fd);
  });
  std::string out, error;
  const bool ok = ReadWholeFile("/dev/fd/" + std::to_string(fds[0]), 64 << 10, &out, &error);
  ::close(fds[0]);  // the writer's next write fails and it ends
  writer.join();
  EXPECT_FALSE(ok);
  EXPECT_EQ(error, "larger than 64 KiB");
}

TEST(ReadWholeFile, ADirectoryOrNothingSaysSo) {
  std::string out, error;
  errno = 0;
  EXPECT_FALSE(ReadWholeFile("/", 1 << 20, &out, &error));
  EXPECT_EQ(error, "is a directory");
  EXPECT_EQ(errno, EISDIR);
  EXPECT_FALSE(ReadWholeFile(TempPath("missing"), 1 << 20, &out, &error));
  EXPECT_EQ(error, "No such file or directory");
  EXPECT_EQ(errno, ENOENT);
}

TEST(ReadWholeFile, BoundsAreNamedAsPeopleWriteThem) {
  EXPECT_EQ(BytesText(kMaxInputFileBytes), "64 MiB");
  EXPECT_EQ(BytesText(kMaxSmallFileBytes), "1 MiB");
  EXPECT_EQ(BytesText(512 << 10), "512 KiB");
  EXPECT_EQ(BytesText(1500), "1500 bytes");
}

}  // namespace
}  // namespace aimsgate::kernel
