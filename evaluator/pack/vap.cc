#include "evaluator/pack/vap.h"

#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "evaluator/manifest/canonical.h"
#include "evaluator/pack/cel_text.h"
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
std::vector<LabelRequirement> Selector(const YAML::Node& sel) {
  std::vector<LabelRequirement> out;
  if (!sel || !sel.IsMap()) return out;
  if (YAML::Node ml = sel["matchLabels"]; ml && ml.IsMap()) {
    for (const auto& kv : ml) out.push_back({kv.first.Scalar(), "In", {Str(kv.second)}});
  }
  if (YAML::Node me = sel["matchExpressions"]; me && me.IsSequence()) {
    for (const auto& e : me) out.push_back({Str(e["key"]), Str(e["operator"]), Strings(e["values"])});
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

AdmissionMatch Match(const YAML::Node& m) {
  AdmissionMatch out;
  if (!m || !m.IsMap()) return out;
  out.resource_rules = Rules(m["resourceRules"]);
  out.exclude_rules = Rules(m["excludeResourceRules"]);
  out.namespace_selector = Selector(m["namespaceSelector"]);
  out.object_selector = Selector(m["objectSelector"]);
  return out;
}

bool SelectorMatches(const std::vector<LabelRequirement>& reqs, const YAML::Node& labels) {
  for (const auto& r : reqs) {
    YAML::Node v = labels && labels.IsMap() ? labels[r.key] : YAML::Node();
    const bool present = v && v.IsScalar();
    const bool in = present && std::find(r.values.begin(), r.values.end(), v.Scalar()) != r.values.end();
    if ((r.op == "In" && !in) || (r.op == "NotIn" && in) || (r.op == "Exists" && !present) ||
        (r.op == "DoesNotExist" && present)) {
      return false;
    }
  }
  return true;
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
  rapidjson::Document all(rapidjson::kArrayType);
  for (const Doc* d : docs) all.PushBack(ToJson(d->node, all.GetAllocator()), all.GetAllocator());
  return "sha256:" + manifest::Sha256Hex(manifest::CanonicalJson(all));
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

std::vector<PackSpec> ConvertVaps(const std::vector<ForeignDocument>& documents, std::vector<Diagnostic>* diagnostics) {
  Errors errors(diagnostics);
  std::vector<Doc> docs;
  for (const auto& f : documents) {
    if (!f.node.IsMap()) continue;
    Doc d{f.node, f.file, Str(f.node["apiVersion"]), Str(f.node["kind"]), "", ""};
    if (YAML::Node md = f.node["metadata"]; md && md.IsMap()) {
      d.name = Str(md["name"]);
      d.ns = Str(md["namespace"]);
    }
    docs.push_back(std::move(d));
  }
  std::vector<const Doc*> policies, bindings, objects;
  for (const auto& d : docs) {
    if (d.kind == "ValidatingAdmissionPolicy" && d.api_version.rfind(kVapGroup, 0) == 0) {
      policies.push_back(&d);
    } else if (d.kind == "ValidatingAdmissionPolicyBinding" && d.api_version.rfind(kVapGroup, 0) == 0) {
      bindings.push_back(&d);
    } else {
      objects.push_back(&d);
    }
  }
  std::vector<PackSpec> packs;
  if (policies.empty() && bindings.empty()) return packs;

  // Namespaces supplied beside the policies: namespaceObject and namespaceSelector labels.
  auto namespaces = std::make_shared<NamespaceIndex>();
  namespaces->objects = std::make_shared<rapidjson::Document>(rapidjson::kArrayType);
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

  std::map<std::string, int> bindings_per_policy;
  for (const Doc* b : bindings) {
    if (b->node["spec"].IsMap()) ++bindings_per_policy[Str(b->node["spec"]["policyName"])];
  }
  for (const Doc* p : policies) {
    if (p->name.empty()) errors.Error(*p, p->node["metadata"], "ValidatingAdmissionPolicy without metadata.name");
    if (bindings_per_policy[p->name] == 0) {
      errors.Warn(*p, p->node["metadata"], "ValidatingAdmissionPolicy '" + p->name +
                                               "' has no ValidatingAdmissionPolicyBinding: it is inert, as in a cluster");
    }
  }

  for (const Doc* b : bindings) {
    const YAML::Node bspec = b->node["spec"];
    if (!bspec || !bspec.IsMap()) {
      errors.Error(*b, b->node, "ValidatingAdmissionPolicyBinding '" + b->name + "' without spec");
      continue;
    }
    const std::string policy_name = Str(bspec["policyName"]);
    const Doc* policy = nullptr;
    for (const Doc* p : policies) {
      if (p->name == policy_name) policy = p;
    }
    if (policy == nullptr) {
      errors.Error(*b, bspec["policyName"], "binding '" + b->name + "' names the ValidatingAdmissionPolicy '" +
                                                policy_name + "', which is not among the rules files");
      continue;
    }
    const YAML::Node spec = policy->node["spec"];
    if (!spec || !spec.IsMap()) {
      errors.Error(*policy, policy->node, "ValidatingAdmissionPolicy without spec");
      continue;
    }
    const std::vector<std::string> actions = Strings(bspec["validationActions"]);
    auto has_action = [&](const char* a) { return std::find(actions.begin(), actions.end(), a) != actions.end(); };
    if (actions.empty()) {
      errors.Error(*b, bspec, "binding '" + b->name + "' has no validationActions (Deny, Warn, Audit)");
      continue;
    }
    const Action action = has_action("Deny") ? Action::kDeny : has_action("Warn") ? Action::kWarn : Action::kAudit;
    const Severity severity = action == Action::kDeny ? Severity::kHigh : action == Action::kWarn ? Severity::kMedium
                                                                                                     : Severity::kLow;

    // The params objects this binding selects (one evaluation each), or none.
    struct Param {
      const Doc* doc = nullptr;
    };
    std::vector<Param> params;
    bool params_missing = false;
    const YAML::Node param_kind = spec["paramKind"];
    const YAML::Node param_ref = bspec["paramRef"];
    if (param_kind) {
      if (!param_ref || !param_ref.IsMap()) {
        errors.Error(*b, bspec, "policy '" + policy_name + "' has a paramKind but binding '" + b->name + "' no paramRef");
        continue;
      }
      const std::string want_api = Str(param_kind["apiVersion"]), want_kind = Str(param_kind["kind"]);
      const std::string ref_name = Str(param_ref["name"]), ref_ns = Str(param_ref["namespace"]);
      const std::vector<LabelRequirement> sel = Selector(param_ref["selector"]);
      for (const Doc* o : objects) {
        if (o->api_version != want_api || o->kind != want_kind) continue;
        if (!ref_name.empty() && o->name != ref_name) continue;
        if (!ref_ns.empty() && o->ns != ref_ns) continue;
        if (ref_name.empty() && !SelectorMatches(sel, o->node["metadata"]["labels"])) continue;
        params.push_back({o});
      }
      if (params.empty()) {
        params_missing = true;
        const std::string not_found = Str(param_ref["parameterNotFoundAction"]);
        if (not_found == "Allow") continue;  // nothing to evaluate: every object is allowed
      }
    } else {
      params.push_back({});
    }
    if (params.empty()) params.push_back({});

    for (const Param& param : params) {
      PackSpec pack;
      pack.name = policy_name;
      if (bindings_per_policy[policy_name] > 1) pack.name += "@" + b->name;
      if (params.size() > 1 && param.doc) pack.name += "#" + (param.doc->ns.empty() ? "" : param.doc->ns + "/") + param.doc->name;
      pack.version = policy->api_version;
      pack.description = "ValidatingAdmissionPolicy " + policy_name + " bound by " + b->name +
                         (param.doc ? " with params " + param.doc->kind + " " + param.doc->name : "");
      pack.failure_policy_fail = Str(spec["failurePolicy"]) != "Ignore";
      pack.parameters = std::make_shared<rapidjson::Document>();
      if (param.doc) {
        pack.parameters->CopyFrom(ToJson(param.doc->node, pack.parameters->GetAllocator()), pack.parameters->GetAllocator());
      }
      std::vector<const Doc*> digested = {policy, b};
      if (param.doc) digested.push_back(param.doc);
      pack.digest = DigestOf(digested);
      pack.source = policy->file;
      pack.pos = PosOf(policy->node);
      pack.namespaces = namespaces;

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
      match.admission.push_back(Match(spec["matchConstraints"]));
      if (bspec["matchResources"]) match.admission.push_back(Match(bspec["matchResources"]));
      // A params object found by namespace-less paramRef in a namespace serves that namespace only.
      if (param.doc && !param.doc->ns.empty() && Str(param_ref["namespace"]).empty()) {
        match.namespaces_include.push_back(param.doc->ns);
      }
      std::string when;
      if (YAML::Node conds = spec["matchConditions"]; conds && conds.IsSequence()) {
        for (const auto& c : conds) {
          when += (when.empty() ? "" : " && ") + std::string("(") + RewriteVariables(Str(c["expression"])) + ")";
        }
        if (!when.empty()) match.when = Expr(*policy->file, conds, when);
      }

      if (params_missing) {
        RuleSpec rule;
        rule.id = "params-not-found";
        rule.title = "The params of binding " + b->name + " are present";
        rule.severity = severity;
        rule.action = action;
        rule.match = match;
        rule.assert_expr = Expr(*b->file, param_ref, "false");
        rule.message = "no " + Str(param_kind["kind"]) + " params found for binding '" + b->name +
                       "' (parameterNotFoundAction: Deny)";
        rule.pos = PosOf(param_ref);
        pack.rules.push_back(std::move(rule));
      }
      YAML::Node validations = spec["validations"];
      if (!params_missing && validations && validations.IsSequence()) {
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
          rule.severity = severity;
          rule.action = action;
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
      if (YAML::Node anns = spec["auditAnnotations"]; !params_missing && anns && anns.IsSequence()) {
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
        errors.Error(*policy, spec, "ValidatingAdmissionPolicy '" + policy_name + "' has no validations or auditAnnotations");
        continue;
      }
      packs.push_back(std::move(pack));
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
