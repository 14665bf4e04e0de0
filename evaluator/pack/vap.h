// Kubernetes ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) objects
// as rule packs: what lets `check`, `test` and `serve` run the policies a cluster
// already has, offline and with evidence (docs/vap.md).
//
//   std::vector<ForeignDocument> docs = ...;   // non-RulePack documents of --rules files
//   std::vector<PackSpec> packs = VapToPacks(docs, &diags);
//
// Every (binding, params object) pair becomes one PackSpec named after the policy
// (`<policy>@<binding>` when a policy has several bindings, `#<ns>/<name>` of the
// params object when a binding selects several), with one rule per validation,
// `validation-<i>` (0-based, in the policy's order).  Semantics:
//  - a policy acts only through bindings; a policy without one is inert (warning);
//  - matchConstraints and the binding's matchResources both must match (resources,
//    operations, scope, excludeResourceRules, namespaceSelector, objectSelector);
//  - matchConditions all true, else the rule is skipped; an error follows failurePolicy;
//  - variables are helpers evaluated at most once per object (`variables.x`);
//  - params: the paramKind objects found among the documents by paramRef (name,
//    namespace, selector); none found: parameterNotFoundAction Deny (default) fails
//    every matching object, Allow skips it;
//  - validationActions: Deny -> deny, Warn -> warn, Audit -> audit;
//  - namespaceObject: a Namespace object given among the documents, else null.
//  - auditAnnotations: "<pack>/<key>" = valueExpression (strings; null omits the key)
//    in ResourceEvaluation::audit_annotations (webhook auditAnnotations, evidence records).
// Not available: `authorizer` (a compile error names it).
// Thread-safety: free function, no shared state.
#pragma once

#include <vector>

#include "evaluator/pack/pack_loader.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

// True for ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding documents.
bool IsVapDocument(const YAML::Node& doc);

// Policies, bindings, params and Namespace objects in; packs out.  Documents that
// are none of these are left alone (the caller decides whether they are errors).
std::vector<PackSpec> VapToPacks(const std::vector<ForeignDocument>& documents, std::vector<Diagnostic>* diagnostics);

// Rewrites `variables.NAME` (outside string literals) to `VariableHelper(NAME)(object)`.
std::string RewriteVariables(const std::string& expression);
std::string VariableHelper(const std::string& name);

}  // namespace aimsgate
