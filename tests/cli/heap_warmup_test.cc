// WarmHeap maps heap pages up front; the allocations after it must not fault them
// in one at a time.  Each case runs in a fresh process (a threadsafe death test
// re-executes this binary), so the heap's state is the one a command starts with.
#include "cli/heap_warmup.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace aimsgate::cli {
namespace {

constexpr size_t kAllocated = 2 << 20;  // 2,048 blocks of 1 KiB: 512 pages

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Minor page faults taken while allocating and writing kAllocated bytes in small blocks,
// as a pack's compile does.
long FaultsWhileAllocating() {
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(kAllocated / 1024);
  const long before = MinorFaults();
  for (size_t i = 0; i < kAllocated / 1024; ++i) {
    blocks.emplace_back(new char[1024]);
    std::memset(blocks.back().get(), 1, 1024);
  }
  return MinorFaults() - before;
}

// Ends the child: 0 when `ok`, else 1 with the count on stderr for the failure message.
[[noreturn]] void ExitWith(bool ok, long faults) {
  std::fprintf(stderr, "%ld page faults\n", faults);
  _exit(ok ? 0 : 1);
}

TEST(HeapWarmup, WithoutItEachNewPageFaults) {
  if (!HeapWarmupApplies()) GTEST_SKIP() << "the sanitizers' allocator maps memory its own way";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The control: the count below is a measure that can see pages faulted one by one.
  EXPECT_EXIT(
      {
        const long faults = FaultsWhileAllocating();
        ExitWith(faults >= 256, faults);
      },
      testing::ExitedWithCode(0), "");
}

TEST(HeapWarmup, AfterItTheHeapsPagesAreAlreadyMapped) {
  if (!HeapWarmupApplies()) GTEST_SKIP() << "the sanitizers' allocator maps memory its own way";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        if (!WarmHeap(4 << 20)) {
          std::fprintf(stderr, "no MADV_POPULATE_WRITE (Linux < 5.14)\n");
          _exit(0);
        }
        const long faults = FaultsWhileAllocating();
        ExitWith(faults < 64, faults);
      },
      testing::ExitedWithCode(0), "");
}

TEST(HeapWarmup, OnAWorkerThreadItMapsThatThreadsArena) {
  if (!HeapWarmupApplies()) GTEST_SKIP() << "the sanitizers' allocator maps memory its own way";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        long faults = -1;
        std::thread worker([&] {
          if (WarmHeap(4 << 20)) faults = FaultsWhileAllocating();
        });
        worker.join();
        if (faults < 0) {
          std::fprintf(stderr, "no MADV_POPULATE_WRITE (Linux < 5.14)\n");
          _exit(0);
        }
        ExitWith(faults < 64, faults);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace aimsgate::cli
