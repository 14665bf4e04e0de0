// HandleAdmissionReview on small packs: every decision path, the response shape the
// apiserver reads, failure policy, enforcement modes, the evidence hook and bad input.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/redact.h"
#include "evaluator/kernel/json.h"
#include "webhook/admission.h"

namespace aimsgate::webhook {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/aimsgate-webhook-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }

 private:
  std::string path_;
};

constexpr char kPack[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: t, version: 0.1.0}
spec:
  failurePolicy: POLICY
  rules:
  - id: owner
    controls: ["A.3.2"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "has(object.metadata.annotations) && 'example.com/owner' in object.metadata.annotations"
    message: "Deployment '{{object.metadata.name}}' has no owner"
  - id: replicas
    action: warn
    controls: ["A.6.2.4"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "!has(object.spec.replicas) || object.spec.replicas >= 2"
    message: "only {{object.spec.replicas}} replica(s) of {{object.metadata.name}} and a long tail that goes well past the limit of one hundred and twenty bytes that Kubernetes advises"
  - id: keep-prod
    controls: ["A.6.2.6"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "request.operation != 'DELETE' || oldObject.metadata.labels.tier != 'prod'"
    message: "production Deployment '{{oldObject.metadata.name}}' cannot be deleted"
  - id: trusted-user
    controls: ["A.3.3"]
    match: {kinds: ["apps/v1/Deployment"]}
    assert: "request.userInfo.username != 'mallory'"
    message: "user {{request.userInfo.username}} may not deploy AI systems"
  - id: broken
    controls: ["A.9.2"]
    match: {kinds: ["v1/ConfigMap"]}
    assert: "object.data.missing == 'x'"
)Y";

std::string Review(const std::string& object, const std::string& operation = "CREATE", bool dry_run = false,
                   const std::string& api_version = "admission.k8s.io/v1", const std::string& user = "alice",
                   const std::string& old_object = "null") {
  return R"({"apiVersion":")" + api_version + R"(","kind":"AdmissionReview","request":{"uid":"uid-42",)" +
         R"("kind":{"group":"apps","version":"v1","kind":"Deployment"},"namespace":"ml","operation":")" + operation +
         R"(","userInfo":{"username":")" + user + R"("},"dryRun":)" + (dry_run ? "true" : "false") +
         R"(,"object":)" + object + R"(,"oldObject":)" + old_object + "}}";
}

std::string Deployment(bool owner, int replicas, const std::string& tier = "dev") {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"scorer","namespace":"ml",)" +
         std::string(R"("labels":{"tier":")") + tier + R"("})" +
         (owner ? R"(,"annotations":{"example.com/owner":"ml-team"})" : "") + R"(},"spec":{"replicas":)" +
         std::to_string(replicas) + "}}";
}

constexpr char kConfigMap[] = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}})";

class AdmissionTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Engine> Load(const std::string& policy = "Fail", const Enforcement& enforcement = {}) {
    std::string pack = kPack;
    pack.replace(pack.find("POLICY"), 6, policy);
    EngineOptions o;
    o.enforcement = enforcement;  // serve --enforcement
    o.rule_paths = {dir_.Write("pack-" + policy + ".yaml", pack)};
    std::vector<Diagnostic> diags;
    auto engine = Engine::Load(o, &diags);
    for (const auto& d : diags) ADD_FAILURE() << d.ToString();
    return engine;
  }
  // Runs the handler and parses its answer into `doc_`.
  AdmissionResponse Run(const std::string& body, const HandlerOptions& options = {}, const char* policy = "Fail",
                        const Enforcement& enforcement = {}) {
    auto engine = Load(policy, enforcement);
    if (!engine) return {};
    AdmissionResponse r = HandleAdmissionReview(body, *engine, options, &state_);
    doc_.Parse(r.body.c_str());
    EXPECT_FALSE(doc_.HasParseError()) << r.body;
    return r;
  }
  const aimsgate::JsonValue& Response() { return doc_["response"]; }
  std::string Annotation(const char* key) {
    const auto& a = Response()["auditAnnotations"];
    return a.HasMember(key) ? a[key].GetString() : "";
  }
  TempDir dir_;
  cel::EvalState state_;
  aimsgate::JsonDocument doc_;
};

TEST_F(AdmissionTest, AllowsACompliantObject) {
  AdmissionResponse r = Run(Review(Deployment(true, 3)));
  ASSERT_EQ(r.http_status, 200);
  EXPECT_STREQ(doc_["apiVersion"].GetString(), "admission.k8s.io/v1");
  EXPECT_STREQ(doc_["kind"].GetString(), "AdmissionReview");
  EXPECT_STREQ(Response()["uid"].GetString(), "uid-42");
  EXPECT_TRUE(Response()["allowed"].GetBool());
  EXPECT_FALSE(Response().HasMember("status"));
  EXPECT_FALSE(Response().HasMember("warnings"));
  EXPECT_EQ(Annotation("decision"), "allow");
  EXPECT_EQ(Annotation("packs").rfind("t@0.1.0=sha256:", 0), 0u) << Annotation("packs");
  EXPECT_EQ(Annotation("dry-run"), "false");
  EXPECT_EQ(r.decision, "allow");
  EXPECT_EQ(r.operation, "CREATE");
  EXPECT_EQ(r.username, "alice");
}

TEST_F(AdmissionTest, DeniesWithEachRuleControlAndMessage) {
  AdmissionResponse r = Run(Review(Deployment(false, 3), "CREATE", false, "admission.k8s.io/v1", "mallory"));
  ASSERT_EQ(r.http_status, 200);
  EXPECT_FALSE(Response()["allowed"].GetBool());
  EXPECT_EQ(Response()["status"]["code"].GetInt(), 403);
  std::string message = Response()["status"]["message"].GetString();
  EXPECT_NE(message.find("Deployment ml/scorer"), std::string::npos) << message;
  EXPECT_NE(message.find("[t/owner A.3.2] Deployment 'scorer' has no owner"), std::string::npos) << message;
  EXPECT_NE(message.find("[t/trusted-user A.3.3] user mallory may not deploy"), std::string::npos) << message;
  EXPECT_EQ(Annotation("decision"), "deny");
  EXPECT_EQ(Annotation("failed-rules"), "t/owner,t/trusted-user");
}

TEST_F(AdmissionTest, WarnsWithShortWarnings) {
  AdmissionResponse r = Run(Review(Deployment(true, 1)));
  EXPECT_TRUE(Response()["allowed"].GetBool());
  ASSERT_TRUE(Response().HasMember("warnings"));
  ASSERT_EQ(Response()["warnings"].Size(), 1u);
  std::string w = Response()["warnings"][0].GetString();
  EXPECT_EQ(w.rfind("[t/replicas A.6.2.4] only 1 replica(s) of scorer", 0), 0u) << w;
  EXPECT_LE(w.size(), 120u);
  EXPECT_EQ(w.substr(w.size() - 3), "...");
  EXPECT_EQ(r.decision, "warn");
}

TEST_F(AdmissionTest, EnforcementModesMapDenyRules) {
  Enforcement audit;
  audit.mode = EnforcementMode::kAudit;
  Run(Review(Deployment(false, 3)), {}, "Fail", audit);
  EXPECT_TRUE(Response()["allowed"].GetBool());
  EXPECT_EQ(Annotation("decision"), "audit");
  EXPECT_EQ(Annotation("failed-rules"), "t/owner");

  Enforcement warn;
  warn.mode = EnforcementMode::kWarn;
  Run(Review(Deployment(false, 3)), {}, "Fail", warn);
  EXPECT_TRUE(Response()["allowed"].GetBool());
  ASSERT_TRUE(Response().HasMember("warnings"));
  EXPECT_NE(std::string(Response()["warnings"][0].GetString()).find("t/owner"), std::string::npos);

  Enforcement per_pack;
  std::string error;
  ASSERT_TRUE(per_pack.Add("t=audit", &error)) << error;
  Run(Review(Deployment(false, 3)), {}, "Fail", per_pack);
  EXPECT_TRUE(Response()["allowed"].GetBool());
  Enforcement other_pack;
  ASSERT_TRUE(other_pack.Add("other=audit", &error)) << error;
  Run(Review(Deployment(false, 3)), {}, "Fail", other_pack);
  EXPECT_FALSE(Response()["allowed"].GetBool());
}

TEST(EnforcementTest, ParsesModesAndRejectsTheRest) {
  Enforcement e;
  std::string error;
  EXPECT_TRUE(e.Add("warn", &error));
  EXPECT_TRUE(e.Add("p=enforce", &error));
  EXPECT_EQ(e.For("p"), EnforcementMode::kEnforce);
  EXPECT_EQ(e.For("q"), EnforcementMode::kWarn);
  for (const char* bad : {"", "deny", "=audit", "p=", "p=dryrun"}) {
    EXPECT_FALSE(e.Add(bad, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

TEST_F(AdmissionTest, DryRunIsEvaluatedAndMarked) {
  HandlerOptions o;
  bool seen_dry_run = false;
  o.record = [&](const AdmissionDecision& d, std::string*) {
    seen_dry_run = d.dry_run;
    return true;
  };
  AdmissionResponse r = Run(Review(Deployment(false, 3), "CREATE", true), o);
  EXPECT_FALSE(Response()["allowed"].GetBool());
  EXPECT_EQ(Annotation("dry-run"), "true");
  EXPECT_TRUE(r.dry_run);
  EXPECT_TRUE(seen_dry_run);
}

TEST_F(AdmissionTest, DeleteEvaluatesOldObject) {
  AdmissionResponse r = Run(Review("null", "DELETE", false, "admission.k8s.io/v1", "alice", Deployment(true, 3, "prod")));
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_FALSE(Response()["allowed"].GetBool());
  EXPECT_NE(std::string(Response()["status"]["message"].GetString()).find("production Deployment 'scorer'"),
            std::string::npos);
  Run(Review("null", "DELETE", false, "admission.k8s.io/v1", "alice", Deployment(true, 3, "dev")));
  EXPECT_TRUE(Response()["allowed"].GetBool());
  // DELETE without an old object has nothing to evaluate: allowed.
  Run(Review("null", "DELETE"));
  EXPECT_TRUE(Response()["allowed"].GetBool());
}

TEST_F(AdmissionTest, AnswersV1beta1InKind) {
  AdmissionResponse r = Run(Review(Deployment(false, 3), "UPDATE", false, "admission.k8s.io/v1beta1"));
  ASSERT_EQ(r.http_status, 200);
  EXPECT_STREQ(doc_["apiVersion"].GetString(), "admission.k8s.io/v1beta1");
  EXPECT_FALSE(Response()["allowed"].GetBool());
}

TEST_F(AdmissionTest, FailurePolicyFailDeniesAndSaysSo) {
  AdmissionResponse r = Run(Review(kConfigMap));
  EXPECT_FALSE(Response()["allowed"].GetBool());
  std::string message = Response()["status"]["message"].GetString();
  EXPECT_NE(message.find("[t/broken A.9.2] could not be evaluated (failurePolicy Fail)"), std::string::npos) << message;
  EXPECT_EQ(Annotation("errored-rules"), "t/broken");
}

TEST_F(AdmissionTest, FailurePolicyIgnoreAllowsWithAWarning) {
  std::vector<std::string> notes;
  HandlerOptions o;
  o.record = [&](const AdmissionDecision& d, std::string*) {
    notes = d.notes;
    return true;
  };
  Run(Review(kConfigMap), o, "Ignore");
  EXPECT_TRUE(Response()["allowed"].GetBool());
  ASSERT_TRUE(Response().HasMember("warnings"));
  EXPECT_NE(std::string(Response()["warnings"][0].GetString()).find("failurePolicy Ignore"), std::string::npos);
  EXPECT_EQ(Annotation("errored-rules"), "t/broken");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("failurePolicy Ignore: rule t/broken could not be evaluated"), std::string::npos);
  EXPECT_NE(notes[0].find("allowed"), std::string::npos);
}

TEST_F(AdmissionTest, EvidenceFailureFollowsThePolicy) {
  HandlerOptions o;
  o.record = [](const AdmissionDecision&, std::string* error) {
    *error = "disk full";
    return false;
  };
  AdmissionResponse r = Run(Review(Deployment(true, 3)), o);
  EXPECT_TRUE(r.record_failed);
  EXPECT_FALSE(Response()["allowed"].GetBool());
  // Issue 13, finding 10: the cause (path, errno) stays in the webhook's log.
  std::string message = Response()["status"]["message"].GetString();
  EXPECT_EQ(message.find("disk full"), std::string::npos) << message;
  EXPECT_NE(message.find("could not record the decision as evidence"), std::string::npos) << message;
  EXPECT_EQ(Annotation("evidence"), "write-failed");
  o.deny_on_record_failure = false;
  r = Run(Review(Deployment(true, 3)), o);
  EXPECT_TRUE(r.record_failed);
  EXPECT_TRUE(Response()["allowed"].GetBool());
}

struct BadCase {
  const char* name;
  std::string body;
  const char* error;  // substring of the error message
};

class BadRequestTest : public AdmissionTest, public ::testing::WithParamInterface<BadCase> {};

TEST_P(BadRequestTest, AnswersHttp400WithAJsonError) {
  AdmissionResponse r = Run(GetParam().body);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.decision, "invalid");
  ASSERT_TRUE(doc_.IsObject()) << r.body;
  ASSERT_TRUE(doc_.HasMember("error")) << r.body;
  EXPECT_NE(std::string(doc_["error"].GetString()).find(GetParam().error), std::string::npos) << r.body;
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

INSTANTIATE_TEST_SUITE_P(
    Cases, BadRequestTest,
    ::testing::Values(
        BadCase{"empty", "", "empty body"},
        BadCase{"malformed", "{\"apiVersion\": \n  oops}", "invalid JSON at line 2 column 3"},
        BadCase{"truncated", Review(Deployment(true, 3)).substr(0, 60), "invalid JSON"},
        BadCase{"not_object", "[1,2]", "not a JSON object"},
        BadCase{"wrong_version", R"({"apiVersion":"v1","kind":"AdmissionReview","request":{"uid":"x"}})", "apiVersion"},
        BadCase{"wrong_kind", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}})", "kind"},
        BadCase{"missing_request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "request"},
        BadCase{"missing_uid",
                R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}})",
                "request.uid"},
        BadCase{"numeric_uid",
                R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}})", "request.uid"},
        BadCase{"object_string", Review("\"a string\""), "request.object is not a JSON object"},
        BadCase{"object_array", Review("[]"), "request.object is not a JSON object"},
        BadCase{"create_without_object", Review("null"), "request.object is missing"},
        BadCase{"dry_run_string",
                R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","dryRun":"yes"}})",
                "dryRun"},
        BadCase{"deeply_nested", Nested(200000), "nested deeper than 128"},
        BadCase{"deep_object", Review(std::string(R"({"a":)") + Nested(150) + "}"), "nested deeper"},
        BadCase{"invalid_utf8", Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" +
                                       std::string("\xff\xfe") + R"("}})"),
                "invalid JSON"},
        // Issue 13, finding 6: a lone surrogate escape decodes to bytes that are not UTF-8.
        BadCase{"lone_low_surrogate", Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad\udc00name"}})"),
                "lone UTF-16 surrogate"},
        BadCase{"lone_surrogate_in_key",
                Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"n","labels":{"\udfff":"x"}}})"),
                "lone UTF-16 surrogate"},
        // Issue 13, finding 9: duplicate keys (readers disagree on which counts) and operations.
        BadCase{"duplicate_uid",
                R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"a","uid":"b",)"
                R"("operation":"CREATE","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}})",
                "duplicate key 'uid'"},
        BadCase{"duplicate_operation", Review(kConfigMap, "CONNECT\",\"operation\":\"CREATE"), "duplicate key 'operation'"},
        BadCase{"duplicate_in_object",
                Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","name":"b"}})"),
                "duplicate key 'name'"},
        BadCase{"unknown_operation", Review(Deployment(true, 3), "PATCH"), "request.operation must be"},
        BadCase{"missing_operation",
                R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
                R"("object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}}})",
                "request.operation must be"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

// Issue 13, finding 8: Secret data and stringData of the new and the old object, raw or
// base64, and --evidence-redact values never reach the answer or the evidence hook.
TEST_F(AdmissionTest, SecretValuesReachNeitherTheAnswerNorTheEvidence) {
  constexpr char kSecretPack[] = R"Y(apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: s, version: 0.1.0}
spec:
  failurePolicy: Fail
  rules:
  - id: numeric-password
    match: {kinds: ["v1/Secret"]}
    assert: "int(object.stringData.password) > 0"
    message: "password must be numeric"
  - id: old-password
    action: warn
    match: {kinds: ["v1/Secret"]}
    assert: "false"
    message: "was {{oldObject.stringData.password}} / {{oldObject.data.token}} / {{object.metadata.annotations['example.com/key']}}"
  - id: quoted-token
    match: {kinds: ["v1/Secret"]}
    assert: "false"
    message: "token {{object.data.token}}"
)Y";
  EngineOptions eo;
  eo.rule_paths = {dir_.Write("secret-pack.yaml", kSecretPack)};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(eo, &diags);
  ASSERT_TRUE(engine) << (diags.empty() ? "" : diags[0].ToString());
  // base64("s3cr3t-new-token") and base64("0ld-t0ken-value")
  const std::string object =
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","annotations":{"example.com/key":"ann-value-9"}},)"
      R"("stringData":{"password":"hunter2-new"},"data":{"token":"czNjcjN0LW5ldy10b2tlbg=="}})";
  const std::string old_object =
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},)"
      R"("stringData":{"password":"hunter1-old"},"data":{"token":"MGxkLXQwa2VuLXZhbHVl"}})";
  HandlerOptions o;
  auto redactor = std::make_shared<evidence::Redactor>();
  ASSERT_TRUE(evidence::Redactor::Create({"metadata.annotations['example.com/key']"}, redactor.get()).ok());
  o.redactor = redactor;
  std::string recorded;
  o.record = [&recorded](const AdmissionDecision& d, std::string*) {
    evidence::RecordInput in;
    in.source = evidence::Source::kAdmission;
    in.evaluation = d.evaluation;
    in.object = d.object;
    in.notes = d.notes;
    in.decision = d.decision;
    evidence::Redactor none;
    recorded = evidence::JoinMembers(evidence::BuildRecordMembers(in, &none, std::chrono::system_clock::now()));
    return true;
  };
  AdmissionResponse r = HandleAdmissionReview(Review(object, "UPDATE", false, "admission.k8s.io/v1", "alice", old_object),
                                              *engine, o, &state_);
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_NE(r.body.find("\"allowed\":false"), std::string::npos) << r.body;
  ASSERT_FALSE(recorded.empty());
  EXPECT_NE(recorded.find("\"masked\":true"), std::string::npos) << recorded;
  for (const char* secret : {"hunter2-new", "hunter1-old", "s3cr3t-new-token", "czNjcjN0LW5ldy10b2tlbg==",
                             "0ld-t0ken-value", "MGxkLXQwa2VuLXZhbHVl", "ann-value-9"}) {
    EXPECT_EQ(r.body.find(secret), std::string::npos) << secret << " in the answer: " << r.body;
    EXPECT_EQ(recorded.find(secret), std::string::npos) << secret << " in the record: " << recorded;
  }
}

TEST_F(AdmissionTest, ModeratelyNestedObjectsAreFine) {
  std::string obj = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"n",)"
                    R"("annotations":{"example.com/owner":"x"}},"spec":{"x":)" +
                    Nested(100) + "}}";
  AdmissionResponse r = Run(Review(obj));
  EXPECT_EQ(r.http_status, 200) << r.body;
}

// Every prefix and random byte flip of a valid review: a 200 or a 400, never a crash.
TEST_F(AdmissionTest, MangledBodiesNeverCrash) {
  auto engine = Load();
  ASSERT_TRUE(engine);
  std::string valid = Review(Deployment(false, 1));
  std::mt19937 rng(42);
  for (size_t cut = 0; cut < valid.size(); cut += 3) {
    AdmissionResponse r = HandleAdmissionReview(valid.substr(0, cut), *engine, {}, &state_);
    EXPECT_TRUE(r.http_status == 200 || r.http_status == 400);
    EXPECT_FALSE(r.body.empty());
  }
  for (int i = 0; i < 2000; ++i) {
    std::string m = valid;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] = static_cast<char>(rng() % 256);
    AdmissionResponse r = HandleAdmissionReview(m, *engine, {}, &state_);
    EXPECT_TRUE(r.http_status == 200 || r.http_status == 400);
    aimsgate::JsonDocument d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body;
  }
}

// The answer is written as text (json_text.h), no longer through rapidjson::Writer: it must
// still be the bytes the Writer writes for the same document — the same escapes, members in
// the same order — whatever the names, messages, warnings and annotations hold.
TEST_F(AdmissionTest, AnswerIsTheTextRapidjsonWriterWrites) {
  constexpr char kVap[] = R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}]}
  auditAnnotations:
  - {key: seen, valueExpression: "'name: ' + object.metadata.name"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Audit]}
)Y";
  std::string pack = kPack;
  pack.replace(pack.find("POLICY"), 6, "Ignore");
  EngineOptions eo;
  eo.rule_paths = {dir_.Write("pack.yaml", pack), dir_.Write("vap.yaml", kVap)};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(eo, &diags);
  ASSERT_TRUE(engine) << (diags.empty() ? "" : diags[0].ToString());
  auto redactor = std::make_shared<evidence::Redactor>();
  ASSERT_TRUE(evidence::Redactor::Create({"metadata.annotations['example.com/key']"}, redactor.get()).ok());
  const std::string names[] = {"scorer", R"(q\"uote)", R"(back\\slash)", R"(ctl\u0001\n\t)", "ünï-名前-😀",
                               R"(esc\u00e9\ud83d\ude00)", "sekret-value", std::string(300, 'x')};
  int checked = 0;
  for (const std::string& name : names) {
    const std::string object = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name +
                               R"(","namespace":"ml","annotations":{"example.com/key":"sekret-value"}},"spec":{"replicas":1}})";
    for (bool redact : {false, true}) {
      for (bool record_fails : {false, true}) {
        HandlerOptions o;
        if (redact) o.redactor = redactor;
        o.max_warning_bytes = redact ? 40 : 120;
        o.max_status_message = redact ? 60 : 4096;
        if (record_fails) o.record = [](const AdmissionDecision&, std::string* error) { *error = "full"; return false; };
        for (const char* op : {"CREATE", "DELETE"}) {
          const bool del = std::string(op) == "DELETE";
          AdmissionResponse r = HandleAdmissionReview(
              Review(del ? "null" : object, op, redact, redact ? "admission.k8s.io/v1beta1" : "admission.k8s.io/v1",
                     R"(user \")" + name + R"(\")", del ? object : "null"),
              *engine, o, &state_);
          ASSERT_EQ(r.http_status, 200) << r.body;
          aimsgate::JsonDocument d;
          d.Parse(r.body.c_str(), r.body.size());
          ASSERT_FALSE(d.HasParseError()) << r.body;
          aimsgate::JsonStringBuffer sb;
          aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
          d.Accept(w);
          EXPECT_EQ(r.body, std::string(sb.GetString(), sb.GetSize()));
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 64);
}

TEST_F(AdmissionTest, BadRequestIsTheTextRapidjsonWriterWrites) {
  auto engine = Load();
  ASSERT_TRUE(engine);
  for (const std::string& body : {std::string("{\"a\": \n tru}"), std::string("[1]"), std::string(300, '['),
                                 Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","name":"\"ü\u0001"}})")}) {
    AdmissionResponse r = HandleAdmissionReview(body, *engine, {}, &state_);
    ASSERT_EQ(r.http_status, 400);
    aimsgate::JsonStringBuffer sb;
    aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
    w.StartObject();
    w.Key("error");
    w.String(r.error.c_str(), static_cast<rapidjson::SizeType>(r.error.size()));
    w.EndObject();
    EXPECT_EQ(r.body, std::string(sb.GetString(), sb.GetSize()));
  }
}

// Up to a max_depth of 256 the body is parsed by the recursive parser with the depth
// counted as it goes; beyond it, and whenever that parse fails, by the depth scan and the
// iterative parser.  Both paths must give the same answer, byte for byte: the same body
// under max_depth 250 (recursive) and 300 (iterative only), valid or not.
TEST_F(AdmissionTest, RecursiveAndIterativeParsesAnswerAlike) {
  auto engine = Load();
  ASSERT_TRUE(engine);
  const std::string valid = Review(Deployment(false, 1));
  std::vector<std::string> bodies = {
      valid,
      "\xef\xbb\xbf" + valid,  // a BOM: non-ASCII, skipped by the stream parser only
      Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ünï\u00e9"}})"),
      Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x\ud800"}})"),
      Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ü\udc00"}})"),
      Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","name":"b"}})"),
      Review(std::string(R"({"a":)") + Nested(200) + "}"),
      Review(std::string(R"({"a":)") + std::string(200, '[') + "1,," + std::string(200, ']') + "}"),
      "{\"apiVersion\": \n  oops}",
      "\xff{}",
      "{\"a\":\"\xc3\x28\"}",
      "[1,2]",
      "{} x",
  };
  // Escapes and raw control bytes at every offset of an 8-byte word, once or twice in a
  // name: the fast parse skips plain bytes a word at a time and moves them once a string
  // has shrunk by an escape.  The name is quoted in the deny message, so a wrong decoding
  // shows in the answer.
  for (const char* escape : {R"(\n)", R"(\")", R"(\\)", R"(\/)", R"(\u00e9)", R"(\ud83d\ude00)", "\t", "\x01"}) {
    for (size_t before = 0; before < 18; ++before) {
      for (size_t after : {size_t{0}, size_t{5}, size_t{13}}) {
        const std::string name = std::string(before, 'a') + escape + std::string(after, 'b') + (after == 5 ? escape : "");
        bodies.push_back(Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" + name + R"("}})"));
      }
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string m = valid;
    for (int k = 0; k < 2; ++k) m[rng() % m.size()] = static_cast<char>(rng() % 256);
    bodies.push_back(m);
    bodies.push_back(valid.substr(0, rng() % valid.size()));
  }
  HandlerOptions recursive, iterative;
  recursive.max_depth = 250;
  iterative.max_depth = 300;
  int ok = 0, bad = 0;
  for (const std::string& body : bodies) {
    AdmissionResponse a = HandleAdmissionReview(body, *engine, recursive, &state_);
    AdmissionResponse b = HandleAdmissionReview(body, *engine, iterative, &state_);
    EXPECT_EQ(a.http_status, b.http_status) << body;
    EXPECT_EQ(a.body, b.body) << body;
    (a.http_status == 200 ? ok : bad)++;
  }
  EXPECT_GT(ok, 300);
  EXPECT_GT(bad, 100);
}

// The depth limit is exact on both paths: max_depth levels pass, one more is refused with
// the same message, for arrays and objects, ASCII and non-ASCII bodies.
TEST_F(AdmissionTest, DepthLimitIsExactOnBothParsers) {
  auto engine = Load();
  ASSERT_TRUE(engine);
  for (size_t max_depth : {size_t{20}, size_t{256}, size_t{257}}) {
    HandlerOptions o;
    o.max_depth = max_depth;
    for (bool ascii : {true, false}) {
      for (bool objects : {false, true}) {
        // The review itself nests 4 levels (review, request, object, metadata) above the value.
        auto body = [&](size_t value_depth) {
          std::string value = objects ? "" : std::string(value_depth, '[') + std::string(value_depth, ']');
          if (objects) {
            for (size_t i = 0; i < value_depth; ++i) value += R"({"k":)";
            value += "1" + std::string(value_depth, '}');
          }
          return Review(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")" +
                        std::string(ascii ? "n" : "ñ") + R"(","deep":)" + value + "}}");
        };
        AdmissionResponse fits = HandleAdmissionReview(body(max_depth - 4), *engine, o, &state_);
        EXPECT_EQ(fits.http_status, 200) << max_depth << " " << fits.body;
        AdmissionResponse over = HandleAdmissionReview(body(max_depth - 3), *engine, o, &state_);
        EXPECT_EQ(over.http_status, 400);
        EXPECT_EQ(over.error, "JSON nested deeper than " + std::to_string(max_depth) + " levels") << max_depth;
      }
    }
  }
}

// TruncateWarning cuts first and then replaces control characters in what is kept; the
// reference replaces first and then cuts (where the cut falls does not depend on control
// characters, which are never UTF-8 continuation bytes).  Same result on any text.
TEST(TruncateWarningTest, CutThenReplaceIsReplaceThenCut) {
  auto reference = [](std::string out, size_t max_bytes) {
    for (char& c : out) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    if (out.size() <= max_bytes) return out;
    size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    if (max_bytes >= 3) out += "...";
    return out;
  };
  const std::string pieces[] = {"a", "\n", "\t", "\x7f", "\x01", "é", "名", "😀", "\x80", "\xff", " "};
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (size_t n = rng() % 40; n > 0; --n) text += pieces[rng() % std::size(pieces)];
    const size_t max_bytes = rng() % 48;
    ASSERT_EQ(TruncateWarning(text, max_bytes), reference(text, max_bytes)) << text << " " << max_bytes;
  }
}

TEST(TruncateWarningTest, CutsOnUtf8BoundariesAndStripsControls) {
  EXPECT_EQ(TruncateWarning("short", 120), "short");
  EXPECT_EQ(TruncateWarning("a\nb\tc", 120), "a b c");
  std::string long_text(200, 'x');
  EXPECT_EQ(TruncateWarning(long_text, 120).size(), 120u);
  // "é" is two bytes: a cut in its middle backs up to the character before.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";
  std::string cut = TruncateWarning(accents, 120);
  EXPECT_LE(cut.size(), 120u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  std::string body = cut.substr(0, cut.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
}

}  // namespace
}  // namespace aimsgate::webhook
