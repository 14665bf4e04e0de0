// Write failures are reported, counted and rolled back; never silently dropped.
// Each case runs in a forked child so that resource limits and uid changes stay there.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <thread>

#include "evaluator/evidence/log/verifier.h"
#include "evaluator/evidence/log/writer.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

using testing::ReadAll;
using testing::SplitLines;
using testing::TempDir;

// Runs `body` in a child; returns its exit status (body's return value).
int InChild(const std::function<int()>& body) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(WriteFailure, FileSizeLimitIsAnErrorAndTheChainStaysIntact) {
  TempDir dir;
  std::string path = dir.File("e.jsonl");
  int rc = InChild([&] {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {8192, 8192};
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) return 10;
    WriterOptions opts;
    opts.path = path;
    opts.checkpoint_every_seconds = 0;
    opts.fsync = FsyncPolicy::kAlways;
    EvidenceWriter w;
    if (!w.Open(opts).ok()) return 11;
    auto ev = testing::SampleEvaluation("ml", "a");
    RecordInput in;
    in.evaluation = &ev;
    int ok = 0;
    Status last;
    for (int i = 0; i < 100; ++i) {
      last = w.Append(in);
      if (!last.ok()) break;
      ++ok;
    }
    if (last.ok()) return 12;                        // never failed
    if (last.error_number() != EFBIG && last.error_number() != ENOSPC) return 13;
    if (last.message().find("cannot write evidence record") == std::string::npos) return 14;
    if (w.write_errors() != 1) return 15;
    if (w.records_written() != static_cast<uint64_t>(ok)) return 16;
    if (w.Append(in).ok()) return 17;                // still full: still an error
    if (w.write_errors() != 2) return 18;
    w.Close();                                       // closing checkpoint fails too
    return 0;
  });
  ASSERT_EQ(rc, 0);
  std::string data = ReadAll(path);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.back(), '\n');  // the partial line was rolled back
  VerifyResult r = VerifyFile(path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_GT(r.records, 3u);
}

// Issue 13, finding 10: a record that was written is reported as recorded even when the
// checkpoint it triggers cannot be written (the caller must not deny while the record
// says allow); the checkpoint failure is counted and the chain stays intact.
TEST(WriteFailure, FailedCheckpointAfterAWrittenRecordIsNotAFailedRecord) {
  TempDir dir;
  WriterOptions opts;
  opts.checkpoint_every_records = 1;
  opts.checkpoint_every_seconds = 0;
  auto ev = testing::SampleEvaluation("ml", "a");
  RecordInput in;
  in.evaluation = &ev;
  // The same writes without a limit, to learn where the checkpoint line starts.
  opts.path = dir.File("probe.jsonl");
  {
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(opts).ok());
    ASSERT_TRUE(w.Append(in).ok());
  }
  std::vector<std::string> probe = SplitLines(ReadAll(opts.path));
  ASSERT_GE(probe.size(), 3u);
  size_t before_checkpoint = 0;
  for (const std::string& line : probe) {
    if (line.find("\"type\":\"checkpoint\"") != std::string::npos) break;
    before_checkpoint += line.size() + 1;
  }
  opts.path = dir.File("e.jsonl");
  int rc = InChild([&] {
    signal(SIGXFSZ, SIG_IGN);
    rlim_t limit = static_cast<rlim_t>(before_checkpoint + 20);
    struct rlimit lim = {limit, limit};
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) return 10;
    EvidenceWriter w;
    if (!w.Open(opts).ok()) return 11;
    if (!w.Append(in).ok()) return 12;  // recorded; only its checkpoint failed
    if (w.records_written() != 1) return 13;
    if (w.write_errors() != 1) return 14;
    return 0;
  });
  ASSERT_EQ(rc, 0);
  std::string data = ReadAll(opts.path);
  EXPECT_EQ(data.size(), before_checkpoint);  // the partial checkpoint was rolled back
  VerifyResult r = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 1u);
  EXPECT_EQ(r.unsigned_tail, 1u);
}

TEST(WriteFailure, ReadOnlyFileIsAnOpenError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another uid";
  TempDir dir;
  chmod(dir.path().c_str(), 0755);
  std::string path = dir.File("e.jsonl");
  testing::WriteAll(path, "");
  chmod(path.c_str(), 0444);
  int rc = InChild([&] {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 10;
    WriterOptions opts;
    opts.path = path;
    EvidenceWriter w;
    Status s = w.Open(opts);
    if (s.ok()) return 11;
    if (s.error_number() != EACCES) return 12;
    if (s.message().find("cannot open evidence log") == std::string::npos) return 13;
    RecordInput in;
    auto ev = testing::SampleEvaluation("ml", "a");
    in.evaluation = &ev;
    if (w.Append(in).ok()) return 14;  // not open: an error, counted
    if (w.write_errors() != 1) return 15;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(WriteFailure, UnwritableDirectoryIsAnOpenError) {
  WriterOptions opts;
  opts.path = "/proc/aimsgate-evidence-test/e.jsonl";
  EvidenceWriter w;
  Status s = w.Open(opts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error_number(), 0);
}

// A periodic checkpoint that cannot be written is counted and tried again a period later:
// retried at once, the timer spun, holding the log's lock that every Append needs.
TEST(WriteFailure, APeriodicCheckpointThatFailsIsRetriedAPeriodLaterNotAtOnce) {
  TempDir dir;
  std::string path = dir.File("e.jsonl");
  int rc = InChild([&] {
    signal(SIGXFSZ, SIG_IGN);
    WriterOptions opts;
    opts.path = path;
    opts.checkpoint_every_seconds = 1;
    opts.checkpoint_every_records = 0;
    EvidenceWriter w;
    if (!w.Open(opts).ok()) return 11;
    auto ev = testing::SampleEvaluation("ml", "a");
    RecordInput in;
    in.evaluation = &ev;
    if (!w.Append(in).ok()) return 12;
    // Full from here on: the record waits for a checkpoint that cannot be written.
    struct stat st{};
    if (stat(path.c_str(), &st) != 0) return 13;
    struct rlimit lim = {static_cast<rlim_t>(st.st_size) + 10, static_cast<rlim_t>(st.st_size) + 10};
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) return 14;
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    const uint64_t tries = w.write_errors();
    if (tries < 2) return 15;  // the timer tried, and again a period later
    if (tries > 5) return 16;  // about once a second, not in a loop
    w.Close();
    return 0;
  });
  EXPECT_EQ(rc, 0);
  VerifyResult r = VerifyFile(path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
}

TEST(WriteFailure, FullDeviceIsAnError) {
  // /dev/full fails every write with ENOSPC; it is not a regular file, so Open refuses it
  // unless it is stdout. Exercise the write path through a dup'ed stdout instead.
  TempDir dir;
  int rc = InChild([&] {
    int fd = ::open("/dev/full", O_WRONLY);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) return 10;
    WriterOptions opts;
    opts.path = "-";
    EvidenceWriter w;
    Status open = w.Open(opts);  // the start record cannot be written either
    if (open.ok()) return 11;
    if (open.error_number() != ENOSPC) return 15;
    auto ev = testing::SampleEvaluation("ml", "a");
    RecordInput in;
    in.evaluation = &ev;
    Status s = w.Append(in);
    if (s.ok()) return 12;
    if (w.write_errors() != 2) return 14;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace aimsgate::evidence
