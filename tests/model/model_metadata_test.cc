#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace aimsgate::model {
namespace {

const std::string kCard = std::string(AIMSGATE_MODEL_TESTDATA) + "/model_card.md";
const std::string kBom = std::string(AIMSGATE_MODEL_TESTDATA) + "/bom.json";

std::vector<std::string> Strings(const aimsgate::JsonValue& list) {
  std::vector<std::string> out;
  for (const auto& v : list.GetArray()) out.emplace_back(v.GetString());
  return out;
}

TEST(LoadModelMetadataTest, MergesCardAndBomCardFirst) {
  aimsgate::JsonDocument doc;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(LoadModelMetadata(kCard, kBom, &doc, &errors));
  ASSERT_TRUE(errors.empty());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["license"].GetString(), "apache-2.0");                       // card wins
  EXPECT_STREQ(doc["version"].GetString(), "2.1.0");                            // only in the BOM
  EXPECT_STREQ(doc["supplier"].GetString(), "Example Corp Support Platform ML");  // only in the BOM
  EXPECT_EQ(Strings(doc["datasets"]).size(), 2u);                               // same names: merged
  EXPECT_EQ(doc["metrics"].Size(), 6u);                                         // 3 + 3
  EXPECT_TRUE(doc["metrics"][0]["value"].IsDouble());
  EXPECT_EQ(Strings(doc["limitations"]).size(), 3u);                            // 1 section + 2 items
  EXPECT_EQ(Strings(doc["sources"]), (std::vector<std::string>{"huggingface-model-card", "cyclonedx"}));
}

TEST(LoadModelMetadataTest, EveryKeyIsAlwaysPresent) {
  ModelMetadata empty;
  aimsgate::JsonDocument doc;
  ModelMetadataToJson(empty, &doc);
  for (const char* key : {"name", "version", "license", "supplier", "baseModel", "architecture", "task", "library",
                          "intendedUse"}) {
    ASSERT_TRUE(doc.HasMember(key)) << key;
    EXPECT_TRUE(doc[key].IsString()) << key;
  }
  for (const char* key : {"datasets", "languages", "tags", "metrics", "limitations", "ethicalConsiderations",
                          "societalImpact", "dataPreparation", "sources"}) {
    ASSERT_TRUE(doc.HasMember(key)) << key;
    EXPECT_TRUE(doc[key].IsArray()) << key;
  }
}

TEST(LoadModelMetadataTest, NoInputsGiveNull) {
  aimsgate::JsonDocument doc;
  doc.SetObject();
  EXPECT_TRUE(LoadModelMetadata("", "", &doc, nullptr));
  EXPECT_TRUE(doc.IsNull());
}

TEST(LoadModelMetadataTest, BomOnly) {
  aimsgate::JsonDocument doc;
  ASSERT_TRUE(LoadModelMetadata("", kBom, &doc, nullptr));
  EXPECT_STREQ(doc["license"].GetString(), "Apache-2.0");
  EXPECT_EQ(Strings(doc["sources"]), std::vector<std::string>{"cyclonedx"});
}

TEST(LoadModelMetadataTest, ErrorsNameTheFileAndLeaveNull) {
  aimsgate::JsonDocument doc;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(LoadModelMetadata("/nonexistent/README.md", kCard, &doc, &errors));
  EXPECT_TRUE(doc.IsNull());
  ASSERT_EQ(errors.size(), 2u);  // missing card, and the card given as a BOM is not JSON
  EXPECT_EQ(errors[0].ToString(), "/nonexistent/README.md: error: cannot read the file: No such file or directory");
  EXPECT_EQ(errors[1].source, kCard);
  EXPECT_NE(errors[1].message.find("malformed JSON"), std::string::npos);
}

}  // namespace
}  // namespace aimsgate::model

namespace aimsgate::model {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every prefix of the fixtures parses or fails cleanly; a failure always carries
// a message, and a truncated BOM is never accepted.
TEST(LoadModelMetadataTest, EveryTruncationIsHandled) {
  const std::string card = Slurp(kCard);
  const std::string bom = Slurp(kBom);
  ASSERT_GT(card.size(), 1000u);
  ASSERT_GT(bom.size(), 1000u);
  for (size_t n = 0; n < card.size(); n += 7) {
    ModelMetadata m;
    std::vector<Diagnostic> errors;
    bool ok = ParseHuggingFaceModelCard(std::string_view(card).substr(0, n), "c", &m, &errors);
    EXPECT_EQ(ok, errors.empty()) << n;
    for (const auto& e : errors) EXPECT_FALSE(e.message.empty()) << n;
  }
  for (size_t n = 0; n + 1 < bom.size(); n += 5) {
    ModelMetadata m;
    std::vector<Diagnostic> errors;
    EXPECT_FALSE(ParseCycloneDxBom(std::string_view(bom).substr(0, n), "b", &m, &errors)) << n;
    ASSERT_EQ(errors.size(), 1u) << n;
    EXPECT_GE(errors[0].line, 1) << n;
  }
}

}  // namespace
}  // namespace aimsgate::model
