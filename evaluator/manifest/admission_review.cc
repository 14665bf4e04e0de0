#include "evaluator/manifest/admission_review.h"

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"

namespace aimsgate::manifest {

namespace {

using kernel::Member;

std::string_view Str(const aimsgate::JsonValue* v) {
  if (!v || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

}  // namespace

bool IsAdmissionReview(const aimsgate::JsonValue& doc) {
  return Str(Member(doc, "kind")) == "AdmissionReview" && Member(doc, "request") != nullptr;
}

std::string ReadAdmissionReview(const aimsgate::JsonValue& doc, const AdmissionReviewOptions& options,
                                AdmissionReview* out) {
  out->api_version = Str(Member(doc, "apiVersion"));
  if (out->api_version != "admission.k8s.io/v1" && out->api_version != "admission.k8s.io/v1beta1") {
    return "apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, got '" +
           std::string(out->api_version) + "'";
  }
  if (Str(Member(doc, "kind")) != "AdmissionReview") return "kind must be AdmissionReview";
  const aimsgate::JsonValue* request = Member(doc, "request");
  if (!request || !request->IsObject()) return "request is missing or not an object";
  out->request = request;
  out->uid = Str(Member(*request, "uid"));
  if (options.require_uid && out->uid.empty()) return "request.uid is missing or not a string";
  out->operation = Str(Member(*request, "operation"));
  const std::string_view op = out->operation;
  if (op != "CREATE" && op != "UPDATE" && op != "DELETE" && op != "CONNECT") {
    return "request.operation must be CREATE, UPDATE, DELETE or CONNECT, got '" + std::string(op) + "'";
  }
  const aimsgate::JsonValue* user_info = Member(*request, "userInfo");
  out->username = user_info ? Str(Member(*user_info, "username")) : std::string_view();
  const aimsgate::JsonValue* dry = Member(*request, "dryRun");
  if (dry && !dry->IsBool() && !dry->IsNull()) return "request.dryRun must be a bool";
  out->dry_run = dry && dry->IsBool() && dry->GetBool();

  const aimsgate::JsonValue* object = Member(*request, "object");
  const aimsgate::JsonValue* old_object = Member(*request, "oldObject");
  if (object && !object->IsObject() && !object->IsNull()) return "request.object is not a JSON object";
  if (old_object && !old_object->IsObject() && !old_object->IsNull()) return "request.oldObject is not a JSON object";
  out->object = object && object->IsObject() ? object : nullptr;
  out->old_object = old_object && old_object->IsObject() ? old_object : nullptr;
  out->target = op == "DELETE" ? out->old_object : out->object;
  if (!out->target && (op == "CREATE" || op == "UPDATE")) {
    return "request.object is missing for operation " + std::string(op);
  }
  return "";
}

std::string ReadCapturedAdmissionReview(const aimsgate::JsonValue& doc, AdmissionReview* out) {
  std::string problem = ReadAdmissionReview(doc, {/*require_uid=*/false}, out);
  if (problem.empty() && out->target == nullptr) {
    problem = "no object to evaluate for operation " + std::string(out->operation);
  }
  return problem;
}

}  // namespace aimsgate::manifest
