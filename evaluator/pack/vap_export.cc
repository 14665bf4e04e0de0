#include "evaluator/pack/vap_export.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/cel_text.h"
#include "evaluator/pack/k8s_library.h"
#include "evaluator/pack/k8s_resources.h"

namespace aimsgate {
namespace {

using cel_text::IsIdentChar;
using cel_text::IsIdentStart;
using cel_text::MapIdentifiers;
using cel_text::SkipString;

constexpr size_t kMaxExpressionBytes = 64 * 1024;

// Splits the argument list whose '(' is at e[open]; *close is set past ')'.
bool SplitArgs(const std::string& e, size_t open, std::vector<std::string>* args, size_t* close) {
  int depth = 0;
  size_t start = open + 1;
  for (size_t i = open; i < e.size(); ++i) {
    const char c = e[i];
    if (c == '"' || c == '\'') {
      i = SkipString(e, i) - 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) {
        std::string last = e.substr(start, i - start);
        if (!args->empty() || last.find_first_not_of(" \t\n") != std::string::npos) args->push_back(last);
        *close = i + 1;
        return true;
      }
    }
    if (c == ',' && depth == 1) {
      args->push_back(e.substr(start, i - start));
      start = i + 1;
    }
  }
  return false;
}

std::string CelLiteral(const aimsgate::JsonValue& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64()) + "u";
  if (v.IsNumber()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.GetDouble());
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (v.IsString()) {
    std::string out = "\"";
    for (char c : std::string(v.GetString(), v.GetStringLength())) {
      if (c == '\\' || c == '"') {
        out.push_back('\\');
        out.push_back(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else {
        out.push_back(c);
      }
    }
    return out + "\"";
  }
  std::string out;
  if (v.IsArray()) {
    out = "[";
    for (const auto& e : v.GetArray()) out += (out.size() > 1 ? ", " : "") + CelLiteral(e);
    return out + "]";
  }
  out = "{";
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    out += (out.size() > 1 ? ", " : "") + CelLiteral(m->name) + ": " + CelLiteral(m->value);
  }
  return out + "}";
}

std::string Dns1123(const std::string& s) {
  std::string out;
  for (char c : s) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back(std::isalnum(static_cast<unsigned char>(l)) || l == '.' ? l : '-');
  }
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out.substr(0, 253);
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kDeny: return "Deny";
    case Action::kWarn: return "Warn";
    case Action::kAudit: return "Audit";
  }
  return "Deny";
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

// "object", "(object)", "((object))" -> "object".
std::string StripParens(std::string s) {
  s = Trim(s);
  while (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = Trim(s.substr(1, s.size() - 2));
  return s;
}

// {{expr}} placeholders of a message -> a CEL string expression.
bool MessageExpression(const std::string& message, Inliner* inliner, std::string* out, std::string* plain) {
  std::vector<std::string> parts;
  plain->clear();
  size_t i = 0;
  while (i < message.size()) {
    const size_t open = message.find("{{", i);
    const size_t close = open == std::string::npos ? std::string::npos : message.find("}}", open + 2);
    if (close == std::string::npos) {
      aimsgate::JsonValue lit(message.c_str() + i, static_cast<rapidjson::SizeType>(message.size() - i));
      parts.push_back(CelLiteral(lit));
      *plain += message.substr(i);
      break;
    }
    if (open > i) {
      aimsgate::JsonValue lit(message.c_str() + i, static_cast<rapidjson::SizeType>(open - i));
      parts.push_back(CelLiteral(lit));
      *plain += message.substr(i, open - i);
    }
    std::string expr, why;
    if (!inliner->Inline(message.substr(open + 2, close - open - 2), &expr, &why)) return false;
    const std::string literal = StripParens(expr);
    if (!literal.empty() && (literal.front() == '[' || literal.front() == '{')) {
      // A parameter's list or map, known now: its text goes in as is (string() takes no list).
      aimsgate::JsonValue text(literal.c_str(), static_cast<rapidjson::SizeType>(literal.size()));
      parts.push_back(CelLiteral(text));
    } else {
      parts.push_back("string(" + expr + ")");
    }
    *plain += "...";
    i = close + 2;
  }
  *out = parts.empty() ? "\"\"" : parts[0];
  for (size_t p = 1; p < parts.size(); ++p) *out += " + " + parts[p];
  return true;
}

void EmitSelector(YAML::Emitter& y, const char* key, const std::vector<LabelRequirement>& reqs) {
  if (reqs.empty()) return;
  y << YAML::Key << key << YAML::Value << YAML::BeginMap << YAML::Key << "matchExpressions" << YAML::Value
    << YAML::BeginSeq;
  for (const auto& r : reqs) {
    y << YAML::BeginMap << YAML::Key << "key" << YAML::Value << r.key << YAML::Key << "operator" << YAML::Value << r.op;
    if (r.op == "In" || r.op == "NotIn") y << YAML::Key << "values" << YAML::Value << YAML::Flow << r.values;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
}

bool IsGlob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Namespace patterns (GlobMatch: '*' any run, '?' one character, the rest
// literal) as one anchored RE2 alternation, in a CEL raw string.
std::string GlobsAsRegex(const std::vector<std::string>& globs) {
  std::string re = "r'^(?:";
  for (size_t i = 0; i < globs.size(); ++i) {
    if (i > 0) re += "|";
    for (char c : globs[i]) {
      if (c == '*') {
        re += ".*";
      } else if (c == '?') {
        re += ".";
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        re += c;
      } else if (c == '\'') {
        re += "\\x27";
      } else {
        re += '\\';
        re += c;
      }
    }
  }
  return re + ")$'";
}

std::string NamespaceGlobCondition(const std::vector<std::string>& include, const std::vector<std::string>& exclude) {
  std::string cond;
  if (!include.empty()) cond = "request.namespace.matches(" + GlobsAsRegex(include) + ")";
  if (!exclude.empty()) {
    cond += (cond.empty() ? "" : " && ") + std::string("!request.namespace.matches(") + GlobsAsRegex(exclude) + ")";
  }
  return cond;
}


std::string RenameFree(const std::string& text, const std::string& from, const std::string& to) {
  return MapIdentifiers(text, [&](size_t s, size_t e, size_t*, std::string* r) {
    if (text.compare(s, e - s, from) != 0 || e - s != from.size()) return false;
    *r = to;
    return true;
  });
}

}  // namespace

// A VAP variable's name for a function: k8s.podSpec -> k8s_podSpec.
std::string VariableName(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

Inliner::Inliner(const std::vector<FunctionSpec>& functions, const aimsgate::JsonValue& params) : params_(params) {
  for (const auto& f : K8sLibrary()) functions_[f.name] = &f;
  for (const auto& f : functions) functions_[f.name] = &f;
}

std::string Inliner::Expand(const std::string& e, int depth) {
  if (!ok_) return e;
  if (depth > 64) {
    Fail("pack functions nest deeper than 64 calls");
    return e;
  }
  std::string out = MapIdentifiers(e, [&](size_t start, size_t end, size_t* consumed, std::string* replacement) {
    auto it = functions_.find(e.substr(start, end - start));
    // A library namespace: k8s.podSpec(...) names the function k8s.podSpec.
    for (size_t dot = end; it == functions_.end() && dot + 1 < e.size() && e[dot] == '.' && IsIdentStart(e[dot + 1]);) {
      end = dot + 1;
      while (end < e.size() && IsIdentChar(e[end])) ++end;
      it = functions_.find(e.substr(start, end - start));
      dot = end;
    }
    if (it == functions_.end()) return false;
    size_t open = end;
    while (open < e.size() && std::isspace(static_cast<unsigned char>(e[open]))) ++open;
    if (open >= e.size() || e[open] != '(') return false;
    std::vector<std::string> args;
    const FunctionSpec& f = *it->second;
    if (!SplitArgs(e, open, &args, consumed) || args.size() != f.params.size()) {
      Fail("a call of the pack function '" + f.name + "' could not be parsed");
      return false;
    }
    if (args.size() == 1 && StripParens(args[0]) == "object") {
      // f(object) depends on the object only: one VAP variable, evaluated once.
      if (!defined_.count(f.name)) {
        defined_.insert(f.name);
        const std::string body = Expand(RenameFree(f.expression.text, f.params[0], "object"), depth + 1);
        variables_.emplace_back(VariableName(f.name), body);
      }
      *replacement = "variables." + VariableName(f.name);
      return true;
    }
    // Other arguments are bound once each with cel.bind, under fresh names, so
    // the text grows with the call tree, never with how often a parameter is used.
    std::string body = f.expression.text;
    std::vector<std::string> fresh;
    for (const auto& p : f.params) {
      fresh.push_back("ag" + std::to_string(++counter_) + "_" + p);
      body = RenameFree(body, p, fresh.back());
    }
    std::string text = "(" + Expand(body, depth + 1) + ")";
    for (size_t i = args.size(); i-- > 0;) {
      text = "cel.bind(" + fresh[i] + ", " + Expand(Trim(args[i]), depth + 1) + ", " + text + ")";
    }
    *replacement = text;
    return true;
  });
  if (out.size() > kMaxExpressionBytes) Fail("inlining the pack functions makes an expression larger than 64 KiB");
  return out;
}

std::string Inliner::Literals(const std::string& e) {
  return MapIdentifiers(e, [&](size_t start, size_t end, size_t* consumed, std::string* replacement) {
    const std::string name = e.substr(start, end - start);
    if (name == "inventory" || name == "inventoryAll" || name == "model" || name == "modelRef" || name == "now") {
      const char* what = name == "model" || name == "modelRef" ? "model metadata (--model-card/--bom/--models)"
                         : name == "now" ? "the evaluation time (now)"
                                         : "the AI-system register (--inventory)";
      Fail(std::string("reads ") + what + ", which the apiserver does not have");
      return false;
    }
    if (name != "params") return false;
    size_t dot = end;
    if (dot < e.size() && e[dot] == '.' && dot + 1 < e.size() && IsIdentStart(e[dot + 1])) {
      size_t j = dot + 1;
      while (j < e.size() && IsIdentChar(e[j])) ++j;
      const std::string key = e.substr(dot + 1, j - dot - 1);
      auto m = params_.IsObject() ? params_.FindMember(key.c_str()) : params_.MemberEnd();
      *replacement = params_.IsObject() && m != params_.MemberEnd() ? "(" + CelLiteral(m->value) + ")" : "null";
      *consumed = j;
      return true;
    }
    *replacement = "(" + CelLiteral(params_) + ")";
    return true;
  });
}

bool Inliner::Inline(const std::string& expression, std::string* out, std::string* why) {
  const std::string expanded = Literals(Expand(expression, 0));
  for (; literal_done_ < variables_.size(); ++literal_done_) {
    variables_[literal_done_].second = Literals(variables_[literal_done_].second);
  }
  if (!ok_) {
    *why = why_;
    return false;
  }
  *out = expanded;
  return true;
}

namespace {

// One rule translated into ValidatingAdmissionPolicy terms.
struct ExportedRule {
  std::string when, assert_expr, message_expr, plain;
  std::vector<std::string> include, exclude;  // namespaces, for a namespaceSelector
  std::string ns_condition;                   // or a matchCondition when they hold globs
  std::vector<std::pair<std::string, std::string>> variables;  // the functions' on object, then the rule's
};

// Rule-scoped parameters over the pack's, as the engine reads them.
void RuleParams(const aimsgate::JsonValue& pack_params, const RuleSpec& rule, aimsgate::JsonDocument* out) {
  out->CopyFrom(pack_params, out->GetAllocator());
  if (!out->IsObject()) out->SetObject();
  for (const auto& m : rule.parameters->GetObject()) {
    out->RemoveMember(m.name);
    out->AddMember(aimsgate::JsonValue(m.name, out->GetAllocator()), aimsgate::JsonValue(m.value, out->GetAllocator()), out->GetAllocator());
  }
}

// Namespaces: literal lists become a namespaceSelector; a glob needs a
// matchCondition on request.namespace (RE2 via matches()), the selector then
// carries nothing, the condition every pattern.
void TranslateNamespaces(const MatchSpec& match, ExportedRule* out) {
  bool globs = false;
  for (const auto& ns : match.namespaces_include) {
    if (ns == "*") {
      out->include.clear();
      break;
    }
    globs |= IsGlob(ns);
    out->include.push_back(ns);
  }
  for (const auto& ns : match.namespaces_exclude) {
    globs |= IsGlob(ns);
    out->exclude.push_back(ns);
  }
  if (globs) {
    out->ns_condition = NamespaceGlobCondition(out->include, out->exclude);
    out->include.clear();
    out->exclude.clear();
  }
}

// The rule's expressions with the pack's functions and parameters inlined.
// False with *skip (why the rule cannot be exported).
bool TranslateRule(const PackSpec& pack, const RuleSpec& rule, const aimsgate::JsonValue& params, ExportedRule* out,
                   std::string* skip) {
  std::string why;
  aimsgate::JsonDocument rule_params;
  if (rule.parameters) RuleParams(params, rule, &rule_params);
  Inliner inliner(pack.functions, rule.parameters ? static_cast<const aimsgate::JsonValue&>(rule_params) : params);
  // Rule variables stay VAP variables (after the function ones they may read).
  std::vector<std::pair<std::string, std::string>> rule_variables;
  for (const auto& v : rule.variables) {
    std::string expr;
    if (!inliner.Inline(v.expression.text, &expr, &why)) {
      *skip = "variable '" + v.name + "' " + why;
      return false;
    }
    rule_variables.emplace_back(v.name, expr);
  }
  if (!inliner.Inline(rule.assert_expr.text, &out->assert_expr, &why)) {
    *skip = "assert " + why;
    return false;
  }
  if (!rule.match.when.empty() && !inliner.Inline(rule.match.when.text, &out->when, &why)) {
    *skip = "match.when " + why;
    return false;
  }
  TranslateNamespaces(rule.match, out);
  if (!rule.message_expression.empty()) {
    if (!inliner.Inline(rule.message_expression.text, &out->message_expr, &why)) out->message_expr.clear();
    out->plain = rule.title.empty() ? rule.id : rule.title;
  } else if (!MessageExpression(rule.message, &inliner, &out->message_expr, &out->plain)) {
    out->message_expr.clear();
  }
  if (out->message_expr.find("string(") == std::string::npos && rule.message_expression.empty()) out->message_expr.clear();
  if (out->plain.empty()) out->plain = rule.title.empty() ? rule.id : rule.title;

  const auto clash = std::find_if(rule_variables.begin(), rule_variables.end(), [&](const auto& rv) {
    return std::any_of(inliner.variables().begin(), inliner.variables().end(),
                       [&](const auto& fv) { return fv.first == rv.first; });
  });
  if (clash != rule_variables.end()) {
    *skip = "variable '" + clash->first + "' has the name of a pack function called on object";
    return false;
  }
  out->variables = inliner.variables();
  out->variables.insert(out->variables.end(), rule_variables.begin(), rule_variables.end());
  return true;
}

void EmitPolicy(YAML::Emitter& y, const PackSpec& pack, const RuleSpec& rule, const ExportedRule& r, const std::string& name) {
  y << YAML::BeginDoc << YAML::BeginMap;
  y << YAML::Key << "apiVersion" << YAML::Value << "admissionregistration.k8s.io/v1";
  y << YAML::Key << "kind" << YAML::Value << "ValidatingAdmissionPolicy";
  y << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
  y << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key << "aimsgate.io/pack" << YAML::Value
    << Dns1123(pack.name) << YAML::Key << "aimsgate.io/pack-version" << YAML::Value << Dns1123(pack.version)
    << YAML::EndMap;
  y << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap << YAML::Key << "aimsgate.io/rule"
    << YAML::Value << pack.name + "/" + rule.id << YAML::Key << "aimsgate.io/pack-digest" << YAML::Value << pack.digest.value();
  if (!rule.controls.empty()) {
    std::string controls;
    for (const auto& c : rule.controls) controls += (controls.empty() ? "" : ", ") + c;
    y << YAML::Key << "aimsgate.io/controls" << YAML::Value << controls;
  }
  y << YAML::EndMap << YAML::EndMap;
  y << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "failurePolicy" << YAML::Value << (pack.failure_policy_fail ? "Fail" : "Ignore");
  y << YAML::Key << "matchConstraints" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "resourceRules" << YAML::Value << YAML::BeginSeq;
  auto resource_rule = [&](const std::string& group, const std::string& version, const std::string& resource) {
    y << YAML::BeginMap << YAML::Key << "apiGroups" << YAML::Value << YAML::Flow << std::vector<std::string>{group}
      << YAML::Key << "apiVersions" << YAML::Value << YAML::Flow << std::vector<std::string>{version}
      << YAML::Key << "operations" << YAML::Value << YAML::Flow << std::vector<std::string>{"CREATE", "UPDATE"}
      << YAML::Key << "resources" << YAML::Value << YAML::Flow << std::vector<std::string>{resource} << YAML::EndMap;
  };
  if (rule.match.kinds.empty()) resource_rule("*", "*", "*");
  for (const auto& k : rule.match.kinds) {
    resource_rule(k.group, k.version, k.kind == "*" ? "*" : ResourceForKind(k.group == "*" ? "" : k.group, k.kind));
  }
  y << YAML::EndSeq;
  std::vector<LabelRequirement> ns_reqs;
  if (!r.include.empty()) ns_reqs.push_back({"kubernetes.io/metadata.name", "In", r.include});
  if (!r.exclude.empty()) ns_reqs.push_back({"kubernetes.io/metadata.name", "NotIn", r.exclude});
  EmitSelector(y, "namespaceSelector", ns_reqs);
  EmitSelector(y, "objectSelector", rule.match.label_selector);
  y << YAML::EndMap;
  if (!r.when.empty() || !r.ns_condition.empty()) {
    y << YAML::Key << "matchConditions" << YAML::Value << YAML::BeginSeq;
    if (!r.ns_condition.empty()) {
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "namespaces" << YAML::Key << "expression"
        << YAML::Value << YAML::DoubleQuoted << r.ns_condition << YAML::EndMap;
    }
    if (!r.when.empty()) {
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "when" << YAML::Key << "expression"
        << YAML::Value << YAML::DoubleQuoted << r.when << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  if (!r.variables.empty()) {
    y << YAML::Key << "variables" << YAML::Value << YAML::BeginSeq;
    for (const auto& [vname, vexpr] : r.variables) {
      y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << vname << YAML::Key << "expression"
        << YAML::Value << YAML::DoubleQuoted << vexpr << YAML::EndMap;
    }
    y << YAML::EndSeq;
  }
  y << YAML::Key << "validations" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  y << YAML::Key << "expression" << YAML::Value << YAML::DoubleQuoted << r.assert_expr;
  y << YAML::Key << "message" << YAML::Value << YAML::DoubleQuoted << r.plain;
  if (!r.message_expr.empty()) y << YAML::Key << "messageExpression" << YAML::Value << YAML::DoubleQuoted << r.message_expr;
  y << YAML::EndMap << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
}

void EmitBinding(YAML::Emitter& y, const PackSpec& pack, const RuleSpec& rule, const std::string& name) {
  y << YAML::BeginDoc << YAML::BeginMap;
  y << YAML::Key << "apiVersion" << YAML::Value << "admissionregistration.k8s.io/v1";
  y << YAML::Key << "kind" << YAML::Value << "ValidatingAdmissionPolicyBinding";
  y << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
    << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key << "aimsgate.io/pack" << YAML::Value
    << Dns1123(pack.name) << YAML::EndMap << YAML::EndMap;
  y << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << "policyName" << YAML::Value << name
    << YAML::Key << "validationActions" << YAML::Value << YAML::Flow
    << std::vector<std::string>{ActionName(rule.action)} << YAML::EndMap << YAML::EndMap;
}

}  // namespace

// Per rule: translate (inline functions and parameters), then emit a policy and its binding.
VapExport ExportPacksAsVap(const std::vector<PackSpec>& packs) {
  VapExport result;
  YAML::Emitter y;
  static const aimsgate::JsonValue kNullParams;
  for (const auto& pack : packs) {
    const aimsgate::JsonValue& params = pack.parameters ? static_cast<const aimsgate::JsonValue&>(*pack.parameters) : kNullParams;
    for (const auto& rule : pack.rules) {
      ExportedRule exported;
      std::string skip;
      if (!TranslateRule(pack, rule, params, &exported, &skip)) {
        result.skipped.push_back({pack.name + "/" + rule.id, skip});
        continue;
      }
      const std::string name = Dns1123("aimsgate-" + pack.name + "-" + rule.id);
      EmitPolicy(y, pack, rule, exported, name);
      EmitBinding(y, pack, rule, name);
      ++result.exported;
    }
  }
  result.yaml = std::string(y.c_str()) + (result.exported ? "\n" : "");
  return result;
}

}  // namespace aimsgate
