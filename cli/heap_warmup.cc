#include "cli/heap_warmup.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; glibc 2.36's headers lack it
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AIMSGATE_FOREIGN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AIMSGATE_FOREIGN_MALLOC 1
#endif
#endif

namespace aimsgate::cli {

bool HeapWarmupApplies() {
#if defined(__GLIBC__) && !defined(AIMSGATE_FOREIGN_MALLOC)
  return true;
#else
  return false;
#endif
}

bool WarmHeap(size_t bytes) {
#if defined(__GLIBC__) && !defined(AIMSGATE_FOREIGN_MALLOC)
  if (bytes == 0) return false;
  // Blocks below 32 MiB come from the arena, and up to 64 MiB of free memory at its top
  // stays mapped: the limits glibc's own adaptive thresholds would reach, fixed now so
  // that the block below is not an mmap of its own and its pages are not trimmed on free.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  char* block = static_cast<char*>(std::malloc(bytes));
  if (block == nullptr) return false;
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(block) + page - 1) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(block) + bytes) & ~(page - 1);
  const bool mapped = end > begin && madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0;
  std::free(block);
  return mapped;
#else
  (void)bytes;
  return false;
#endif
}

}  // namespace aimsgate::cli
