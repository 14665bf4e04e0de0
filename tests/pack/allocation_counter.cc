#include "tests/pack/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

// GCC sees the replaced delete's free() inline beside a new-expression.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCounts = false;
#else
constexpr bool kCounts = true;
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace aimsgate::test {

long Allocations() { return g_allocations.load(std::memory_order_relaxed); }
bool CountsAllocations() { return kCounts; }

}  // namespace aimsgate::test
