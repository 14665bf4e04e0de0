#include <gtest/gtest.h>

#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

TEST(Smoke, Basic) {
  EXPECT_EQ(Dump("a.b + 1 > 2 && x in ['y']"), "(_&&_ (_>_ (_+_ (. a b) 1) 2) (@in x [\"y\"]))");
}

}  // namespace
}  // namespace aimsgate::cel::testing
