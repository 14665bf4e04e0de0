// Scalar typing must match sigs.k8s.io/yaml (go-yaml v2 resolve.go).
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Describe;
using testing::Errors;

struct Row {
  const char* yaml;      // the text after "v: "
  const char* expected;  // Describe() of the loaded value
};

void PrintTo(const Row& r, std::ostream* os) { *os << "v: " << r.yaml; }

class ScalarTable : public ::testing::TestWithParam<Row> {};

TEST_P(ScalarTable, ResolvesAsGoYamlV2) {
  const Row& row = GetParam();
  std::string text = std::string("apiVersion: v1\nkind: T\nv: ") + row.yaml + "\n";
  LoadResult r = LoadYaml(text, "t.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(Describe((*r.resources[0].object)["v"]), row.expected) << "yaml: " << row.yaml;
}

const Row kRows[] = {
    // null
    {"", "null"}, {"~", "null"}, {"null", "null"}, {"Null", "null"}, {"NULL", "null"},
    {"nULL", "str:nULL"}, {"~x", "str:~x"}, {"!!null ''", "null"},
    // bool, YAML 1.1 spellings included (go-yaml v2 maps y/Y/n/N too)
    {"true", "true"}, {"True", "true"}, {"TRUE", "true"}, {"tRUE", "str:tRUE"},
    {"false", "false"}, {"False", "false"}, {"FALSE", "false"},
    {"y", "true"}, {"Y", "true"}, {"yes", "true"}, {"Yes", "true"}, {"YES", "true"}, {"yES", "str:yES"},
    {"n", "false"}, {"N", "false"}, {"no", "false"}, {"No", "false"}, {"NO", "false"},
    {"on", "true"}, {"On", "true"}, {"ON", "true"}, {"oN", "str:oN"},
    {"off", "false"}, {"Off", "false"}, {"OFF", "false"},
    {"yes please", "str:yes please"}, {"!!bool yes", "true"},
    // ints
    {"0", "int:0"}, {"-0", "int:0"}, {"00", "int:0"}, {"123", "int:123"}, {"-17", "int:-17"},
    {"+17", "int:17"}, {"1_000", "int:1000"}, {"1__0", "int:10"}, {"12_", "int:12"},
    {"0x1F", "int:31"}, {"0X1f", "int:31"}, {"0x_1F", "int:31"}, {"-0x10", "int:-16"},
    {"+0x10", "int:16"}, {"0o17", "int:15"}, {"0O17", "int:15"}, {"017", "int:15"},
    {"0777", "int:511"}, {"0_777", "int:511"}, {"0b101", "int:5"}, {"-0b11", "int:-3"},
    {"9223372036854775807", "int:9223372036854775807"},
    {"-9223372036854775808", "int:-9223372036854775808"},
    {"9223372036854775808", "uint:9223372036854775808"},
    {"18446744073709551615", "uint:18446744073709551615"},
    {"0xFFFFFFFFFFFFFFFF", "uint:18446744073709551615"},
    {"-9223372036854775809", "float:-9.2233720368547758e+18"},
    {"18446744073709551616", "float:1.8446744073709552e+19"},
    {"!!int \"42\"", "int:42"},
    // floats
    {"1.5", "float:1.5"}, {"1e3", "float:1000"}, {"1E-2", "float:0.01"}, {".5", "float:0.5"},
    {"-.5", "float:-0.5"}, {"+.5", "float:0.5"}, {"1.", "float:1"}, {"1_0.5", "float:10.5"},
    {"08", "float:8"}, {"09.5", "float:9.5"}, {"!!float 1", "float:1"},
    {".inf", "float:inf"}, {".Inf", "float:inf"}, {".INF", "float:inf"}, {"+.inf", "float:inf"},
    {"-.inf", "float:-inf"}, {"-.Inf", "float:-inf"}, {"-.INF", "float:-inf"},
    {".nan", "float:nan"}, {".NaN", "float:nan"}, {".NAN", "float:nan"},
    // strings
    {".Nan", "str:.Nan"}, {"nan", "str:nan"}, {"inf", "str:inf"}, {"1e999", "str:1e999"},
    {".5_0", "str:.5_0"}, {"0x", "str:0x"}, {"0o", "str:0o"}, {"0xG", "str:0xG"},
    {"1,000", "str:1,000"}, {"1.2.3", "str:1.2.3"}, {"2001-12-14", "str:2001-12-14"},
    {"2001-12-14T21:59:43.10Z", "str:2001-12-14T21:59:43.10Z"}, {"1:20", "str:1:20"},
    {"-x", "str:-x"}, {"+", "str:+"}, {"abc", "str:abc"}, {"500m", "str:500m"}, {"1Gi", "str:1Gi"},
    {"'true'", "str:true"}, {"\"123\"", "str:123"}, {"'null'", "str:null"}, {"''", "str:"},
    {"!!str 123", "str:123"}, {"!!str true", "str:true"}, {"!custom 5", "str:5"},
    {"!!timestamp 2001-12-14", "str:2001-12-14"}, {"!!binary aGVsbG8=", "str:aGVsbG8="},
    {"|\n  5\n", "str:5\n"}, {">-\n  a\n  b", "str:a b"}, {"\"a\\tb\"", "str:a\tb"},
    {"'it''s'", "str:it's"}, {"héllo", "str:héllo"},
};

INSTANTIATE_TEST_SUITE_P(GoYamlV2, ScalarTable, ::testing::ValuesIn(kRows));

TEST(ScalarTableSize, HasAtLeastFiftyRows) { EXPECT_GE(sizeof(kRows) / sizeof(kRows[0]), 50u); }

struct BadTag {
  const char* yaml;
  const char* message;
};

TEST(ScalarTags, UndecodableExplicitTagIsALocatedError) {
  const BadTag cases[] = {
      {"!!int abc", "cannot decode !!str `abc` as a !!int"},
      {"!!float yes", "cannot decode !!bool `yes` as a !!float"},
      {"!!bool 1", "cannot decode !!int `1` as a !!bool"},
      {"!!null x", "cannot decode !!str `x` as a !!null"},
      {"!!timestamp nope", "cannot decode !!str `nope` as a !!timestamp"},
  };
  for (const BadTag& c : cases) {
    LoadResult r = LoadYaml(std::string("apiVersion: v1\nkind: T\nv: ") + c.yaml + "\n", "t.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << c.yaml;
    EXPECT_EQ(r.errors[0].message, c.message);
    EXPECT_EQ(r.errors[0].line, 3);
    EXPECT_EQ(r.errors[0].column, 4);
    EXPECT_TRUE(r.resources.empty());
  }
}

struct KeyRow {
  const char* key;
  const char* json_key;
};

TEST(ScalarKeys, NonStringKeysBecomeTheirStringForm) {
  const KeyRow rows[] = {
      {"1", "1"},          {"-5", "-5"},           {"0x10", "16"},     {"true", "true"},
      {"yes", "true"},     {"on", "true"},         {"No", "false"},    {"1.5", "1.5"},
      {"0.1", "0.1"},      {"1e10", "1e+10"},      {"1e-7", "1e-07"},  {"1000000.0", "1e+06"},
      {"123456.0", "123456"}, {".inf", ".inf"},    {"-.inf", "-.inf"}, {".nan", ".nan"},
      {"'1'", "1"},        {"\"true\"", "true"},   {"abc", "abc"},
      {"18446744073709551615", "18446744073709551615"},
  };
  for (const KeyRow& k : rows) {
    std::string text = std::string("apiVersion: v1\nkind: T\nm:\n  ") + k.key + ": x\n";
    LoadResult r = LoadYaml(text, "k.yaml");
    ASSERT_TRUE(r.ok()) << k.key << ": " << Errors(r);
    const aimsgate::JsonValue& m = (*r.resources[0].object)["m"];
    ASSERT_EQ(m.MemberCount(), 1u);
    EXPECT_EQ(std::string(m.MemberBegin()->name.GetString()), k.json_key) << k.key;
  }
}

TEST(ScalarKeys, NullKeyIsAnError) {
  for (const char* key : {"~", "null", "!!null ''"}) {
    LoadResult r = LoadYaml(std::string("apiVersion: v1\nkind: T\nm:\n  ") + key + ": x\n", "k.yaml");
    ASSERT_EQ(r.errors.size(), 1u) << key;
    EXPECT_NE(r.errors[0].message.find("null mapping key"), std::string::npos);
    EXPECT_EQ(r.errors[0].line, 4);
  }
}

TEST(ScalarKeys, NumericKeysCanCollide) {
  // 0x10 and 16 are both the key "16" in Kubernetes: a duplicate.
  LoadResult r = LoadYaml("apiVersion: v1\nkind: T\nm:\n  0x10: a\n  16: b\n", "k.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "duplicate key \"16\" in mapping");
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_EQ(r.errors[0].column, 3);
}

}  // namespace
}  // namespace aimsgate::manifest
