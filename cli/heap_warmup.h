// Start-up pays a page fault for each page of heap it first touches.  On the small
// virtual machines CI runs on, a fault costs 12–19 µs, and mapping the same pages in one
// madvise(MADV_POPULATE_WRITE) costs about 1 µs each (bench/README.md, "Start-up page
// faults"): `check` loading the ISO pack touched ≈ 600 heap pages, a quarter of its
// start-up.  WarmHeap maps them up front.
#pragma once

#include <cstddef>

namespace aimsgate::cli {

// Maps `bytes` of the calling thread's malloc arena in one system call and keeps freed
// memory mapped for the rest of the process, so the allocations that follow reuse
// those pages instead of faulting them in one at a time.  Returns whether the pages were
// mapped: false before Linux 5.14 (no MADV_POPULATE_WRITE; freed memory is still kept).
// Does nothing for 0 bytes, under the sanitizers (their allocator is not glibc's) and
// off glibc.
bool WarmHeap(size_t bytes);

// Whether WarmHeap acts at all in this build: glibc's allocator, no sanitizer.
bool HeapWarmupApplies();

}  // namespace aimsgate::cli
