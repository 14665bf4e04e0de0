// The one reader of Kubernetes AdmissionReview documents (admission.k8s.io/v1 and v1beta1).
// `serve` reads the apiserver's request body with it; `check` and `test` read captured
// requests (a document of kind AdmissionReview) with it, so all three evaluate the same
// object with the same request.
//
//   manifest::AdmissionReview review;
//   std::string problem = manifest::ReadAdmissionReview(doc, {}, &review);
//   if (!problem.empty()) ...                  // "request.operation must be CREATE, ..."
//   if (review.target) {                       // request.oldObject for DELETE, else request.object
//     EvalRequest req;
//     req.request = review.request;            // visible to the rules as `request`
//     req.old_object = review.old_object;      // visible as `oldObject`
//     engine.Evaluate(*review.target, req, &scratch);
//   }
//
// Checks, in this order, each giving the first problem found: apiVersion, kind, request is
// an object, request.uid (when required), request.operation (CREATE, UPDATE, DELETE or
// CONNECT), request.dryRun (bool or null), request.object and request.oldObject (object or
// null), and an object to evaluate for CREATE and UPDATE.  A DELETE without oldObject or a
// CONNECT without object reads fine with a null target: there is nothing to evaluate.
//
// Thread-safety: pure.  The result points into `doc`, which must outlive it.  Cost: a few
// member look-ups; the document is not copied.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::manifest {

struct AdmissionReview {
  std::string_view api_version;  // admission.k8s.io/v1 | admission.k8s.io/v1beta1
  std::string_view uid;          // request.uid ("" when absent and not required)
  std::string_view operation;    // CREATE | UPDATE | DELETE | CONNECT
  std::string_view username;     // request.userInfo.username, "" when absent
  bool dry_run = false;
  const aimsgate::JsonValue* request = nullptr;     // the request object
  const aimsgate::JsonValue* object = nullptr;      // request.object; null when absent or null
  const aimsgate::JsonValue* old_object = nullptr;  // request.oldObject; null when absent or null
  const aimsgate::JsonValue* target = nullptr;      // what the rules evaluate; null = nothing to evaluate
};

struct AdmissionReviewOptions {
  // The answer echoes request.uid, so `serve` requires it; a captured review read by
  // `check` (such as Gatekeeper's test objects) may leave it out.
  bool require_uid = true;
};

// A document of kind AdmissionReview with a `request` member: read as a request, not as
// an object to evaluate.
bool IsAdmissionReview(const aimsgate::JsonValue& doc);

// Reads `doc` into *out.  Returns "" when it is a well-formed AdmissionReview, otherwise
// the first problem (see the header comment); *out is then partly filled.
std::string ReadAdmissionReview(const aimsgate::JsonValue& doc, const AdmissionReviewOptions& options,
                                AdmissionReview* out);

// A review captured to a file (`check`, `rules bench`): request.uid may be absent,
// and a review with nothing to evaluate (a DELETE without oldObject, a CONNECT
// without object) is a problem too, since a file is read to evaluate something.
std::string ReadCapturedAdmissionReview(const aimsgate::JsonValue& doc, AdmissionReview* out);

}  // namespace aimsgate::manifest
