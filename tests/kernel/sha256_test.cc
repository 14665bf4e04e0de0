#include "evaluator/kernel/sha256.h"

#include <string>

#include <gtest/gtest.h>

namespace aimsgate::kernel {
namespace {

TEST(Sha256, KnownVectors) {  // FIPS 180-2 examples
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 31));
  Sha256 h;
  for (size_t at = 0; at < data.size(); at += 4097) h.Update(std::string_view(data).substr(at, 4097));
  EXPECT_EQ(h.HexDigest(), Sha256Hex(data));
}

TEST(Sha256, DigestIsTheRawBytesOfTheHexDigest) {
  Sha256 raw, hex;
  raw.Update("ab");
  raw.Update("c");
  hex.Update("abc");
  unsigned char bytes[kSha256Bytes] = {};
  ASSERT_TRUE(raw.Digest(bytes));
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), hex.HexDigest());
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HexEncode, LowerCase) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "000fa0ff");
}

}  // namespace
}  // namespace aimsgate::kernel
