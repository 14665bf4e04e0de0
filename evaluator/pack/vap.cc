#include "evaluator/pack/vap.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/pack/cel_text.h"
#include "evaluator/pack/matcher.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate {
namespace {

constexpr char kVapGroup[] = "admissionregistration.k8s.io/";

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence()) {
    for (const auto& i : n) {
      if (i.IsScalar()) out.push_back(i.Scalar());
    }
  }
  return out;
}

struct Doc {
  YAML::Node node;
  std::shared_ptr<const SourceFile> file;
  std::string api_version, kind, name, ns;
};

class Errors {
 public:
  explicit Errors(std::vector<Diagnostic>* out) : out_(out) {}
  void Error(const Doc& d, const YAML::Node& at, const std::string& message) {
    Add(d, at, message, Diagnostic::Level::kError);
  }
  void Warn(const Doc& d, const YAML::Node& at, const std::string& message) {
    Add(d, at, message, Diagnostic::Level::kWarning);
  }

 private:
  void Add(const Doc& d, const YAML::Node& at, const std::string& message, Diagnostic::Level level) {
    SourcePos p = PosOf(at ? at : d.node);
    Diagnostic diag{d.file->path(), p.line, p.column, message};
    diag.level = level;
    out_->push_back(diag);
  }
  std::vector<Diagnostic>* out_;
};

// The expression of a scalar node (possibly rewritten; positions then drift past
// the first rewrite), located in its file.
ExprText Expr(const SourceFile& file, const YAML::Node& node, std::string text) {
  ExprText e;
  e.segments = node && node.IsScalar() ? ScalarSegments(file, node, node.Scalar()) : std::vector<ExprText::Segment>{};
  if (e.segments.empty()) e.segments.push_back({0, PosOf(node)});
  e.text = std::move(text);
  return e;
}

// matchLabels + matchExpressions -> requirements (matchLabels as In of one value).
// A malformed expression (unknown operator, In without values, Exists with values)
// is an error located at it, as in a RulePack.
std::vector<LabelRequirement> Selector(const Doc& d, const YAML::Node& sel, const char* what, Errors& errors) {
  std::vector<LabelRequirement> out;
  if (!sel || !sel.IsMap()) return out;
  if (YAML::Node ml = sel["matchLabels"]; ml && ml.IsMap()) {
    for (const auto& kv : ml) out.push_back({kv.first.Scalar(), "In", {Str(kv.second)}});
  }
  if (YAML::Node me = sel["matchExpressions"]; me && me.IsSequence()) {
    for (const auto& e : me) {
      LabelRequirement r{Str(e["key"]), Str(e["operator"]), Strings(e["values"])};
      std::string error;
      LabelSelector::Field where = LabelSelector::Field::kEntry;
      if (!LabelSelector::Check(r, &error, &where)) {
        const YAML::Node at = where == LabelSelector::Field::kOperator ? e["operator"]
                              : where == LabelSelector::Field::kValues ? e["values"]
                                                                       : e;
        errors.Error(d, at, std::string(what) + ": " + error);
        continue;
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<ResourceRule> Rules(const YAML::Node& list) {
  std::vector<ResourceRule> out;
  if (!list) return out;
  // A wrong shape must not read as "no rules" (which would match every resource).
  if (!list.IsSequence()) throw YAML::Exception(list.Mark(), "resourceRules must be a list of rules");
  for (const auto& r : list) {
    ResourceRule rule;
    rule.groups = Strings(r["apiGroups"]);
    rule.versions = Strings(r["apiVersions"]);
    rule.resources = Strings(r["resources"]);
    rule.operations = Strings(r["operations"]);
    rule.names = Strings(r["resourceNames"]);
    if (r["scope"]) rule.scope = Str(r["scope"]);
    out.push_back(std::move(rule));
  }
  return out;
}

AdmissionMatch Match(const Doc& d, const YAML::Node& m, Errors& errors) {
  AdmissionMatch out;
  if (!m || !m.IsMap()) return out;
  out.resource_rules = Rules(m["resourceRules"]);
  out.exclude_rules = Rules(m["excludeResourceRules"]);
  out.namespace_selector = Selector(d, m["namespaceSelector"], "namespaceSelector", errors);
  out.object_selector = Selector(d, m["objectSelector"], "objectSelector", errors);
  return out;
}

// A params object's labels (YAML scalars, read as strings) against paramRef.selector.
bool SelectorMatches(const LabelSelector& selector, const YAML::Node& labels) {
  aimsgate::JsonDocument doc(rapidjson::kObjectType);
  if (labels && labels.IsMap()) {
    auto& a = doc.GetAllocator();
    for (const auto& kv : labels) {
      if (kv.second.IsScalar()) doc.AddMember(aimsgate::JsonValue(kv.first.Scalar(), a), aimsgate::JsonValue(kv.second.Scalar(), a), a);
    }
  }
  return selector.Matches(&doc);
}

std::string CelStringLiteral(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string DigestOf(const std::vector<const Doc*>& docs) {
  aimsgate::JsonDocument all(rapidjson::kArrayType);
  for (const Doc* d : docs) all.PushBack(ToJson(d->node, all.GetAllocator()), all.GetAllocator());
  return "sha256:" + kernel::Sha256Hex(kernel::CanonicalJson(all));
}

}  // namespace

std::string VariableHelper(const std::string& name) { return "vapVariable_" + name; }

std::string RewriteVariables(const std::string& e) {
  static const std::string kPrefix = "variables.";
  return cel_text::MapIdentifiers(e, [&](size_t start, size_t end, size_t* consumed, std::string* replacement) {
    if (e.compare(start, end - start, "variables") != 0 || end - start != 9 || end >= e.size() || e[end] != '.') {
      return false;
    }
    size_t j = start + kPrefix.size();
    while (j < e.size() && cel_text::IsIdentChar(e[j])) ++j;
    if (j == start + kPrefix.size()) return false;
    *replacement = VariableHelper(e.substr(start + kPrefix.size(), j - start - kPrefix.size())) + "(object)";
    *consumed = j;
    return true;
  });
}

bool IsVapDocument(const YAML::Node& doc) {
  const std::string api = Str(doc["apiVersion"]), kind = Str(doc["kind"]);
  return api.rfind(kVapGroup, 0) == 0 &&
         (kind == "ValidatingAdmissionPolicy" || kind == "ValidatingAdmissionPolicyBinding");
}

namespace {

// ---- ConvertVaps, in four stages: classify, index namespaces, resolve params, build.

// The documents by role; the pointers point into `docs`.
struct Classified {
  std::vector<Doc> docs;
  std::vector<const Doc*> policies, bindings, objects;
};

Classified Classify(const std::vector<ForeignDocument>& documents) {
  Classified c;
  for (const auto& f : documents) {
    if (!f.node.IsMap()) continue;
    Doc d{f.node, f.file, Str(f.node["apiVersion"]), Str(f.node["kind"]), "", ""};
    if (YAML::Node md = f.node["metadata"]; md && md.IsMap()) {
      d.name = Str(md["name"]);
      d.ns = Str(md["namespace"]);
    }
    c.docs.push_back(std::move(d));
  }
  for (const auto& d : c.docs) {
    if (d.kind == "ValidatingAdmissionPolicy" && d.api_version.rfind(kVapGroup, 0) == 0) {
      c.policies.push_back(&d);
    } else if (d.kind == "ValidatingAdmissionPolicyBinding" && d.api_version.rfind(kVapGroup, 0) == 0) {
      c.bindings.push_back(&d);
    } else {
      c.objects.push_back(&d);
    }
  }
  return c;
}

// Namespaces supplied beside the policies: namespaceObject and namespaceSelector labels.
std::shared_ptr<NamespaceIndex> IndexNamespaces(const std::vector<const Doc*>& objects) {
  auto namespaces = std::make_shared<NamespaceIndex>();
  namespaces->objects = std::make_shared<aimsgate::JsonDocument>(rapidjson::kArrayType);
  auto& alloc = namespaces->objects->GetAllocator();
  for (const Doc* d : objects) {
    if (d->kind == "Namespace" && d->api_version == "v1") namespaces->objects->PushBack(ToJson(d->node, alloc), alloc);
  }
  for (auto& v : namespaces->objects->GetArray()) {
    auto md = v.FindMember("metadata");
    if (md != v.MemberEnd() && md->value.IsObject() && md->value.HasMember("name") && md->value["name"].IsString()) {
      namespaces->by_name.emplace_back(md->value["name"].GetString(), &v);
    }
  }
  namespaces->Sort();
  return namespaces;
}

// One binding of one policy, as the build stage reads it.
struct Bound {
  const Doc* policy = nullptr;
  const Doc* binding = nullptr;
  YAML::Node spec, bspec;  // the policy's and the binding's
  std::string policy_name;
  bool several_bindings = false;  // pack names then carry "@<binding>"
  Action action = Action::kDeny;
  Severity severity = Severity::kHigh;
  std::vector<AdmissionMatch> admission;  // matchConstraints, then the binding's matchResources
};

// The params objects a binding selects: one pack each, all compiled once.
struct Params {
  std::vector<const Doc*> objects;  // a null entry: the policy has no paramKind
  bool missing = false;             // none found, parameterNotFoundAction: Deny
};

// False when the binding yields no pack (an error was reported, or no params
// were found and parameterNotFoundAction is Allow).
bool ResolveParams(const Bound& b, const std::vector<const Doc*>& objects, Errors& errors, Params* out) {
  const YAML::Node param_kind = b.spec["paramKind"];
  const YAML::Node param_ref = b.bspec["paramRef"];
  if (!param_kind) {
    out->objects.push_back(nullptr);
    return true;
  }
  if (!param_ref || !param_ref.IsMap()) {
    errors.Error(*b.binding, b.bspec, "policy '" + b.policy_name + "' has a paramKind but binding '" + b.binding->name + "' no paramRef");
    return false;
  }
  const std::string want_api = Str(param_kind["apiVersion"]), want_kind = Str(param_kind["kind"]);
  const std::string ref_name = Str(param_ref["name"]), ref_ns = Str(param_ref["namespace"]);
  LabelSelector selector;
  std::string error;
  // (Selector reports malformed expressions and leaves them out, so this compiles.)
  selector.Compile(Selector(*b.binding, param_ref["selector"], "paramRef.selector", errors), &error);
  for (const Doc* o : objects) {
    if (o->api_version != want_api || o->kind != want_kind) continue;
    if (!ref_name.empty() && o->name != ref_name) continue;
    if (!ref_ns.empty() && o->ns != ref_ns) continue;
    if (ref_name.empty() && !SelectorMatches(selector, o->node["metadata"]["labels"])) continue;
    out->objects.push_back(o);
  }
  if (out->objects.empty()) {
    if (Str(param_ref["parameterNotFoundAction"]) == "Allow") return false;  // nothing to evaluate: every object is allowed
    out->missing = true;
    out->objects.push_back(nullptr);
  }
  return true;
}

// The pack of one binding and one params object (null: none).  False when the
// policy has nothing to evaluate (reported).
bool BuildPack(const Bound& b, const Params& params, const Doc* param, std::shared_ptr<const NamespaceIndex> namespaces,
               Errors& errors, PackSpec* out) {
  const Doc* policy = b.policy;
  const YAML::Node& spec = b.spec;
  const YAML::Node param_kind = spec["paramKind"];
  const YAML::Node param_ref = b.bspec["paramRef"];
  PackSpec& pack = *out;
  pack.name = b.policy_name;
  if (b.several_bindings) pack.name += "@" + b.binding->name;
  if (params.objects.size() > 1 && param) pack.name += "#" + (param->ns.empty() ? "" : param->ns + "/") + param->name;
  pack.version = policy->api_version;
  pack.description = "ValidatingAdmissionPolicy " + b.policy_name + " bound by " + b.binding->name +
                     (param ? " with params " + param->kind + " " + param->name : "");
  pack.failure_policy_fail = Str(spec["failurePolicy"]) != "Ignore";
  // The params are the activation's `params`: every params object of a policy
  // shares its compiled programs (CompilePack), whatever the binding.
  pack.program_key = "vap:" + policy->file->path() + ":" + b.policy_name;
  pack.parameters = std::make_shared<aimsgate::JsonDocument>();
  if (param) pack.parameters->CopyFrom(ToJson(param->node, pack.parameters->GetAllocator()), pack.parameters->GetAllocator());
  std::vector<const Doc*> digested = {policy, b.binding};
  if (param) digested.push_back(param);
  pack.digest = PackDigest(DigestOf(digested));
  pack.source = policy->file;
  pack.pos = PosOf(policy->node);
  pack.namespaces = std::move(namespaces);

  if (YAML::Node vars = spec["variables"]; vars && vars.IsSequence()) {
    for (const auto& v : vars) {
      FunctionSpec f;
      f.name = VariableHelper(Str(v["name"]));
      f.params = {"vapObject"};  // unused: a variable argument makes the call memoized per object
      f.expression = Expr(*policy->file, v["expression"], RewriteVariables(Str(v["expression"])));
      f.pos = PosOf(v);
      pack.functions.push_back(std::move(f));
    }
  }

  MatchSpec match;
  match.admission = b.admission;
  // A params object found by namespace-less paramRef in a namespace serves that namespace only.
  if (param && !param->ns.empty() && Str(param_ref["namespace"]).empty()) match.namespaces_include.push_back(param->ns);
  std::string when;
  if (YAML::Node conds = spec["matchConditions"]; conds && conds.IsSequence()) {
    for (const auto& c : conds) {
      when += (when.empty() ? "" : " && ") + std::string("(") + RewriteVariables(Str(c["expression"])) + ")";
    }
    if (!when.empty()) match.when = Expr(*policy->file, conds, when);
  }

  if (params.missing) {
    RuleSpec rule;
    rule.id = "params-not-found";
    rule.title = "The params of binding " + b.binding->name + " are present";
    rule.severity = b.severity;
    rule.action = b.action;
    rule.match = match;
    rule.assert_expr = Expr(*b.binding->file, param_ref, "false");
    rule.message = "no " + Str(param_kind["kind"]) + " params found for binding '" + b.binding->name +
                   "' (parameterNotFoundAction: Deny)";
    rule.pos = PosOf(param_ref);
    pack.rules.push_back(std::move(rule));
  }
  YAML::Node validations = spec["validations"];
  if (!params.missing && validations && validations.IsSequence()) {
    int index = 0;
    for (const auto& v : validations) {
      RuleSpec rule;
      rule.id = "validation-" + std::to_string(index++);
      if (!v.IsMap() || !v["expression"] || !v["expression"].IsScalar()) {
        errors.Error(*policy, v, "validation " + std::to_string(index - 1) + " has no expression");
        continue;
      }
      const std::string expression = Str(v["expression"]);
      const std::string message = Str(v["message"]);
      rule.title = message.empty() ? expression : message;
      if (v["reason"]) rule.description = "reason: " + Str(v["reason"]);
      rule.severity = b.severity;
      rule.action = b.action;
      rule.match = match;
      rule.assert_expr = Expr(*policy->file, v["expression"], RewriteVariables(expression));
      const std::string fallback = message.empty() ? "failed expression: " + expression : message;
      if (fallback.find("{{") != std::string::npos) {
        // A VAP message is literal: keep {{ from being read as interpolation.
        rule.message_expression = Expr(*policy->file, YAML::Node(), CelStringLiteral(fallback));
      } else {
        rule.message = fallback;
      }
      if (v["messageExpression"]) {
        // RenderMessage falls back to `message` when it fails, as Kubernetes does.
        rule.message_expression = Expr(*policy->file, v["messageExpression"], RewriteVariables(Str(v["messageExpression"])));
      }
      rule.message_pos = PosOf(v["message"] ? v["message"] : v);
      rule.pos = PosOf(v);
      pack.rules.push_back(std::move(rule));
    }
  }
  if (YAML::Node anns = spec["auditAnnotations"]; !params.missing && anns && anns.IsSequence()) {
    for (const auto& a : anns) {
      if (!a.IsMap() || !a["key"] || !a["valueExpression"] || !a["valueExpression"].IsScalar()) {
        errors.Error(*policy, a, "auditAnnotation needs key and valueExpression");
        continue;
      }
      RuleSpec rule;
      rule.audit_annotation_key = Str(a["key"]);
      rule.id = "audit-annotation-" + rule.audit_annotation_key;
      rule.action = Action::kAudit;
      rule.match = match;
      rule.assert_expr = Expr(*policy->file, a["valueExpression"], RewriteVariables(Str(a["valueExpression"])));
      rule.pos = PosOf(a);
      pack.rules.push_back(std::move(rule));
    }
  }
  if (pack.rules.empty()) {
    errors.Error(*policy, spec, "ValidatingAdmissionPolicy '" + b.policy_name + "' has no validations or auditAnnotations");
    return false;
  }
  return true;
}

// A binding and its policy, checked; false (reported) when it cannot act.
bool Bind(const Doc* binding, const std::vector<const Doc*>& policies, const std::map<std::string, int>& bindings_per_policy,
          Errors& errors, Bound* out) {
  out->binding = binding;
  out->bspec = binding->node["spec"];
  if (!out->bspec || !out->bspec.IsMap()) {
    errors.Error(*binding, binding->node, "ValidatingAdmissionPolicyBinding '" + binding->name + "' without spec");
    return false;
  }
  out->policy_name = Str(out->bspec["policyName"]);
  for (const Doc* p : policies) {
    if (p->name == out->policy_name) out->policy = p;
  }
  if (out->policy == nullptr) {
    errors.Error(*binding, out->bspec["policyName"], "binding '" + binding->name + "' names the ValidatingAdmissionPolicy '" +
                                                         out->policy_name + "', which is not among the rules files");
    return false;
  }
  out->spec = out->policy->node["spec"];
  if (!out->spec || !out->spec.IsMap()) {
    errors.Error(*out->policy, out->policy->node, "ValidatingAdmissionPolicy without spec");
    return false;
  }
  const std::vector<std::string> actions = Strings(out->bspec["validationActions"]);
  auto has_action = [&](const char* a) { return std::find(actions.begin(), actions.end(), a) != actions.end(); };
  if (actions.empty()) {
    errors.Error(*binding, out->bspec, "binding '" + binding->name + "' has no validationActions (Deny, Warn, Audit)");
    return false;
  }
  out->action = has_action("Deny") ? Action::kDeny : has_action("Warn") ? Action::kWarn : Action::kAudit;
  out->severity = out->action == Action::kDeny ? Severity::kHigh : out->action == Action::kWarn ? Severity::kMedium : Severity::kLow;
  auto n = bindings_per_policy.find(out->policy_name);
  out->several_bindings = n != bindings_per_policy.end() && n->second > 1;
  out->admission.push_back(Match(*out->policy, out->spec["matchConstraints"], errors));
  if (out->bspec["matchResources"]) out->admission.push_back(Match(*binding, out->bspec["matchResources"], errors));
  return true;
}

std::vector<PackSpec> ConvertVaps(const std::vector<ForeignDocument>& documents, std::vector<Diagnostic>* diagnostics) {
  Errors errors(diagnostics);
  const Classified c = Classify(documents);
  std::vector<PackSpec> packs;
  if (c.policies.empty() && c.bindings.empty()) return packs;
  const std::shared_ptr<const NamespaceIndex> namespaces = IndexNamespaces(c.objects);

  std::map<std::string, int> bindings_per_policy;
  for (const Doc* b : c.bindings) {
    if (b->node["spec"].IsMap()) ++bindings_per_policy[Str(b->node["spec"]["policyName"])];
  }
  for (const Doc* p : c.policies) {
    if (p->name.empty()) errors.Error(*p, p->node["metadata"], "ValidatingAdmissionPolicy without metadata.name");
    if (bindings_per_policy[p->name] == 0) {
      errors.Warn(*p, p->node["metadata"], "ValidatingAdmissionPolicy '" + p->name +
                                               "' has no ValidatingAdmissionPolicyBinding: it is inert, as in a cluster");
    }
  }
  for (const Doc* binding : c.bindings) {
    Bound b;
    Params params;
    if (!Bind(binding, c.policies, bindings_per_policy, errors, &b) || !ResolveParams(b, c.objects, errors, &params)) continue;
    for (const Doc* param : params.objects) {
      PackSpec pack;
      if (BuildPack(b, params, param, namespaces, errors, &pack)) packs.push_back(std::move(pack));
    }
  }
  return packs;
}

}  // namespace

std::vector<PackSpec> VapToPacks(const std::vector<ForeignDocument>& documents, std::vector<Diagnostic>* diagnostics) {
  // yaml-cpp throws on a node of the wrong shape (a scalar spec, a missing key's
  // mark): a located error, never an abort.
  try {
    return ConvertVaps(documents, diagnostics);
  } catch (const YAML::Exception& e) {
    const std::string path = documents.empty() ? "" : documents.front().file->path();
    diagnostics->push_back({path, e.mark.line + 1, e.mark.column + 1,
                            "ValidatingAdmissionPolicy objects: " + e.msg});
    return {};
  }
}

}  // namespace aimsgate
