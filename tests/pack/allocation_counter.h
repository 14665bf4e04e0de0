// Counts operator new in the test binaries that link allocation_counter.cc
// (matcher_tests, resource_ref_tests): a test asserts that a hot path does not
// allocate by reading Allocations() before and after it.
#pragma once

namespace aimsgate::test {

// Calls of operator new so far in this binary.
long Allocations();

// False under AddressSanitizer, which owns operator new (a malloc-based
// replacement would be an alloc-dealloc mismatch there): counts are not taken.
bool CountsAllocations();

}  // namespace aimsgate::test
