// aimsgate's JSON types allocate through JsonCrtAllocator: a failed allocation
// is std::bad_alloc, never a null pointer RapidJSON would write through.
#include "evaluator/kernel/json.h"

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include <gtest/gtest.h>

// Under AddressSanitizer an impossible malloc aborts the test unless told to
// answer null, as the C library does.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace aimsgate {
namespace {

// More than any allocator can give (over PTRDIFF_MAX): malloc answers null at
// once.  Read through a volatile, so that the compiler does not see (and warn
// about) the size.
size_t Impossible() {
  volatile size_t n = SIZE_MAX / 2 + 1;
  return n;
}

TEST(JsonAllocator, AFailedMallocThrowsInsteadOfReturningNull) {
  JsonCrtAllocator allocator;
  EXPECT_THROW(allocator.Malloc(Impossible()), std::bad_alloc);
  EXPECT_EQ(allocator.Malloc(0), nullptr);  // as RapidJSON's CrtAllocator
  void* p = allocator.Malloc(16);
  ASSERT_NE(p, nullptr);
  JsonCrtAllocator::Free(p);
}

TEST(JsonAllocator, AFailedReallocThrowsAndLeavesTheBlockToItsOwner) {
  JsonCrtAllocator allocator;
  char* p = static_cast<char*>(allocator.Malloc(16));
  std::memcpy(p, "fifteen bytes..", 16);
  EXPECT_THROW(allocator.Realloc(p, 16, Impossible()), std::bad_alloc);
  EXPECT_STREQ(p, "fifteen bytes..");  // still the caller's, unchanged
  p = static_cast<char*>(allocator.Realloc(p, 16, 64));
  EXPECT_STREQ(p, "fifteen bytes..");
  JsonCrtAllocator::Free(p);
}

TEST(JsonAllocator, ThePoolOfADocumentPassesTheFailureOn) {
  JsonDocument doc;
  EXPECT_THROW(doc.GetAllocator().Malloc(Impossible()), std::bad_alloc);
  // The document is still whole and usable.
  doc.SetObject();
  doc.AddMember("k", JsonValue("value", doc.GetAllocator()), doc.GetAllocator());
  EXPECT_STREQ(doc["k"].GetString(), "value");
}

// (A string buffer's growth is not tested with an impossible size: RapidJSON's
// stack computes the new end pointer before it asks the allocator, which is
// itself undefined behaviour at that size — UBSan, internal/stack.h:117.)

// A budget in scope bounds what a parse on this thread may allocate, stack and
// pool together; out of scope, nothing is counted.
TEST(JsonAllocationBudget, APastTheBudgetParseThrowsAndNothingIsCountedOutsideIt) {
  std::string dense = "[0";
  for (int i = 0; i < 100000; ++i) dense += ",0";
  dense += "]";  // 200 KB of text, 1.6 MB of values
  {
    JsonAllocationBudget budget(1 << 20);
    JsonDocument doc;
    EXPECT_THROW(doc.Parse(dense.c_str(), dense.size()), JsonAllocationBudget::JsonBudgetExceeded);
  }
  {
    JsonAllocationBudget budget(1 << 20);
    JsonDocument doc;
    doc.Parse("{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}");
    EXPECT_FALSE(doc.HasParseError());
  }
  JsonDocument unbounded;
  unbounded.Parse(dense.c_str(), dense.size());
  ASSERT_FALSE(unbounded.HasParseError());
  EXPECT_EQ(unbounded.Size(), 100001u);
}

}  // namespace
}  // namespace aimsgate
