// Canonical JSON (the kernel's one writer, byte-wise key order) and SHA-256 of objects.
#include "evaluator/kernel/canonical_json.h"

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/kernel/utf8.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

std::string CanonicalOf(const char* json) {
  aimsgate::JsonDocument d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  return kernel::CanonicalJson(d);
}

TEST(Canonical, SortsKeysRecursivelyWithoutWhitespace) {
  EXPECT_EQ(CanonicalOf("{ \"b\": 1, \"a\": {\"z\": [3, {\"y\": 1, \"x\": 2}], \"c\": null} }"),
            "{\"a\":{\"c\":null,\"z\":[3,{\"x\":2,\"y\":1}]},\"b\":1}");
  EXPECT_EQ(CanonicalOf("[]"), "[]");
  EXPECT_EQ(CanonicalOf("{}"), "{}");
  EXPECT_EQ(CanonicalOf("\"x\""), "\"x\"");
}

TEST(Canonical, KeyOrderIsByteOrder) {
  // The evidence log's order (UTF-8 bytes), not RFC 8785's UTF-16 units: U+FB01 (EF AC 81)
  // before U+1F600 (F0 9F 98 80); ASCII by byte; a prefix first.
  EXPECT_EQ(CanonicalOf("{\"\xEF\xAC\x81\": 1, \"\xF0\x9F\x98\x80\": 2, \"aa\": 3, \"a\": 4, \"B\": 5}"),
            "{\"B\":5,\"a\":4,\"aa\":3,\"\xEF\xAC\x81\":1,\"\xF0\x9F\x98\x80\":2}");
}

TEST(Canonical, IsTheEvidenceWriter) {
  aimsgate::JsonDocument d;
  d.Parse("{\"z\":[1,{\"b\":\"\\u0007\",\"a\":null}],\"y\":\"\\u00e9\"}");
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(kernel::CanonicalJson(d), "{\"y\":\"\xC3\xA9\",\"z\":[1,{\"a\":null,\"b\":\"\\u0007\"}]}");
}

TEST(Canonical, NumbersAndStringsAsRapidJsonWritesThem) {
  EXPECT_EQ(CanonicalOf("[1, -2, 1.5, 1.0, 1e21, 18446744073709551615, 0.1]"),
            "[1,-2,1.5,1.0,1e21,18446744073709551615,0.1]");
  EXPECT_EQ(CanonicalOf("[\"a\\u0001\\n\\\"\\\\/\", \"\\u00e9\"]"), "[\"a\\u0001\\n\\\"\\\\/\",\"\xC3\xA9\"]");
}

TEST(Canonical, YamlAndJsonOfOneObjectHashAlike) {
  LoadResult y = LoadYaml("kind: Pod\napiVersion: v1\nmetadata: {name: a, labels: {z: '1', a: 2}}\n", "y");
  LoadResult j = LoadJson("{\"apiVersion\":\"v1\",\"metadata\":{\"labels\":{\"a\":2,\"z\":\"1\"},\"name\":\"a\"},\"kind\":\"Pod\"}", "j");
  ASSERT_TRUE(y.ok() && j.ok());
  EXPECT_EQ(kernel::CanonicalJson(*y.resources[0].object), kernel::CanonicalJson(*j.resources[0].object));
  EXPECT_EQ(kernel::Sha256Hex(kernel::CanonicalJson(*y.resources[0].object)),
            kernel::Sha256Hex(kernel::CanonicalJson(*j.resources[0].object)));
}

TEST(Canonical, YamlSpecialFloatsAreWritten) {
  LoadResult y = LoadYaml("apiVersion: v1\nkind: T\nv: [.inf, -.inf, .nan]\n", "y");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(kernel::CanonicalJson((*y.resources[0].object)["v"]), "[Infinity,-Infinity,NaN]");
}

// The string writer copies runs of plain bytes at once; it must write what a byte
// by byte writer writes, for every byte value at every place in a run, and for
// well-formed, truncated and invalid UTF-8.
std::string CanonicalStringByteByByte(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = kernel::ValidUtf8Length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
      out += '\\';
      out += "btnfr"[std::string_view("\b\t\n\f\r").find(static_cast<char>(c))];
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(Canonical, StringsAsAByteByByteWriterWritesThem) {
  std::vector<std::string> inputs = {"", "plain text", "caf\xC3\xA9", "\xE2\x82\xAC euro", "\xF0\x9F\x98\x80",
                                     "\xC3", "\xE2\x82", "\xFF\xFE", "\xED\xA0\x80", "a\"b\\c\x01\x1F\x7F"};
  for (int c = 0; c < 256; ++c) {
    for (size_t at : {0u, 1u, 7u, 15u}) {
      std::string s(20, 'x');
      s[at] = static_cast<char>(c);
      inputs.push_back(s);
    }
  }
  for (const std::string& s : inputs) {
    std::string out;
    kernel::AppendCanonicalString(s, &out);
    EXPECT_EQ(out, CanonicalStringByteByByte(s)) << s;
  }
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(kernel::Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(kernel::Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace aimsgate::manifest
