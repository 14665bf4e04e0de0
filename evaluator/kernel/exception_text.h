// What to tell the user about an exception that reached a boundary (a worker
// thread, a command, a rule's evaluation, a pack load):
//
//   } catch (const std::exception& e) {
//     std::cerr << "aimsgate check: error: " << kernel::ExceptionText(e) << "\n";
//
// A failed allocation says what the operator can act on ("out of memory":
// raise the limit, split the input); anything else is ours to fix, and says so.
#pragma once

#include <exception>
#include <new>
#include <string>

namespace aimsgate::kernel {

inline std::string ExceptionText(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return "out of memory";
  return std::string("internal error: ") + e.what();
}

}  // namespace aimsgate::kernel
