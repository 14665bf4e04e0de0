// model.gpai: the EU AI Act general-purpose model references from a model card's
// front matter and a CycloneDX component (evaluator/model/gpai.h).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {
namespace {

aimsgate::JsonDocument Normalised(const ModelMetadata& m) {
  aimsgate::JsonDocument doc;
  ModelMetadataToJson(m, &doc);
  return doc;
}

TEST(GpaiTest, UnstatedIsEmptyAndMinusOne) {
  aimsgate::JsonDocument doc = Normalised(ModelMetadata());
  const aimsgate::JsonValue& g = doc["gpai"];
  EXPECT_FALSE(g["generalPurpose"].GetBool());
  for (const char* key : {"technicalDocumentation", "downstreamInformation", "copyrightPolicy", "trainingDataSummary",
                          "evaluation", "incidentReporting", "cybersecurity"}) {
    ASSERT_TRUE(g.HasMember(key)) << key;
    EXPECT_STREQ(g[key].GetString(), "") << key;
  }
  EXPECT_EQ(g["trainingComputeFlop"].GetDouble(), -1.0);
}

TEST(GpaiTest, ModelCardFrontMatter) {
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseHuggingFaceModelCard("---\nlicense: mit\ngpai:\n  general_purpose: true\n"
                                        "  technical_documentation: https://d.example/tech\n"
                                        "  copyright_policy: ' https://d.example/copyright '\n"
                                        "  training_compute_flop: 3.2e25\n  evaluation: https://d.example/evals\n---\n# m\n",
                                        "card.md", &m, &errors));
  aimsgate::JsonDocument doc = Normalised(m);
  const aimsgate::JsonValue& g = doc["gpai"];
  EXPECT_TRUE(g["generalPurpose"].GetBool());
  EXPECT_STREQ(g["technicalDocumentation"].GetString(), "https://d.example/tech");
  EXPECT_STREQ(g["copyrightPolicy"].GetString(), "https://d.example/copyright");
  EXPECT_STREQ(g["downstreamInformation"].GetString(), "");
  EXPECT_EQ(g["trainingComputeFlop"].GetDouble(), 3.2e25);
  EXPECT_STREQ(g["evaluation"].GetString(), "https://d.example/evals");
}

TEST(GpaiTest, NonNumericComputeIsUnstated) {
  ModelMetadata m;
  ASSERT_TRUE(ParseHuggingFaceModelCard("---\ngpai: {training_compute_flop: lots}\n---\n", "card.md", &m, nullptr));
  EXPECT_EQ(m.gpai.training_compute_flop, -1.0);
}

TEST(GpaiTest, BomPropertiesAndDocumentationReferenceCardFirst) {
  const std::string bom = R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{
    "type": "machine-learning-model", "name": "m",
    "externalReferences": [{"type": "website", "url": "https://w.example"},
                           {"type": "documentation", "url": "https://bom.example/docs"}],
    "properties": [{"name": "aimsgate:gpai:general-purpose", "value": "true"},
                   {"name": "aimsgate:gpai:training-compute-flop", "value": "1e25"},
                   {"name": "aimsgate:gpai:copyright-policy", "value": "https://bom.example/copyright"},
                   {"name": "aimsgate:gpai:incident-reporting", "value": "https://bom.example/incidents"},
                   {"name": "other:key", "value": "x"}]}]})";
  ModelMetadata m;
  ASSERT_TRUE(ParseHuggingFaceModelCard("---\ngpai: {copyright_policy: https://card.example/copyright}\n---\n", "c.md",
                                        &m, nullptr));
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseCycloneDxBom(bom, "bom.json", &m, &errors)) << (errors.empty() ? "" : errors[0].ToString());
  EXPECT_TRUE(m.gpai.general_purpose);
  EXPECT_EQ(m.gpai.training_compute_flop, 1e25);
  EXPECT_EQ(m.gpai.copyright_policy, "https://card.example/copyright");  // the card wins
  EXPECT_EQ(m.gpai.incident_reporting, "https://bom.example/incidents");
  EXPECT_EQ(m.gpai.technical_documentation, "https://bom.example/docs");
}

}  // namespace
}  // namespace aimsgate::model
