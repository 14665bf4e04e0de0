#include <gtest/gtest.h>

#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {
namespace {

TEST(Smoke, YamlAndJson) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n", "a.yaml");
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString();
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_STREQ((*r.resources[0].object)["metadata"]["name"].GetString(), "a");
  LoadResult j = LoadJson("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", "a.json");
  ASSERT_TRUE(j.ok()) << j.errors[0].ToString();
  ASSERT_EQ(j.resources.size(), 1u);
}

}  // namespace
}  // namespace aimsgate::manifest
