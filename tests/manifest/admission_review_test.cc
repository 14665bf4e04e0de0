// The one AdmissionReview reader (serve, check and test): which object is evaluated,
// what is required, and which problem is named first.
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/admission_review.h"

#include <gtest/gtest.h>

#include <string>

namespace aimsgate::manifest {
namespace {

struct Read {
  aimsgate::JsonDocument doc;
  AdmissionReview review;
  std::string problem;
  Read(const std::string& json, bool require_uid = true) {
    doc.Parse(json.c_str());
    problem = ReadAdmissionReview(doc, {require_uid}, &review);
  }
  std::string TargetName() const {
    return review.target ? (*review.target)["metadata"]["name"].GetString() : "<none>";
  }
};

std::string Review(const std::string& request) {
  return R"({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": )" + request + "}";
}

const char* kNew = R"({"metadata": {"name": "new"}})";
const char* kOld = R"({"metadata": {"name": "old"}})";

TEST(AdmissionReview, TargetIsTheObjectOrTheOldObjectForDelete) {
  for (const char* op : {"CREATE", "UPDATE", "CONNECT"}) {
    Read r(Review(std::string(R"({"uid": "u", "operation": ")") + op + R"(", "object": )" + kNew +
                  R"(, "oldObject": )" + kOld + "}"));
    EXPECT_EQ(r.problem, "") << op;
    EXPECT_EQ(r.TargetName(), "new") << op;
    EXPECT_EQ(r.review.old_object, &r.doc["request"]["oldObject"]) << op;
  }
  Read del(Review(std::string(R"({"uid": "u", "operation": "DELETE", "object": )") + kNew + R"(, "oldObject": )" +
                  kOld + R"(, "dryRun": true, "userInfo": {"username": "alice"}})"));
  EXPECT_EQ(del.problem, "");
  EXPECT_EQ(del.TargetName(), "old");
  EXPECT_EQ(del.review.operation, "DELETE");
  EXPECT_EQ(del.review.username, "alice");
  EXPECT_TRUE(del.review.dry_run);
  EXPECT_EQ(del.review.uid, "u");
}

TEST(AdmissionReview, NothingToEvaluateIsNotAProblemForDeleteAndConnect) {
  Read del(Review(R"({"uid": "u", "operation": "DELETE", "oldObject": null})"));
  EXPECT_EQ(del.problem, "");
  EXPECT_EQ(del.review.target, nullptr);
  Read connect(Review(R"({"uid": "u", "operation": "CONNECT"})"));
  EXPECT_EQ(connect.problem, "");
  EXPECT_EQ(connect.review.target, nullptr);
  Read create(Review(R"({"uid": "u", "operation": "CREATE", "object": null})"));
  EXPECT_EQ(create.problem, "request.object is missing for operation CREATE");
}

TEST(AdmissionReview, UidIsRequiredOnlyWhenAsked) {
  const std::string no_uid = Review(std::string(R"({"operation": "UPDATE", "object": )") + kNew + "}");
  EXPECT_EQ(Read(no_uid).problem, "request.uid is missing or not a string");
  Read lenient(no_uid, /*require_uid=*/false);
  EXPECT_EQ(lenient.problem, "");
  EXPECT_EQ(lenient.TargetName(), "new");
}

TEST(AdmissionReview, FirstProblemInOrder) {
  EXPECT_EQ(Read(R"({"apiVersion": "v1", "kind": "Pod"})").problem,
            "apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, got 'v1'");
  EXPECT_EQ(Read(R"({"apiVersion": "admission.k8s.io/v1beta1", "kind": "Pod"})").problem,
            "kind must be AdmissionReview");
  EXPECT_EQ(Read(Review("[]")).problem, "request is missing or not an object");
  // No uid and a bad operation: the uid is named first, as the webhook always did.
  EXPECT_EQ(Read(Review(R"({"operation": "PATCH"})")).problem, "request.uid is missing or not a string");
  EXPECT_EQ(Read(Review(R"({"uid": "u", "operation": "PATCH"})")).problem,
            "request.operation must be CREATE, UPDATE, DELETE or CONNECT, got 'PATCH'");
  EXPECT_EQ(Read(Review(R"({"uid": "u", "operation": "CREATE", "dryRun": "yes"})")).problem,
            "request.dryRun must be a bool");
  EXPECT_EQ(Read(Review(R"({"uid": "u", "operation": "CREATE", "object": 1})")).problem,
            "request.object is not a JSON object");
  EXPECT_EQ(Read(Review(R"({"uid": "u", "operation": "DELETE", "oldObject": "x"})")).problem,
            "request.oldObject is not a JSON object");
}

TEST(AdmissionReview, IsAdmissionReviewNeedsKindAndRequest) {
  aimsgate::JsonDocument doc;
  doc.Parse(R"({"kind": "AdmissionReview", "request": {}})");
  EXPECT_TRUE(IsAdmissionReview(doc));
  doc.Parse(R"({"kind": "AdmissionReview"})");
  EXPECT_FALSE(IsAdmissionReview(doc));
  doc.Parse(R"({"kind": "Pod", "request": {}})");
  EXPECT_FALSE(IsAdmissionReview(doc));
}

}  // namespace
}  // namespace aimsgate::manifest
