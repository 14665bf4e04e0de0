// PolicyReport / OpenReports output: parsed back with yaml-cpp and as JSON.
#include <gtest/gtest.h>

#include <sstream>

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/evidence/policy_report.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

std::vector<ResourceEvaluation> Sample() {
  std::vector<ResourceEvaluation> evs;
  evs.push_back(testing::SampleEvaluation("ml", "scorer", /*fail=*/true));
  evs.push_back(testing::SampleEvaluation("ml", "ranker", /*fail=*/false));  // all pass
  evs.push_back(testing::SampleEvaluation("fraud", "legacy", false, /*waived=*/true));
  ResourceEvaluation ns = testing::SampleEvaluation("", "ml-namespace", false);
  ns.resource.api_version = "v1";
  ns.resource.kind = "Namespace";
  ns.results[1].action = Action::kWarn;
  ns.results[1].result = Outcome::kFail;
  ns.results[1].message = "needs: \"quotes\"\nand a newline";
  evs.push_back(ns);
  ResourceEvaluation unset = testing::SampleEvaluation("", "no-namespace", false);
  unset.results[0].result = Outcome::kError;
  evs.push_back(unset);
  return evs;
}

std::vector<YAML::Node> Docs(const std::string& text) { return YAML::LoadAll(text); }

TEST(PolicyReport, WgPolicyYaml) {
  std::ostringstream out;
  PolicyReportOptions o;
  o.time = std::chrono::system_clock::time_point(std::chrono::seconds(1764350000));
  WritePolicyReports(Sample(), testing::SamplePacks(), o, out);
  std::vector<YAML::Node> docs;
  ASSERT_NO_THROW(docs = Docs(out.str())) << out.str();
  ASSERT_EQ(docs.size(), 4u) << out.str();  // default, fraud, ml, cluster
  std::map<std::string, YAML::Node> by_ns;
  for (const auto& d : docs) {
    EXPECT_EQ(d["apiVersion"].as<std::string>(), "wgpolicyk8s.io/v1alpha2");
    by_ns[d["metadata"]["namespace"] ? d["metadata"]["namespace"].as<std::string>() : "<cluster>"] = d;
  }
  ASSERT_TRUE(by_ns.count("ml"));
  const YAML::Node& ml = by_ns["ml"];
  EXPECT_EQ(ml["kind"].as<std::string>(), "PolicyReport");
  EXPECT_EQ(ml["summary"]["pass"].as<int>(), 3);  // scorer owner + ranker both
  EXPECT_EQ(ml["summary"]["fail"].as<int>(), 1);
  EXPECT_EQ(ml["results"].size(), 4u);  // passing resources included
  EXPECT_EQ(ml["results"][1]["policy"].as<std::string>(), "iso42001");
  EXPECT_EQ(ml["results"][1]["rule"].as<std::string>(), "risk-tier-declared");
  EXPECT_EQ(ml["results"][1]["result"].as<std::string>(), "fail");
  EXPECT_EQ(ml["results"][1]["timestamp"]["seconds"].as<long long>(), 1764350000);
  EXPECT_EQ(ml["results"][1]["resources"][0]["name"].as<std::string>(), "scorer");
  EXPECT_EQ(ml["results"][1]["properties"]["controls"].as<std::string>(), "A.5.2,6.1.2");

  const YAML::Node& fraud = by_ns["fraud"];
  const YAML::Node waived = fraud["results"][1];
  EXPECT_EQ(waived["result"].as<std::string>(), "skip");
  EXPECT_EQ(waived["properties"]["aimsgate.io/result"].as<std::string>(), "waived");
  EXPECT_EQ(waived["properties"]["waiver"].as<std::string>(), "legacy-legacy");
  EXPECT_EQ(waived["properties"]["waiverExpires"].as<std::string>(), "2027-03-01T00:00:00Z");
  EXPECT_EQ(fraud["summary"]["skip"].as<int>(), 1);

  const YAML::Node& cluster = by_ns["<cluster>"];
  EXPECT_EQ(cluster["kind"].as<std::string>(), "ClusterPolicyReport");
  EXPECT_EQ(cluster["metadata"]["name"].as<std::string>(), "aimsgate-cluster");
  EXPECT_EQ(cluster["results"][1]["result"].as<std::string>(), "warn");
  EXPECT_EQ(cluster["results"][1]["message"].as<std::string>(), "needs: \"quotes\"\nand a newline");

  const YAML::Node& def = by_ns["default"];  // namespaced kind without a namespace
  EXPECT_EQ(def["results"][0]["result"].as<std::string>(), "error");
  EXPECT_EQ(def["summary"]["error"].as<int>(), 1);
}

TEST(PolicyReport, OpenReportsJsonList) {
  std::ostringstream out;
  PolicyReportOptions o;
  ASSERT_TRUE(ParsePolicyReportFormat("openreports", &o.flavor));
  o.encoding = PolicyReportEncoding::kJson;
  WritePolicyReports(Sample(), testing::SamplePacks(), o, out);
  rapidjson::Document d;
  d.Parse(out.str().c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_STREQ(d["kind"].GetString(), "List");
  ASSERT_EQ(d["items"].Size(), 4u);
  int reports = 0, cluster = 0;
  for (const auto& item : d["items"].GetArray()) {
    EXPECT_STREQ(item["apiVersion"].GetString(), "openreports.io/v1alpha1");
    EXPECT_STREQ(item["source"].GetString(), "aimsgate");
    std::string kind = item["kind"].GetString();
    if (kind == "Report") ++reports;
    if (kind == "ClusterReport") ++cluster;
  }
  EXPECT_EQ(reports, 3);
  EXPECT_EQ(cluster, 1);
  PolicyReportFlavor f;
  EXPECT_FALSE(ParsePolicyReportFormat("sarif", &f));
}

TEST(PolicyReport, EmptyInputWritesNothing) {
  std::ostringstream out;
  WritePolicyReports({}, {}, PolicyReportOptions(), out);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace aimsgate::evidence
