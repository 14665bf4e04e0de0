// PackDigest: the digest is the SHA-256 of the canonical JSON it was given, taken
// once on first use whichever copy or thread asks, and a known digest stays as given.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "evaluator/kernel/sha256.h"
#include "evaluator/pack/pack_digest.h"

namespace aimsgate {
namespace {

TEST(PackDigest, IsTheSha256OfTheCanonicalJson) {
  const std::string canonical = R"({"kind":"RulePack","spec":{"rules":[]}})";
  EXPECT_EQ(PackDigest::Of(canonical).value(), "sha256:" + kernel::Sha256Hex(canonical));
  EXPECT_EQ(PackDigest::Of("").value(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(PackDigest::Of("a"), PackDigest::Of("b"));
  EXPECT_EQ(PackDigest::Of("a"), PackDigest::Of("a"));
}

TEST(PackDigest, AKnownDigestAndNoneAreKeptAsGiven) {
  EXPECT_EQ(PackDigest("sha256:abc").value(), "sha256:abc");
  EXPECT_EQ(PackDigest().value(), "");
  PackDigest later;
  later = PackDigest::Of("x");
  EXPECT_EQ(later.value(), "sha256:" + kernel::Sha256Hex("x"));
}

TEST(PackDigest, CopiesAndThreadsShareOneComputation) {
  const PackDigest original = PackDigest::Of("shared");
  std::vector<PackDigest> copies(8, original);
  std::vector<const std::string*> seen(copies.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < copies.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &copies[i].value(); });
  }
  for (auto& t : threads) t.join();
  for (const std::string* s : seen) {
    EXPECT_EQ(s, &original.value()) << "every copy answers from the one cell";
    EXPECT_EQ(*s, "sha256:" + kernel::Sha256Hex("shared"));
  }
}

}  // namespace
}  // namespace aimsgate
