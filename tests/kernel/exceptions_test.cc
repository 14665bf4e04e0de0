#include "evaluator/kernel/exceptions.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace aimsgate::kernel {
namespace {

// What the operator can act on is said as such; anything else is ours, and says so.
TEST(ExceptionText, SaysWhatTheOperatorCanActOn) {
  EXPECT_EQ(ExceptionText(std::bad_alloc()), "out of memory");
  // What std::thread throws when the system gives no thread (memory for its stack, a pids limit).
  const std::system_error no_thread(EAGAIN, std::generic_category());
  EXPECT_EQ(ExceptionText(no_thread), no_thread.what());
  EXPECT_EQ(ExceptionText(no_thread).find("internal error"), std::string::npos);
  EXPECT_EQ(ExceptionText(std::runtime_error("boom")), "internal error: boom");
}

TEST(FirstException, KeepsTheFirstOfSeveralThreadsAndRethrowsIt) {
  FirstException failed;
  failed.Rethrow();  // none kept: nothing thrown
  auto fail_on_a_thread = [&](const char* what) {
    std::thread t([&] {
      try {
        throw std::runtime_error(what);
      } catch (...) {
        failed.Keep();
      }
    });
    t.join();
  };
  fail_on_a_thread("first");
  fail_on_a_thread("second");
  try {
    failed.Rethrow();
    FAIL() << "nothing rethrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
}

}  // namespace
}  // namespace aimsgate::kernel
