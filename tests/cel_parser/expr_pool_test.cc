// Expr nodes come from per-thread free lists (ast.h, expr_factory.cc): trees
// made on one thread and freed on another, by threads that then exit, must
// stay intact and give the same dumps as trees made on one thread.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "evaluator/cel/parser/parser.h"
#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

constexpr const char* kSources[] = {
    "object.metadata.labels.exists(k, k.startsWith('aimsgate.io/')) && size(object.spec.containers) > 0",
    "[1, 2, 3].map(x, x * 2).filter(y, y > 2)",
    "{'a': [1, {'b': has(x.y)}], 'c': x.z ? 'yes' : 'no'}",
};

TEST(ExprPoolTest, TreesMadeAndFreedOnManyThreads) {
  std::vector<std::string> expected;
  for (const char* s : kSources) expected.push_back(Dump(s));
  for (int round = 0; round < 3; ++round) {
    // Each thread parses trees and hands them over; they are freed on this
    // thread after the makers exited (their free lists returned to the shared one).
    std::vector<std::vector<ExprPtr>> made(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < made.size(); ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          ParseResult r = Parse(kSources[(t + static_cast<size_t>(i)) % 3]);
          ASSERT_TRUE(r.ok());
          made[t].push_back(std::move(r.expr));
        }
        // Free some here too: blocks of this thread's list go back when it exits.
        made[t].resize(25);
      });
    }
    for (auto& th : threads) th.join();
    for (size_t t = 0; t < made.size(); ++t) {
      for (size_t i = 0; i < made[t].size(); ++i) {
        EXPECT_EQ(DebugString(*made[t][i]), expected[(t + i) % 3]);
      }
    }
    made.clear();
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(Dump(kSources[i]), expected[i]);
  }
}

}  // namespace
}  // namespace aimsgate::cel::testing
