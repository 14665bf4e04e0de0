// kernel::Members and BytesEqual (json_member.h): the one-scan member lookup
// every stage uses to read a resource's identity, against a member-by-member
// FindMember, for names of every length class the word compares split on.
#include <gtest/gtest.h>

#include <string>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"

namespace aimsgate::kernel {
namespace {

TEST(BytesEqual, AgreesWithMemcmpForEveryLengthAndDifferingByte) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x'), b(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(BytesEqual(a.data(), b.data(), n)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string c = b;
      c[i] = static_cast<char>(c[i] ^ 0x20);
      EXPECT_FALSE(BytesEqual(a.data(), c.data(), n)) << "length " << n << ", byte " << i;
    }
  }
}

TEST(Members, FindsEachNameInOneScanAsFindMemberWould) {
  const std::string long_key(70, 'k');
  const std::string long_other = long_key.substr(0, 69) + "z";
  aimsgate::JsonDocument d;
  d.Parse(("{\"name\":\"n\",\"namespace\":\"ns\",\"nam\":1,\"aimsgate.io/system-id\":\"id\","
           "\"aimsgate.io/risk-tier\":\"high\",\"example.com/owner\":\"x\",\"aimsgate.io/owner\":\"o\",\"" +
           long_other + "\":2,\"" + long_key + "\":3,\"name\":\"second\"}")
              .c_str());
  ASSERT_FALSE(d.HasParseError());
  const auto found = Members<7>(d, {"name", "aimsgate.io/risk-tier", "aimsgate.io/owner", "aimsgate.io/system-id",
                                    long_key, "absent", "nam"});
  EXPECT_EQ(StringOf(found[0]), "n");  // the first of duplicate keys
  EXPECT_EQ(StringOf(found[1]), "high");
  EXPECT_EQ(StringOf(found[2]), "o");  // not example.com/owner, of the same length
  EXPECT_EQ(StringOf(found[3]), "id");
  ASSERT_NE(found[4], nullptr);
  EXPECT_EQ(found[4]->GetInt(), 3);  // not the 70-byte name differing in its last byte
  EXPECT_EQ(found[5], nullptr);
  ASSERT_NE(found[6], nullptr);
  EXPECT_EQ(found[6]->GetInt(), 1);
  aimsgate::JsonValue not_object(7);
  EXPECT_EQ(Members<1>(not_object, {"name"})[0], nullptr);
}

}  // namespace
}  // namespace aimsgate::kernel
