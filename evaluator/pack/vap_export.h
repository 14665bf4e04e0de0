// Rule packs -> Kubernetes ValidatingAdmissionPolicies (`aimsgate rules export
// --format vap`): one policy and one binding per rule that needs nothing outside
// the object, so a platform team can enforce simple rules inside the apiserver
// and keep aimsgate for the rest (docs/vap.md).
//
//   VapExport out = ExportPacksAsVap(packs);   // packs after --param overrides
//   std::cout << out.yaml;                    // multi-document YAML
//   for (auto& s : out.skipped) std::cerr << s.rule << ": " << s.reason << "\n";
//
// How a rule maps: pack functions become VAP variables (f(object)) or are
// inlined with cel.bind (other arguments), and `params.x` become literals; match.kinds -> resourceRules
// (CREATE, UPDATE), match.namespaces -> namespaceSelector on
// kubernetes.io/metadata.name (globs: a matchCondition on request.namespace), labelSelector -> objectSelector, match.when ->
// matchConditions, assert -> validation, message {{x}} -> messageExpression,
// action -> validationActions, failurePolicy -> failurePolicy.  A rule is not
// exported when it reads inventory, inventoryAll, model or now, or inlines to
// more than 64 KiB.  Pure function.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

struct VapExport {
  std::string yaml;
  int exported = 0;
  struct Skipped {
    std::string rule;  // pack/id
    std::string reason;
  };
  std::vector<Skipped> skipped;
};

VapExport ExportPacksAsVap(const std::vector<PackSpec>& packs);

// Turns pack-function calls into plain CEL for one rule: f(object) becomes the
// VAP variable `variables.f` (defined once, dependencies first), any other call
// cel.bind()s its arguments under fresh names around the function's body;
// `params.x` becomes a literal.  Inline() fails (with *why) on inventory,
// inventoryAll, model or now, on a call it cannot parse, or past 64 KiB.
class Inliner {
 public:
  Inliner(const std::vector<FunctionSpec>& functions, const aimsgate::JsonValue& params);
  bool Inline(const std::string& expression, std::string* out, std::string* why);
  // (name, expression) in dependency order.
  const std::vector<std::pair<std::string, std::string>>& variables() const { return variables_; }

 private:
  std::string Expand(const std::string& expression, int depth);
  std::string Literals(const std::string& expression);
  void Fail(const std::string& why) {
    if (ok_) why_ = why;
    ok_ = false;
  }

  std::map<std::string, const FunctionSpec*> functions_;
  const aimsgate::JsonValue& params_;
  std::set<std::string> defined_;
  std::vector<std::pair<std::string, std::string>> variables_;
  size_t literal_done_ = 0;
  int counter_ = 0;
  bool ok_ = true;
  std::string why_;
};

}  // namespace aimsgate
