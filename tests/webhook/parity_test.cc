// The webhook decides like `aimsgate check`: every resource of examples/ is evaluated
// the way check does (manifest loader + Engine::Evaluate) and as an AdmissionReview
// CREATE through HandleAdmissionReview, with the built-in pack, the example inventory
// and waivers; denied/warned verdicts and per-rule outcomes must agree.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "webhook/admission.h"

namespace aimsgate::webhook {
namespace {

const std::string kExamples = std::string(AIMSGATE_SOURCE_DIR) + "/examples/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ToJson(const aimsgate::JsonValue& v) {
  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

TEST(ParityTest, AdmissionDecisionsEqualCheckOnTheExamples) {
  EngineOptions o;
  o.inventory_path = kExamples + "inventory.yaml";
  o.waiver_paths = {kExamples + "waivers.yaml"};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  ASSERT_TRUE(engine) << (diags.empty() ? "" : diags[0].ToString());
  cel::EvalState state;
  int resources = 0, denied = 0, warned = 0;
  for (const char* file : {"cronjob-churn-scorer.yaml", "kserve-fraud-scorer.yaml", "pod-ollama.yaml",
                           "recommender-stack.yaml", "tgi-ticket-summarizer.yaml", "triton-defect-detector.yaml",
                           "vllm-chat-assistant.yaml", "webapp-storefront.yaml"}) {
    std::string path = kExamples + file;
    manifest::LoadResult loaded = manifest::LoadBytes(ReadFile(path), path);
    ASSERT_TRUE(loaded.ok()) << path;
    for (const auto& res : loaded.resources) {
      EvalRequest req;
      ResourceEvaluation check = engine->Evaluate(*res.object, req, &state);
      std::string ns;
      const auto& obj = *res.object;
      if (obj["metadata"].HasMember("namespace")) ns = obj["metadata"]["namespace"].GetString();
      std::string body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
                         R"("operation":"CREATE","namespace":")" +
                         ns + R"(","userInfo":{"username":"ci"},"object":)" + ToJson(obj) + "}}";
      AdmissionResponse admission = HandleAdmissionReview(body, *engine, {}, &state);
      ASSERT_EQ(admission.http_status, 200) << admission.body;
      std::string where = path + ":" + std::to_string(res.line);
      EXPECT_EQ(admission.evaluation.denied(), check.denied()) << where;
      EXPECT_EQ(admission.evaluation.warned(), check.warned()) << where;
      EXPECT_EQ(admission.decision == "deny", check.denied()) << where;
      ASSERT_EQ(admission.evaluation.results.size(), check.results.size()) << where;
      for (size_t i = 0; i < check.results.size(); ++i) {
        EXPECT_EQ(admission.evaluation.results[i].rule(), check.results[i].rule()) << where;
        EXPECT_EQ(admission.evaluation.results[i].result, check.results[i].result)
            << where << " " << check.results[i].rule();
      }
      ++resources;
      denied += check.denied();
      warned += check.warned();
    }
  }
  // The examples exercise both outcomes; a silent all-allow would make this test vacuous.
  EXPECT_GE(resources, 10);
  EXPECT_GT(denied, 0);
  EXPECT_LT(denied, resources);
  EXPECT_GT(warned, 0);
}

}  // namespace
}  // namespace aimsgate::webhook
