// Mutated and truncated inputs never crash or hang; every error has a position
// inside the input. Deterministic (fixed seed), a few thousand cases.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {
namespace {

const char* const kSeeds[] = {
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, labels: {x: 'y'}}\n"
    "  spec:\n    containers:\n    - name: c\n      image: i\n      args: [\"a\", b, 1, 0x10, .inf, ~]\n",
    "base: &b {cpu: 1, mem: \"2Gi\"}\napiVersion: v1\nkind: T\nm:\n  <<: *b\n  k: |\n    text\n  j: >-\n    folded\n"
    "---\napiVersion: v1\nkind: U\nl: [*b, *b]\n...\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", "
    "\"a\": [1, 2.5, -3, true, null, \"s\\u00e9\\n\"]}]}\n{\"apiVersion\": \"v1\", \"kind\": \"X\"}",
};

// xorshift64*: deterministic across platforms.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

void CheckSane(const std::string& input, const LoadResult& r) {
  int lines = 1;
  for (char c : input) lines += c == '\n';
  for (const Diagnostic& e : r.errors) {
    EXPECT_GE(e.line, 0);
    EXPECT_LE(e.line, lines + 1) << e.ToString();
    EXPECT_FALSE(e.message.empty());
  }
  for (const Resource& res : r.resources) {
    ASSERT_NE(res.object, nullptr);
    ASSERT_TRUE(res.object->IsObject());
    EXPECT_GE(res.line, 1);
    EXPECT_LE(res.line, lines);
    // The evidence path must cope with whatever loaded.
    EXPECT_EQ(kernel::Sha256Hex(kernel::CanonicalJson(*res.object)).size(), 64u);
  }
}

TEST(Robustness, MutatedInputsNeverCrash) {
  Rng rng;
  const char kInteresting[] = "[]{}:,-?&*!|>'\"#\n \t\\%@`\x01\xC3\xFF";
  Limits limits;
  limits.max_alias_nodes = 10000;
  int cases = 0;
  for (const char* seed : kSeeds) {
    const std::string base(seed);
    for (int iter = 0; iter < 1500; ++iter) {
      std::string s = base;
      int edits = 1 + static_cast<int>(rng.Below(4));
      for (int k = 0; k < edits && !s.empty(); ++k) {
        size_t at = rng.Below(s.size());
        switch (rng.Below(4)) {
          case 0: s[at] = kInteresting[rng.Below(sizeof(kInteresting) - 1)]; break;
          case 1: s.erase(at, 1 + rng.Below(8)); break;
          case 2: s.insert(at, 1, kInteresting[rng.Below(sizeof(kInteresting) - 1)]); break;
          case 3: s.insert(at, s.substr(rng.Below(s.size()), rng.Below(16))); break;
        }
      }
      CheckSane(s, LoadBytes(s, "m", limits));
      CheckSane(s, LoadYaml(s, "m", limits));
      CheckSane(s, LoadJson(s, "m", limits));
      ++cases;
    }
    for (size_t cut = 0; cut <= base.size(); ++cut) {
      std::string s = base.substr(0, cut);
      CheckSane(s, LoadBytes(s, "t", limits));
    }
  }
  EXPECT_EQ(cases, 4500);
}

}  // namespace
}  // namespace aimsgate::manifest
