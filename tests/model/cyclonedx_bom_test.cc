#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(AIMSGATE_MODEL_TESTDATA) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CycloneDxBomTest, ReadsTheModelCardOfARealisticMlBom) {
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseCycloneDxBom(ReadTestdata("bom.json"), "bom.json", &m, &errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(m.name, "ticket-priority-classifier");
  EXPECT_EQ(m.version, "2.1.0");
  EXPECT_EQ(m.license, "Apache-2.0");
  EXPECT_EQ(m.supplier, "Example Corp Support Platform ML");
  EXPECT_EQ(m.base_model, "distilbert/distilbert-base-multilingual-cased");
  EXPECT_EQ(m.architecture, "transformer / DistilBertForSequenceClassification");
  EXPECT_EQ(m.task, "text-classification");
  // The first dataset is a ref resolved to the data component's name.
  EXPECT_EQ(m.datasets, (std::vector<std::string>{"example-org/support-tickets-2025", "example-org/support-tickets-2025-de"}));
  ASSERT_EQ(m.metrics.size(), 3u);
  EXPECT_EQ(m.metrics[1].type, "f1");
  EXPECT_DOUBLE_EQ(m.metrics[1].value, 0.887);
  EXPECT_EQ(m.metrics[1].dataset, "support-tickets-2025 test");
  EXPECT_EQ(m.limitations, (std::vector<std::string>{"Lower accuracy on tickets under 10 words", "Only English and German"}));
  EXPECT_EQ(m.intended_use, "Order the support queue by predicted urgency; agents read every ticket");
  ASSERT_EQ(m.ethical_considerations.size(), 2u);
  EXPECT_NE(m.ethical_considerations[0].find("mitigation: Monthly review"), std::string::npos);
  EXPECT_EQ(m.ethical_considerations[1], "fairness: Small-business customers: Urgent tickets ranked too low");
  EXPECT_EQ(m.societal_impact, std::vector<std::string>{"energy: training 3.2 kWh"});
  EXPECT_EQ(m.sources, std::vector<std::string>{"cyclonedx"});
}

struct BomCase {
  const char* name;
  const char* text;
  int line;
  int column;
  const char* message_part;
};

class CycloneDxBomErrorTest : public ::testing::TestWithParam<BomCase> {};

TEST_P(CycloneDxBomErrorTest, Rejects) {
  const BomCase& c = GetParam();
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseCycloneDxBom(c.text, "bom.json", &m, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, c.line);
  EXPECT_EQ(errors[0].column, c.column);
  EXPECT_NE(errors[0].message.find(c.message_part), std::string::npos) << errors[0].message;
}

INSTANTIATE_TEST_SUITE_P(
    Boms, CycloneDxBomErrorTest,
    ::testing::Values(
        BomCase{"malformed", "{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}", 3, 3, "malformed JSON"},
        BomCase{"trailing_garbage", "{\"bomFormat\": \"CycloneDX\"} x", 1, 28, "malformed JSON"},
        BomCase{"kubernetes_object", "{\"kind\": \"Deployment\"}", 1, 1, "not a CycloneDX BOM"},
        BomCase{"array", "[]", 1, 1, "not a CycloneDX BOM"},
        BomCase{"old_spec", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\", \"components\": []}", 1, 1,
                "1.5 or later"},
        BomCase{"bad_spec", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"one\"}", 1, 1, "1.5 or later"},
        BomCase{"no_model",
                "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": "
                "[{\"type\": \"library\", \"name\": \"torch\"}]}",
                1, 1, "machine-learning-model"}),
    [](const ::testing::TestParamInfo<BomCase>& info) { return std::string(info.param.name); });

TEST(CycloneDxBomTest, FindsNestedModelsAndNumericValues) {
  ModelMetadata m;
  ASSERT_TRUE(ParseCycloneDxBom(
      R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
           {"type": "application", "name": "app", "components": [
             {"type": "machine-learning-model", "name": "inner", "licenses": [{"expression": "MIT OR Apache-2.0"}],
              "modelCard": {"quantitativeAnalysis": {"performanceMetrics": [
                {"type": "auc", "value": 0.97}, {"type": "latency", "value": "fast"}]}}}]}]})",
      "b", &m, nullptr));
  EXPECT_EQ(m.name, "inner");
  EXPECT_EQ(m.license, "MIT OR Apache-2.0");
  ASSERT_EQ(m.metrics.size(), 1u);
  EXPECT_DOUBLE_EQ(m.metrics[0].value, 0.97);
  EXPECT_TRUE(m.limitations.empty());
}

TEST(CycloneDxBomTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(200000, '[');
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseCycloneDxBom(deep, "b", &m, &errors));
  ASSERT_EQ(errors.size(), 1u);
}

}  // namespace
}  // namespace aimsgate::model
