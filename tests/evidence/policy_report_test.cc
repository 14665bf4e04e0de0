// PolicyReport / OpenReports output: parsed back with yaml-cpp and as JSON.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/evidence/report/policy_report.h"
#include "evaluator/kernel/json.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

std::vector<ResourceEvaluation> Sample() {
  std::vector<ResourceEvaluation> evs;
  evs.push_back(testing::SampleEvaluation("ml", "scorer", /*fail=*/true));
  evs.push_back(testing::SampleEvaluation("ml", "ranker", /*fail=*/false));  // all pass
  evs.push_back(testing::SampleEvaluation("fraud", "legacy", false, /*waived=*/true));
  ResourceEvaluation ns = testing::SampleEvaluation("", "ml-namespace", false);
  ns.resource.set_api_version("v1");
  ns.resource.set_kind("Namespace");
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
  aimsgate::JsonDocument d;
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

// A Deployment, its ReplicaSet and Pod as a cluster listing gives them: uids and controller refs.
std::vector<ResourceEvaluation> OwnedChain(const std::string& ns, const std::string& name, bool pod_only_failure) {
  ResourceEvaluation deploy = testing::SampleEvaluation(ns, name, /*fail=*/true);
  deploy.resource.set_uid(name + "-deploy-uid");
  ResourceEvaluation rs = testing::SampleEvaluation(ns, name + "-5d8f", true);
  rs.resource.set_kind("ReplicaSet");
  rs.resource.set_uid(name + "-rs-uid");
  rs.resource.set_controller_uid(deploy.resource.uid());
  ResourceEvaluation pod = testing::SampleEvaluation(ns, name + "-5d8f-x2k4q", true);
  pod.resource.set_api_version("v1");
  pod.resource.set_kind("Pod");
  pod.resource.set_uid(name + "-pod-uid");
  pod.resource.set_controller_uid(rs.resource.uid());
  if (pod_only_failure) {
    RuleResult r = pod.results[0];
    r.info = testing::TestRule("iso42001/pod-security", {"A.3.2"}, Severity::kHigh);
    r.result = Outcome::kFail;
    r.message = "privileged container";
    pod.results.push_back(r);
  }
  for (ResourceEvaluation* ev : {&deploy, &rs, &pod}) {
    RuleResult skip = ev->results[0];
    skip.info = testing::TestRule("iso42001/gpu-quota", {"A.3.2"}, Severity::kHigh);
    skip.result = Outcome::kSkip;
    ev->results.push_back(skip);
  }
  return {deploy, rs, pod};
}

TEST(PolicyReport, SkipsAreCountedNotListed) {
  std::ostringstream out;
  WritePolicyReports(OwnedChain("ml", "scorer", false), testing::SamplePacks(), PolicyReportOptions(), out);
  std::vector<YAML::Node> docs = Docs(out.str());
  ASSERT_EQ(docs.size(), 1u) << out.str();
  for (const auto& r : docs[0]["results"]) EXPECT_NE(r["result"].as<std::string>(), "skip") << out.str();
  EXPECT_EQ(docs[0]["summary"]["skip"].as<int>(), 3);  // one per object, listed nowhere

  PolicyReportOptions with_skips;
  with_skips.include_skips = true;
  std::ostringstream all;
  WritePolicyReports(OwnedChain("ml", "scorer", false), testing::SamplePacks(), with_skips, all);
  int listed = 0;
  for (const auto& r : Docs(all.str())[0]["results"]) listed += r["result"].as<std::string>() == "skip";
  EXPECT_EQ(listed, 1);  // the Deployment's; the owned objects' skips are duplicates of it
}

TEST(PolicyReport, ControlledObjectsAreNotReportedTwice) {
  std::ostringstream out;
  WritePolicyReports(OwnedChain("ml", "scorer", /*pod_only_failure=*/true), testing::SamplePacks(),
                     PolicyReportOptions(), out);
  std::vector<YAML::Node> docs = Docs(out.str());
  ASSERT_EQ(docs.size(), 1u);
  std::multimap<std::string, std::string> seen;  // kind -> rule
  for (const auto& r : docs[0]["results"]) {
    seen.emplace(r["resources"][0]["kind"].as<std::string>(), r["rule"].as<std::string>());
  }
  // The Deployment carries both of its results; the ReplicaSet and Pod repeat them, so they are
  // left out; the Pod's own finding, which no owner has, stays.
  EXPECT_EQ(seen.count("Deployment"), 2u) << out.str();
  EXPECT_EQ(seen.count("ReplicaSet"), 0u) << out.str();
  ASSERT_EQ(seen.count("Pod"), 1u) << out.str();
  EXPECT_EQ(seen.find("Pod")->second, "pod-security");
  EXPECT_EQ(docs[0]["summary"]["fail"].as<int>(), 2);
  EXPECT_EQ(docs[0]["metadata"]["annotations"]["aimsgate.io/reported-on-controller"].as<std::string>(), "4");
  EXPECT_EQ(docs[0]["results"][0]["resources"][0]["uid"].as<std::string>(), "scorer-deploy-uid");

  // Without the owner in the listing (audit of pods only) the owned objects are reported.
  std::vector<ResourceEvaluation> pods_only = OwnedChain("ml", "scorer", false);
  pods_only.erase(pods_only.begin(), pods_only.begin() + 2);
  std::ostringstream alone;
  WritePolicyReports(pods_only, testing::SamplePacks(), PolicyReportOptions(), alone);
  EXPECT_EQ(Docs(alone.str())[0]["results"].size(), 2u) << alone.str();
}

// Issue 19: 100 nginx Deployments gave one 5.7 MB PolicyReport that the apiserver refused. 3,000
// objects, all in one namespace, with findings and long messages, in both encodings: every report
// stays under 1 MiB, and together they carry every non-skip result exactly once.
TEST(PolicyReport, ThreeThousandObjectsSplitUnderOneMiB) {
  constexpr size_t kMiB = 1024 * 1024;
  std::vector<ResourceEvaluation> evs;
  size_t expected_results = 0;
  for (int i = 0; i < 1000; ++i) {
    for (ResourceEvaluation& ev : OwnedChain("shop", "web-" + std::to_string(i), /*pod_only_failure=*/true)) {
      for (RuleResult& r : ev.results) {
        if (r.result == Outcome::kFail) r.message += " " + std::string(300 + i % 200, 'x');
      }
      evs.push_back(std::move(ev));
    }
    expected_results += 3;  // the Deployment's two and the Pod's own
  }
  ASSERT_EQ(evs.size(), 3000u);
  for (PolicyReportEncoding encoding : {PolicyReportEncoding::kYaml, PolicyReportEncoding::kJson}) {
    PolicyReportOptions o;
    o.encoding = encoding;
    std::ostringstream out;
    WritePolicyReports(evs, testing::SamplePacks(), o, out);
    std::vector<std::string> docs;  // each report as emitted
    if (encoding == PolicyReportEncoding::kYaml) {
      std::string text = out.str();
      size_t start = 0;
      while (start < text.size()) {
        size_t sep = text.find("\n---\n", start);
        size_t end = sep == std::string::npos ? text.size() : sep + 1;
        docs.push_back(text.substr(start, end - start));
        start = sep == std::string::npos ? text.size() : sep + 5;
      }
    } else {
      aimsgate::JsonDocument d;
      d.Parse(out.str().c_str());
      ASSERT_FALSE(d.HasParseError());
      for (const auto& item : d["items"].GetArray()) {
        aimsgate::JsonStringBuffer sb;
        aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> w(sb);
        item.Accept(w);
        docs.push_back(sb.GetString());
      }
    }
    ASSERT_GT(docs.size(), 2u) << "expected the namespace to be split";
    size_t results = 0;
    std::set<std::string> names;
    for (size_t i = 0; i < docs.size(); ++i) {
      SCOPED_TRACE("report " + std::to_string(i));
      EXPECT_LT(docs[i].size(), kMiB);
      YAML::Node doc = YAML::Load(docs[i]);
      EXPECT_EQ(doc["metadata"]["namespace"].as<std::string>(), "shop");
      EXPECT_EQ(doc["metadata"]["annotations"]["aimsgate.io/part"].as<std::string>(),
                std::to_string(i + 1) + "/" + std::to_string(docs.size()));
      names.insert(doc["metadata"]["name"].as<std::string>());
      results += doc["results"].size();
      int summed = doc["summary"]["pass"].as<int>() + doc["summary"]["fail"].as<int>();
      EXPECT_EQ(static_cast<size_t>(summed), doc["results"].size());
    }
    EXPECT_EQ(results, expected_results);
    EXPECT_EQ(names.size(), docs.size());
    EXPECT_TRUE(names.count("aimsgate") && names.count("aimsgate-2"));
  }
}

TEST(PolicyReport, HugeMessagesAreCut) {
  std::vector<ResourceEvaluation> evs{testing::SampleEvaluation("ml", "scorer", true)};
  evs[0].results[1].message = std::string(100000, 'm') + "\xC3\xA9";
  std::ostringstream out;
  WritePolicyReports(evs, testing::SamplePacks(), PolicyReportOptions(), out);
  std::string message = Docs(out.str())[0]["results"][1]["message"].as<std::string>();
  EXPECT_EQ(message, std::string(4096, 'm') + "\xE2\x80\xA6");
}

TEST(PolicyReport, RunLabelAndStringsStayStrings) {
  std::vector<ResourceEvaluation> evs{testing::SampleEvaluation("ml", "true", true)};
  evs[0].results[1].message = "1.0";
  PolicyReportOptions o;
  o.time = std::chrono::system_clock::time_point(std::chrono::seconds(1764350000));
  std::ostringstream out;
  WritePolicyReports(evs, testing::SamplePacks(), o, out);
  YAML::Node doc = Docs(out.str())[0];
  EXPECT_EQ(doc["metadata"]["labels"]["aimsgate.io/run"].as<std::string>(), "1764350000");
  EXPECT_EQ(doc["metadata"]["labels"]["app.kubernetes.io/managed-by"].as<std::string>(), "aimsgate");
  EXPECT_EQ(doc["results"][1]["resources"][0]["name"].Tag(), "!");  // quoted: not the boolean true
  EXPECT_EQ(doc["results"][1]["message"].Tag(), "!");
  EXPECT_EQ(doc["results"][1]["scored"].as<bool>(), true);
  EXPECT_EQ(doc["summary"]["fail"].as<int>(), 1);
}

// A hostile-input audit: DEL and U+FFFE/U+FFFF were written raw inside double
// quotes, which YAML forbids (PyYAML rejects the report). They are escaped now.
TEST(PolicyReport, CharactersYamlCannotPrintAreEscaped) {
  std::vector<ResourceEvaluation> evs{testing::SampleEvaluation("ml", "a\xEF\xBF\xBE" "d\x7f", true)};
  evs[0].results[1].message = "caf\xC3\xA9\x7f";
  std::ostringstream out;
  WritePolicyReports(evs, testing::SamplePacks(), PolicyReportOptions(), out);
  const std::string text = out.str();
  EXPECT_EQ(text.find('\x7f'), std::string::npos);
  EXPECT_EQ(text.find("\xEF\xBF\xBE"), std::string::npos);
  YAML::Node doc = Docs(text)[0];
  EXPECT_EQ(doc["results"][1]["resources"][0]["name"].as<std::string>(), "a\xEF\xBF\xBD" "d\x7f");
  EXPECT_EQ(doc["results"][1]["message"].as<std::string>(), "caf\xC3\xA9\x7f");
}

TEST(PolicyReport, EmptyInputWritesNothing) {
  std::ostringstream out;
  WritePolicyReports({}, {}, PolicyReportOptions(), out);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace aimsgate::evidence
