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

TEST(ModelCardTest, ReadsTheFrontMatterAndSectionsOfARealisticCard) {
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseHuggingFaceModelCard(ReadTestdata("model_card.md"), "README.md", &m, &errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(m.name, "ticket-priority-classifier");
  EXPECT_EQ(m.license, "apache-2.0");
  EXPECT_EQ(m.base_model, "distilbert/distilbert-base-multilingual-cased");
  EXPECT_EQ(m.task, "text-classification");
  EXPECT_EQ(m.library, "transformers");
  EXPECT_EQ(m.datasets, (std::vector<std::string>{"example-org/support-tickets-2025", "example-org/support-tickets-2025-de"}));
  EXPECT_EQ(m.languages, (std::vector<std::string>{"en", "de"}));
  ASSERT_EQ(m.metrics.size(), 3u);
  EXPECT_EQ(m.metrics[0].type, "accuracy");
  EXPECT_EQ(m.metrics[0].name, "Accuracy");
  EXPECT_DOUBLE_EQ(m.metrics[0].value, 0.912);
  EXPECT_EQ(m.metrics[0].dataset, "Support tickets 2025 (held-out)");
  EXPECT_EQ(m.metrics[1].type, "f1");
  EXPECT_DOUBLE_EQ(m.metrics[1].value, 0.887);
  EXPECT_EQ(m.metrics[2].name, "accuracy");  // no display name: the type
  EXPECT_EQ(m.metrics[2].dataset, "Support tickets 2025 DE (held-out)");
  ASSERT_EQ(m.limitations.size(), 1u);
  EXPECT_NE(m.limitations[0].find("very short tickets"), std::string::npos);
  EXPECT_NE(m.limitations[0].find("Agents can override"), std::string::npos);  // subsection included
  EXPECT_NE(m.intended_use.find("Ranking incoming support tickets"), std::string::npos);
  EXPECT_EQ(m.intended_use.find("More Information Needed"), std::string::npos);
  ASSERT_EQ(m.ethical_considerations.size(), 1u);
  ASSERT_EQ(m.societal_impact.size(), 2u);
  EXPECT_EQ(m.societal_impact[0], "co2_eq_emissions: 410 g");
  EXPECT_NE(m.societal_impact[1].find("1x NVIDIA L4"), std::string::npos);
  ASSERT_EQ(m.data_preparation.size(), 1u);
  EXPECT_NE(m.data_preparation[0].find("E-mail signatures"), std::string::npos);
  EXPECT_EQ(m.sources, (std::vector<std::string>{"huggingface-model-card"}));
}

struct CardCase {
  const char* name;
  const char* text;
  bool ok;
  int line;  // of the first error
  const char* message_part;
};

class ModelCardErrorTest : public ::testing::TestWithParam<CardCase> {};

TEST_P(ModelCardErrorTest, ReportsPosition) {
  const CardCase& c = GetParam();
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  EXPECT_EQ(ParseHuggingFaceModelCard(c.text, "card.md", &m, &errors), c.ok);
  if (c.ok) {
    EXPECT_TRUE(errors.empty());
    return;
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].source, "card.md");
  EXPECT_EQ(errors[0].line, c.line);
  EXPECT_NE(errors[0].message.find(c.message_part), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[0].ToString().rfind("card.md:" + std::to_string(c.line) + ":", 0), 0u) << errors[0].ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cards, ModelCardErrorTest,
    ::testing::Values(
        CardCase{"unterminated", "---\nlicense: mit\n# Title\n", false, 1, "never closed"},
        CardCase{"bad_flow", "---\nlicense: mit\ndatasets: [a, b\n---\nbody\n", false, 4, "malformed YAML"},
        CardCase{"bad_indent", "---\nlicense: mit\n  tags: x\n---\n", false, 3, "malformed YAML"},
        CardCase{"not_a_map", "---\n- a\n- b\n---\n", false, 2, "not a mapping"},
        CardCase{"empty_front_matter", "---\n---\n# Model Card for x\n", true, 0, ""},
        CardCase{"no_front_matter", "# Just markdown\n", true, 0, ""},
        CardCase{"empty", "", true, 0, ""}),
    [](const ::testing::TestParamInfo<CardCase>& info) { return std::string(info.param.name); });

TEST(ModelCardTest, LicenseOtherUsesLicenseName) {
  ModelMetadata m;
  ASSERT_TRUE(ParseHuggingFaceModelCard("---\nlicense: other\nlicense_name: llama3.1\n---\n", "c", &m, nullptr));
  EXPECT_EQ(m.license, "llama3.1");
}

TEST(ModelCardTest, TemplateOnlySectionsCountAsMissing) {
  ModelMetadata m;
  ASSERT_TRUE(ParseHuggingFaceModelCard(
      "# Model Card for demo\n## Uses\n### Direct Use\n[More Information Needed]\n"
      "## Bias, Risks, and Limitations\n<!-- explain -->\n[More Information Needed]\n"
      "## Environmental Impact\n- **Hardware Type:** [More Information Needed]\n"
      "- **Hours used:** [More Information Needed]\n",
      "c", &m, nullptr));
  EXPECT_EQ(m.name, "demo");
  EXPECT_TRUE(m.limitations.empty());
  EXPECT_TRUE(m.intended_use.empty());
  EXPECT_TRUE(m.ethical_considerations.empty());
  EXPECT_TRUE(m.societal_impact.empty());
}

TEST(ModelCardTest, ScalarsListsCrlfAndNonNumericMetrics) {
  ModelMetadata m;
  ASSERT_TRUE(ParseHuggingFaceModelCard(
      "\xEF\xBB\xBF---\r\nlanguage: fr\r\ndatasets: squad\r\nbase_model: [a/x, b/y]\r\n"
      "model-index:\r\n- name: m\r\n  results:\r\n  - metrics:\r\n    - {type: bleu, value: n/a}\r\n"
      "    - {type: wer, value: '0.12'}\r\n---\r\n",
      "c", &m, nullptr));
  EXPECT_EQ(m.languages, std::vector<std::string>{"fr"});
  EXPECT_EQ(m.datasets, std::vector<std::string>{"squad"});
  EXPECT_EQ(m.base_model, "a/x, b/y");
  ASSERT_EQ(m.metrics.size(), 1u);
  EXPECT_EQ(m.metrics[0].type, "wer");
  EXPECT_DOUBLE_EQ(m.metrics[0].value, 0.12);
}

TEST(ModelCardTest, ValuesAlreadyPresentWin) {
  ModelMetadata m;
  m.license = "mit";
  ASSERT_TRUE(ParseHuggingFaceModelCard("---\nlicense: apache-2.0\ndatasets: [d]\n---\n", "c", &m, nullptr));
  EXPECT_EQ(m.license, "mit");
  EXPECT_EQ(m.datasets, std::vector<std::string>{"d"});
}

TEST(ModelCardTest, HostileYamlIsAnErrorNotACrash) {
  std::string deep = "---\nx: " + std::string(100000, '[') + "\n---\n";
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseHuggingFaceModelCard(deep, "c", &m, &errors));
  EXPECT_FALSE(errors.empty());
}

// PyYAML (the Hub) keeps the last of two equal keys, yaml-cpp the first: a card read
// differently here than everywhere else is refused, located at the second key.
TEST(ModelCardTest, RepeatedKeyIsALocatedError) {
  ModelMetadata m;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseHuggingFaceModelCard("---\nlicense: apache-2.0\ndatasets: [d]\nlicense: other\n---\n# Card\n", "c",
                                         &m, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(), "c:4:1: error: malformed YAML front matter: duplicate key 'license' (first at line 2)");
  EXPECT_EQ(m.license, "");
  // An alias bomb before the repeated key must not use up the check and let it through.
  std::string bomb = "---\nlicense: mit\npad0: &a0 [0,0,0,0,0,0,0,0,0,0]\n";
  for (int i = 1; i <= 5; ++i) {
    bomb += "pad" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ",*a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  bomb += "model-index:\n- name: m\n  value: 0.95\n  value: 0.10\n---\n";
  errors.clear();
  EXPECT_FALSE(ParseHuggingFaceModelCard(bomb, "c", &m, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].ToString().find("alias expansion past 1000000 nodes"), std::string::npos) << errors[0].ToString();
  // The same keys in different mappings are fine.
  errors.clear();
  EXPECT_TRUE(ParseHuggingFaceModelCard("---\nlicense: mit\nmodel-index:\n- name: a\n- name: b\n---\n", "c", &m, &errors));
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace aimsgate::model
