// Memory that runs out while the evidence writer closes (the closing checkpoint
// is built and signed in Close, which the destructor calls): Close returns an
// error, never throws, and still closes the file; what was written stays a
// verifiable log.  operator new is made to throw once, at the n-th call, for
// every n up to the first Close that needs no more.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "evaluator/evidence/log/verifier.h"
#include "evaluator/evidence/log/writer.h"
#include "tests/evidence/test_util.h"

// The replacement operators pair malloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
// >= 0: the calls of operator new left before one throws std::bad_alloc; -1 off.
std::atomic<long> g_fail_countdown{-1};
std::atomic<long> g_failures{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_fail_countdown.load(std::memory_order_relaxed) >= 0 && g_fail_countdown.fetch_sub(1) == 0) {
    g_failures.fetch_add(1);
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace aimsgate::evidence {
namespace {

TEST(CloseOutOfMemory, CloseReportsItClosesTheFileAndTheLogStaysVerifiable) {
  testing::TempDir dir;
  auto ev = testing::SampleEvaluation("ml", "a");
  RecordInput in;
  in.evaluation = &ev;
  long failed_closes = 0;
  bool closed_cleanly = false;
  for (long n = 0; n < 100000 && !closed_cleanly; ++n) {
    WriterOptions opts;
    opts.path = dir.File("e" + std::to_string(n) + ".jsonl");
    opts.checkpoint_every_seconds = 0;
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(opts).ok());
    ASSERT_TRUE(w.Append(in).ok());
    const long failures_before = g_failures.load();
    Status s;
    bool threw = false;
    g_fail_countdown = n;
    try {
      s = w.Close();
    } catch (...) {
      threw = true;
    }
    g_fail_countdown = -1;
    ASSERT_FALSE(threw) << "Close threw with the allocation " << n << " failing";
    if (g_failures.load() == failures_before) {
      closed_cleanly = true;  // Close needed fewer than n allocations
      EXPECT_TRUE(s.ok()) << s.message();
    } else {
      ++failed_closes;
      EXPECT_FALSE(s.ok()) << "allocation " << n;
      EXPECT_EQ(w.write_errors(), 1u) << "allocation " << n;
    }
    // The file is closed: a second Close has nothing left to do.
    EXPECT_TRUE(w.Close().ok());
    // Whatever the closing line's fate, the record is there and the chain holds.
    VerifyResult r = VerifyFile(opts.path, VerifyOptions());
    EXPECT_TRUE(r.ok) << "allocation " << n << ": " << r.ErrorLine();
    EXPECT_EQ(r.records, 1u) << "allocation " << n;
  }
  EXPECT_TRUE(closed_cleanly);
  EXPECT_GT(failed_closes, 5) << "the closing checkpoint should need several allocations";
}

// The destructor closes too: running out of memory there ends nothing.
TEST(CloseOutOfMemory, TheDestructorDoesNotTerminate) {
  testing::TempDir dir;
  auto ev = testing::SampleEvaluation("ml", "a");
  RecordInput in;
  in.evaluation = &ev;
  WriterOptions opts;
  opts.path = dir.File("d.jsonl");
  opts.checkpoint_every_seconds = 0;
  {
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(opts).ok());
    ASSERT_TRUE(w.Append(in).ok());
    g_fail_countdown = 0;  // the next allocation, in the destructor's Close
  }
  g_fail_countdown = -1;
  VerifyResult r = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 1u);
}

}  // namespace
}  // namespace aimsgate::evidence
