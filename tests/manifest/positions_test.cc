// Resource positions and FieldLine for YAML (JSON in json_test.cc).
#include <functional>
#include <thread>
#include <vector>
#include <string>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Errors;

const char kPod[] =
    "# leading comment\n"                   // 1
    "apiVersion: v1\n"                      // 2
    "kind: Pod\n"                           // 3
    "metadata:\n"                           // 4
    "  name: p\n"                           // 5
    "  annotations:\n"                      // 6
    "    aimsgate.io/owner: team\n"         // 7
    "spec:\n"                               // 8
    "  containers:\n"                       // 9
    "  - name: c\n"                         // 10
    "    image: nginx\n"                    // 11
    "    args: [a, 'b',\n"                  // 12
    "           c]\n"                       // 13
    "    command: |\n"                      // 14
    "      run\n"                           // 15
    "  nodeSelector: {}\n";                 // 16

TEST(Positions, FieldLineOfValuesAndKeys) {
  LoadResult r = LoadYaml(kPod, "pod.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Resource& res = r.resources[0];
  const aimsgate::JsonValue& o = *res.object;
  EXPECT_EQ(res.line, 2);
  EXPECT_EQ(res.column, 1);
  EXPECT_EQ(res.FieldLine(&o), 2);
  EXPECT_EQ(res.FieldLine(&o["kind"]), 3);
  EXPECT_EQ(res.FieldPosition(&o["kind"]).column, 7);
  // A mapping value that starts on the next line is positioned at its first key.
  EXPECT_EQ(res.FieldLine(&o["metadata"]), 5);
  EXPECT_EQ(res.FieldLine(&o["metadata"]["annotations"]["aimsgate.io/owner"]), 7);
  const aimsgate::JsonValue& c = o["spec"]["containers"][0];
  EXPECT_EQ(res.FieldLine(&o["spec"]["containers"]), 10);
  EXPECT_EQ(res.FieldPosition(&c).column, 5);
  EXPECT_EQ(res.FieldLine(&c["image"]), 11);
  EXPECT_EQ(res.FieldLine(&c["args"]), 12);
  EXPECT_EQ(res.FieldLine(&c["args"][1]), 12);
  EXPECT_EQ(res.FieldPosition(&c["args"][1]).column, 15);
  EXPECT_EQ(res.FieldLine(&c["args"][2]), 13);
  EXPECT_EQ(res.FieldLine(&c["command"]), 14);
  EXPECT_EQ(res.FieldLine(&o["spec"]["nodeSelector"]), 16);
  // Member names.
  auto it = o["metadata"].FindMember("annotations");
  EXPECT_EQ(res.FieldPosition(&it->name).line, 6);
  EXPECT_EQ(res.FieldPosition(&it->name).column, 3);
  // Pointers from elsewhere are unknown.
  aimsgate::JsonValue other;
  EXPECT_EQ(res.FieldLine(&other), 0);
  EXPECT_EQ(res.FieldLine(nullptr), 0);
}

TEST(Positions, EveryNodeHasAPosition) {
  LoadResult r = LoadYaml(kPod, "pod.yaml");
  ASSERT_TRUE(r.ok());
  const Resource& res = r.resources[0];
  int missing = 0, total = 0;
  std::function<void(const aimsgate::JsonValue&)> walk = [&](const aimsgate::JsonValue& v) {
    ++total;
    if (res.FieldLine(&v) == 0) ++missing;
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        ++total;
        if (res.FieldLine(&m.name) == 0) ++missing;
        walk(m.value);
      }
    } else if (v.IsArray()) {
      for (const auto& x : v.GetArray()) walk(x);
    }
  };
  walk(*res.object);
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(total, 31);
}

TEST(Positions, ResourcesOfLaterDocumentsAndUnicodeColumns) {
  LoadResult r = LoadYaml("apiVersion: v1\nkind: A\n---\n\n  apiVersion: v1\n  kind: B\n  x: \"héé\"\n  y: 1\n",
                          "u.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(r.resources[1].line, 5);
  EXPECT_EQ(r.resources[1].column, 3);
  const aimsgate::JsonValue& o = *r.resources[1].object;
  EXPECT_EQ(r.resources[1].FieldPosition(&o["x"]).column, 6);
  // Columns count characters, not bytes.
  LoadResult u = LoadYaml("apiVersion: v1\nkind: B\nm: {é: 1, z: 2}\n", "u.yaml");
  ASSERT_TRUE(u.ok());
  const aimsgate::JsonValue& m = (*u.resources[0].object)["m"];
  EXPECT_EQ(u.resources[0].FieldPosition(&m["z"]).column, 14);
}

TEST(Positions, ConcurrentFirstLookupsAgree) {
  LoadResult r = LoadYaml(kPod, "pod.yaml");
  ASSERT_TRUE(r.ok());
  const Resource& res = r.resources[0];
  const aimsgate::JsonValue* image = &(*res.object)["spec"]["containers"][0]["image"];
  // Each thread looks up more than kLinearLookups times: the first lookups scan
  // the index while another thread may be sorting its copy.
  std::vector<int> seen(8, -1);
  std::vector<int> wrong(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < 2 * LoadedDocument::kLinearLookups; ++i) {
        int line = res.FieldLine(image);
        if (line != 11) ++wrong[static_cast<size_t>(t)];
        seen[static_cast<size_t>(t)] = line;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int line : seen) EXPECT_EQ(line, 11);
  for (int w : wrong) EXPECT_EQ(w, 0);
  EXPECT_EQ(res.FieldLine(&(*res.object)["kind"]), 3);  // sorted by now
  const aimsgate::JsonValue outside;
  EXPECT_EQ(res.FieldLine(&outside), 0);  // not in the document
}

TEST(Positions, OwnerKeepsTheDocumentAlive) {
  const aimsgate::JsonValue* obj;
  Resource kept;
  {
    LoadResult r = LoadYaml(kPod, "pod.yaml");
    kept = r.resources[0];
    obj = kept.object;
  }
  EXPECT_STREQ((*obj)["metadata"]["name"].GetString(), "p");
  EXPECT_EQ(kept.FieldLine(&(*obj)["spec"]["containers"][0]["image"]), 11);
}

}  // namespace
}  // namespace aimsgate::manifest
