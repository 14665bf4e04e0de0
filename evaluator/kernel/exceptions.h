// Exceptions at the boundaries of aimsgate (a worker thread, a command, a rule's
// evaluation, a pack load):
//
//   kernel::PrepareUnwinding();            // once, first thing in main()
//   ...
//   } catch (const std::exception& e) {
//     std::cerr << "aimsgate check: error: " << kernel::ExceptionText(e) << "\n";
#pragma once

#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <system_error>

namespace aimsgate::kernel {

// What to tell the user: a failed allocation, or a resource the system refused (a
// thread: "Resource temporarily unavailable"), says what the operator can act on
// (raise the limit, split the input); anything else is ours to fix, and says so.
inline std::string ExceptionText(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return "out of memory";
  if (dynamic_cast<const std::system_error*>(&e) != nullptr) return e.what();
  return std::string("internal error: ") + e.what();
}

// The first exception of several threads, kept to be thrown again on the thread that
// joins them (an exception must not leave a std::thread: std::terminate).  Keeping it
// does not allocate, so it also works when memory is what ran out.
//
//   kernel::FirstException failed;
//   auto work = [&] { try { ... } catch (...) { failed.Keep(); } };
//   ... join ...
//   failed.Rethrow();   // no-op when none was kept
class FirstException {
 public:
  void Keep() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!first_) first_ = std::current_exception();
  }
  void Rethrow() {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::mutex mu_;
  std::exception_ptr first_;
};

// An exception that crosses one of glibc's own frames (pthread_once, under
// std::call_once here and in RE2's lazily built programs) needs glibc's unwinder
// link, which glibc opens with dlopen the first time and then keeps.  Were that
// first time an out-of-memory exception, the dlopen would fail as well and glibc
// would abort the process ("libgcc_s.so.1 must be installed for unwinding to
// work", seen under `ulimit -v` with `check --jobs 8`) instead of handing the
// exception on.  Crossing one at start-up, while memory is there, opens it for good.
inline void PrepareUnwinding() {
  std::once_flag flag;
  try {
    std::call_once(flag, [] { throw 0; });
  } catch (int) {
  }
}

}  // namespace aimsgate::kernel
