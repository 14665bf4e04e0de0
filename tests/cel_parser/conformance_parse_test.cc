// Every expression of the CEL conformance cases copied into
// tests/conformance/cel (google/cel-spec, Apache-2.0; see its README.md) must
// parse: none of the kept cases expects a parse error.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel::testing {
namespace {

const char* const kSections[] = {
    "basic",     "comparisons", "conversions", "fields", "fp_math",    "integer_math",
    "lists",     "logic",       "macros",      "macros2", "math_ext",  "optionals",
    "parse",     "plumbing",    "string",      "string_ext", "timestamps",
};

class ConformanceParseTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ConformanceParseTest, EveryExpressionParses) {
  const std::string path =
      std::string(AIMSGATE_CEL_CONFORMANCE_DIR) + "/" + GetParam() + ".json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream buf;
  buf << in.rdbuf();
  aimsgate::JsonDocument doc;
  doc.Parse(buf.str().c_str());
  ASSERT_FALSE(doc.HasParseError()) << path;
  ASSERT_TRUE(doc.IsArray());
  ASSERT_GT(doc.Size(), 0u);
  int parsed = 0;
  for (const auto& test : doc.GetArray()) {
    ASSERT_TRUE(test.HasMember("expr"));
    const std::string expr(test["expr"].GetString(), test["expr"].GetStringLength());
    const std::string name = test.HasMember("name") ? test["name"].GetString() : "?";
    ParseResult r = Parse(expr);
    EXPECT_TRUE(r.ok()) << GetParam() << "/" << name << ": " << expr << "\n"
                        << (r.diagnostics.empty() ? ""
                                                  : FormatDiagnostic(expr, r.diagnostics[0]));
    if (r.ok()) ++parsed;
  }
  EXPECT_EQ(parsed, static_cast<int>(doc.Size()));
}

INSTANTIATE_TEST_SUITE_P(Sections, ConformanceParseTest, ::testing::ValuesIn(kSections),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace aimsgate::cel::testing
