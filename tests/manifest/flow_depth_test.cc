// The flow-depth pre-scan must stop deep flow nesting and leave ordinary text alone.
#include <string>

#include <gtest/gtest.h>

#include "evaluator/manifest/flow_depth.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

constexpr size_t kNpos = std::string_view::npos;

TEST(FlowDepth, CountsFlowCollections) {
  EXPECT_EQ(FindExcessiveFlowDepth("a: [[[1]]]\n", 3), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: [[[[1]]]]\n", 3), 6u);
  EXPECT_EQ(FindExcessiveFlowDepth("a: {b: [c, {d: [e]}]}\n", 4), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: {b: [c, {d: [e]}]}\n", 3), 15u);
  EXPECT_EQ(FindExcessiveFlowDepth("{\"a\":[{\"b\":[1]}]}", 3), 11u);
  EXPECT_EQ(FindExcessiveFlowDepth("- [\n  [\n    [x]]]\n", 2), 12u);
  // Siblings do not add up.
  EXPECT_EQ(FindExcessiveFlowDepth("a: [[1], [2], [3], [4]]\n", 2), kNpos);
}

TEST(FlowDepth, IgnoresBracketsThatAreText) {
  const std::string brackets(500, '[');
  // Quoted scalars, comments, plain scalars and block scalars.
  EXPECT_EQ(FindExcessiveFlowDepth("a: '" + brackets + "'\n", 10), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: \"" + brackets + "\\\"\"\n", 10), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: 1 # " + brackets + "\n", 10), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: x" + brackets + "\n", 10), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: x,y:z?" + brackets + "\n", 10), kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("a: |\n  " + brackets + "\n  [[[[\n\n  " + brackets + "\nb: 1\n", 10),
            kNpos);
  EXPECT_EQ(FindExcessiveFlowDepth("- >-\n   " + brackets + "\n- x\n", 10), kNpos);
  // After the block scalar ends, counting resumes.
  EXPECT_EQ(FindExcessiveFlowDepth("a: |\n  [[[\nb: [[[\n", 2), 16u);
}

TEST(FlowDepth, LoaderReportsTheLocation) {
  Limits l;
  l.max_depth = 3;
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nspec:\n  x: [[[[]]]]\n", "f.yaml", l);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(), "f.yaml:4:9: error: nesting depth limit exceeded: more than 3 levels");
}

}  // namespace
}  // namespace aimsgate::manifest
