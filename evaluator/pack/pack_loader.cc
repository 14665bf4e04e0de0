#include "evaluator/pack/pack_loader.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/flow_depth.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/pack/embedded_files.h"
#include "evaluator/pack/inputs.h"
#include "evaluator/pack/lite_yaml.h"
#include "evaluator/pack/pack_loader_fast.h"
#include "evaluator/pack/yaml_node.h"
#include "evaluator/pack/yaml_to_json.h"

namespace aimsgate {

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.level == Diagnostic::Level::kError; });
}

bool ParseKindPattern(const std::string& text, KindPattern* out) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (const auto& p : parts) {
    if (p.empty() && parts.size() != 3) return false;
  }
  switch (parts.size()) {
    case 1: *out = {"*", "*", parts[0]}; break;
    case 2: *out = {"", parts[0], parts[1]}; break;
    case 3: *out = {parts[0], parts[1], parts[2]}; break;
    default: return false;
  }
  return !out->kind.empty() && !out->version.empty();
}

namespace {

// ScalarSegments of the scalar at `mark`.
std::vector<ExprText::Segment> ScalarSegmentsAt(const SourceFile& source, const YAML::Mark& mark, const std::string& value) {
  const SourceFile* file_ = &source;
  std::vector<ExprText::Segment> segs;
  if (mark.line < 0) return segs;
  const std::string& text = file_->text();
  size_t pos = static_cast<size_t>(mark.pos);
  char indicator = pos < text.size() ? text[pos] : ' ';
  int line = mark.line + 1;
  int col = mark.column + 1;
  bool block = indicator == '|' || indicator == '>';
  if (indicator == '\'' || indicator == '"') ++col;
  if (block) {
    // Content starts on the first non-blank line after the indicator.
    ++line;
    while (line <= file_->LineCount() && file_->Line(line).find_first_not_of(" \t") == std::string_view::npos) ++line;
    std::string_view l = file_->Line(line);
    col = static_cast<int>(l.find_first_not_of(' ')) + 1;
  }
  segs.push_back({0, {line, col}});
  // Later lines: each line of the file continues the value at its first
  // non-blank character; the value advances by that line's length plus the
  // newline or folding space.
  int offset = 0;
  std::string_view first = file_->Line(line);
  size_t first_len = first.size() >= static_cast<size_t>(col - 1) ? first.size() - (col - 1) : 0;
  offset += static_cast<int>(first_len) + 1;
  for (int l = line + 1; offset < static_cast<int>(value.size()) && l <= file_->LineCount(); ++l) {
    std::string_view t = file_->Line(l);
    size_t indent = t.find_first_not_of(" \t");
    if (indent == std::string_view::npos) {
      offset += 1;
      continue;
    }
    segs.push_back({offset, {l, static_cast<int>(indent) + 1}});
    offset += static_cast<int>(t.size() - indent) + 1;
  }
  return segs;
}

using ::aimsgate::PosOf;  // the overloads for YAML::Node and YAML::Mark, beside this one
SourcePos PosOf(const LiteNode& node) { return PosOf(node.Mark()); }

}  // namespace

std::vector<ExprText::Segment> ScalarSegments(const SourceFile& source, const YAML::Node& node, const std::string& value) {
  return ScalarSegmentsAt(source, node.Mark(), value);
}

namespace {

// Collects diagnostics for one file; knows the file so positions are exact.
// Node: YAML::Node, or LiteNode for the built-in packs (pack_loader_fast.h);
// both give the same marks, so the positions are the same.
template <typename Node>
class Reader {
 public:
  Reader(const std::shared_ptr<const SourceFile>& file, std::vector<Diagnostic>* diags)
      : file_(file), diags_(diags) {}

  void Error(const Node& node, const std::string& message) { Error(PosOf(node), message); }
  void Error(SourcePos pos, const std::string& message) {
    diags_->push_back({file_->path(), pos.line, pos.column, message});
  }

  // Reports keys of `map` that are not in `allowed`; false when it is not a map.
  bool CheckMap(const Node& map, const char* what, std::initializer_list<const char*> allowed) {
    if (!map.IsMap()) {
      Error(map, std::string(what) + " must be a mapping");
      return false;
    }
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return std::string_view(key) == a; });
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        Error(entry.first, "unknown field '" + key + "' in " + what + " (expected one of: " + list + ")");
      }
    }
    return true;
  }

  bool String(const Node& node, const char* what, std::string* out) {
    if (!node) return false;
    if (!node.IsScalar()) {
      Error(node, std::string(what) + " must be a string");
      return false;
    }
    *out = node.Scalar();
    return true;
  }

  void Required(const Node& parent, const char* key, const char* what, std::string* out) {
    Node node = parent[key];
    if (!node) {
      Error(parent, std::string(what) + " is missing required field '" + key + "'");
      return;
    }
    if (String(node, key, out) && out->empty()) Error(node, std::string("'") + key + "' must not be empty");
  }

  void StringList(const Node& node, const char* what, std::vector<std::string>* out) {
    if (!node) return;
    if (node.IsScalar()) {  // a single string is accepted for convenience
      out->push_back(node.Scalar());
      return;
    }
    if (!node.IsSequence()) {
      Error(node, std::string(what) + " must be a list of strings");
      return;
    }
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        Error(item, std::string(what) + " must be a list of strings");
        continue;
      }
      out->push_back(item.Scalar());
    }
  }

  ExprText Expr(const Node& node, const char* what) {
    ExprText e;
    if (!node) return e;
    if (!node.IsScalar()) {
      Error(node, std::string(what) + " must be a CEL expression string");
      return e;
    }
    e.text = node.Scalar();
    e.segments = Segments(node, e.text);
    return e;
  }

  SourcePos Pos(const Node& node) const { return PosOf(node); }

 private:
  std::vector<ExprText::Segment> Segments(const Node& node, const std::string& value) {
    return ScalarSegmentsAt(*file_, node.Mark(), value);
  }

  std::shared_ptr<const SourceFile> file_;
  std::vector<Diagnostic>* diags_;
};

bool ParseSeverity(const std::string& s, Severity* out) {
  static const std::pair<const char*, Severity> kValues[] = {
      {"info", Severity::kInfo}, {"low", Severity::kLow}, {"medium", Severity::kMedium},
      {"high", Severity::kHigh}, {"critical", Severity::kCritical}};
  for (const auto& [name, value] : kValues) {
    if (s == name) {
      *out = value;
      return true;
    }
  }
  return false;
}

bool ParseAction(const std::string& s, Action* out) {
  if (s == "deny") *out = Action::kDeny;
  else if (s == "warn") *out = Action::kWarn;
  else if (s == "audit") *out = Action::kAudit;
  else return false;
  return true;
}

template <typename Node>
void LoadMatch(Reader<Node>& r, const Node& node, MatchSpec* match) {
  if (!node) return;
  if (!r.CheckMap(node, "match", {"kinds", "namespaces", "labelSelector", "when"})) return;
  if (Node kinds = node["kinds"]) {
    std::vector<std::string> texts;
    r.StringList(kinds, "match.kinds", &texts);
    size_t i = 0;
    for (const auto& t : texts) {
      KindPattern p;
      if (!ParseKindPattern(t, &p)) {
        r.Error(kinds.IsSequence() ? kinds[i] : kinds,
                "invalid kind '" + t + "' (expected group/version/Kind, version/Kind or Kind)");
      } else {
        match->kinds.push_back(p);
      }
      ++i;
    }
  }
  if (Node ns = node["namespaces"]) {
    if (ns.IsSequence()) {
      r.StringList(ns, "match.namespaces", &match->namespaces_include);
    } else if (r.CheckMap(ns, "match.namespaces", {"include", "exclude"})) {
      r.StringList(ns["include"], "match.namespaces.include", &match->namespaces_include);
      r.StringList(ns["exclude"], "match.namespaces.exclude", &match->namespaces_exclude);
    }
  }
  if (Node sel = node["labelSelector"]) {
    if (r.CheckMap(sel, "labelSelector", {"matchLabels", "matchExpressions"})) {
      if (Node ml = sel["matchLabels"]; ml && !ml.IsMap()) r.Error(ml, "matchLabels must be a mapping");
      if (Node ml = sel["matchLabels"]; ml && ml.IsMap()) {
        for (const auto& kv : ml) match->label_selector.push_back({kv.first.Scalar(), "In", {kv.second.Scalar()}});
      }
      if (Node exprs = sel["matchExpressions"]) {
        if (!exprs.IsSequence()) {
          r.Error(exprs, "matchExpressions must be a list");
        } else {
          for (const auto& e : exprs) {
            if (!r.CheckMap(e, "matchExpressions entry", {"key", "operator", "values"})) continue;
            LabelRequirement req;
            r.Required(e, "key", "matchExpressions entry", &req.key);
            r.Required(e, "operator", "matchExpressions entry", &req.op);
            r.StringList(e["values"], "values", &req.values);
            if (req.op != "In" && req.op != "NotIn" && req.op != "Exists" && req.op != "DoesNotExist") {
              if (!req.op.empty()) r.Error(e["operator"], "invalid operator '" + req.op + "' (expected In, NotIn, Exists or DoesNotExist)");
            } else if ((req.op == "In" || req.op == "NotIn") && req.values.empty()) {
              r.Error(e, "operator " + req.op + " needs a non-empty values list");
            } else if ((req.op == "Exists" || req.op == "DoesNotExist") && !req.values.empty()) {
              r.Error(e["values"], "operator " + req.op + " takes no values");
            }
            match->label_selector.push_back(std::move(req));
          }
        }
      }
    }
  }
  match->when = r.Expr(node["when"], "match.when");
}

// `controls: [A.3.2]` (ISO/IEC 42001) or `controls: {iso42001: [A.3.2], eu-ai-act: ["Art. 26(2)"]}`.
// Framework ids must be known; control ids are not checked here (a custom pack may
// cite references the catalogue lacks: `aimsgate lint` warns about them).
template <typename Node>
void LoadControls(Reader<Node>& r, const Node& node, RuleSpec* rule) {
  if (!node) return;
  if (!node.IsMap()) {
    r.StringList(node, "controls", &rule->controls);
    if (!rule->controls.empty()) rule->framework_controls[kDefaultFramework] = rule->controls;
    return;
  }
  for (const auto& entry : node) {
    const std::string framework = entry.first.Scalar();
    if (!IsKnownFramework(framework)) {
      r.Error(entry.first, "unknown framework '" + framework + "' in controls (expected one of: " + FrameworkIdList() + ")");
      continue;
    }
    std::vector<std::string> ids;
    r.StringList(entry.second, "controls", &ids);
    if (!ids.empty()) rule->framework_controls[framework] = ids;
  }
  auto iso = rule->framework_controls.find(kDefaultFramework);
  if (iso != rule->framework_controls.end()) rule->controls = iso->second;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

template <typename Node>
void LoadVariables(Reader<Node>& r, const Node& node, RuleSpec* rule) {
  if (!node) return;
  if (!node.IsSequence()) {
    r.Error(node, "variables must be a list of {name, expression}");
    return;
  }
  std::set<std::string> names;
  for (const auto& v : node) {
    if (!r.CheckMap(v, "variable", {"name", "expression"})) continue;
    VariableSpec var;
    var.pos = r.Pos(v);
    r.Required(v, "name", "variable", &var.name);
    if (!var.name.empty() && !IsIdentifier(var.name)) {
      r.Error(v["name"], "variable name '" + var.name + "' is not an identifier (letters, digits, '_')");
    } else if (!var.name.empty() && !names.insert(var.name).second) {
      r.Error(v["name"], "duplicate variable '" + var.name + "'");
    }
    if (!v["expression"]) r.Error(v, "variable '" + var.name + "' is missing required field 'expression'");
    var.expression = r.Expr(v["expression"], "expression");
    rule->variables.push_back(std::move(var));
  }
}

template <typename Node>
void LoadRule(Reader<Node>& r, const Node& node, RuleSpec* rule) {
  rule->pos = r.Pos(node);
  if (!r.CheckMap(node, "rule", {"id", "title", "description", "controls", "severity", "action", "match",
                                 "variables", "parameters", "assert", "message", "messageExpression", "remediation",
                                 "appliesFrom"})) {
    return;
  }
  r.Required(node, "id", "rule", &rule->id);
  if (!rule->id.empty() &&
      rule->id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") != std::string::npos) {
    r.Error(node["id"], "rule id '" + rule->id + "' may only contain lower-case letters, digits, '-', '_' and '.'");
  }
  r.String(node["title"], "title", &rule->title);
  r.String(node["description"], "description", &rule->description);
  LoadControls(r, node["controls"], rule);
  if (r.String(node["appliesFrom"], "appliesFrom", &rule->applies_from)) {
    const std::string& d = rule->applies_from;
    bool shape = d.size() == 10 && d[4] == '-' && d[7] == '-';
    if (!shape || !ParseRfc3339(d + "T00:00:00Z", &rule->applies_from_unix)) {
      r.Error(node["appliesFrom"], "invalid appliesFrom '" + d + "' (expected a date YYYY-MM-DD)");
    }
  }
  std::string text;
  if (r.String(node["severity"], "severity", &text) && !ParseSeverity(text, &rule->severity)) {
    r.Error(node["severity"], "invalid severity '" + text + "' (expected info, low, medium, high or critical)");
  }
  if (r.String(node["action"], "action", &text) && !ParseAction(text, &rule->action)) {
    r.Error(node["action"], "invalid action '" + text + "' (expected deny, warn or audit)");
  }
  LoadMatch(r, node["match"], &rule->match);
  LoadVariables(r, node["variables"], rule);
  if (Node params = node["parameters"]) {
    if (!params.IsMap()) {
      r.Error(params, "parameters must be a mapping");
    } else {
      rule->parameters = std::make_shared<aimsgate::JsonDocument>();
      // Built in the document's own allocator: taken as it is, not copied again.
      aimsgate::JsonValue v = yaml_json::ToJson<Node>(params, rule->parameters->GetAllocator(), 0);
      static_cast<aimsgate::JsonValue&>(*rule->parameters).Swap(v);
    }
  }
  if (!node["assert"]) {
    r.Error(node, "rule '" + rule->id + "' is missing required field 'assert'");
  }
  rule->assert_expr = r.Expr(node["assert"], "assert");
  if (node["message"] && node["messageExpression"]) {
    r.Error(node["messageExpression"], "a rule has either 'message' or 'messageExpression', not both");
  }
  if (r.String(node["message"], "message", &rule->message)) rule->message_pos = r.Pos(node["message"]);
  rule->message_expression = r.Expr(node["messageExpression"], "messageExpression");
  r.String(node["remediation"], "remediation", &rule->remediation);
}

template <typename Node>
void LoadFunction(Reader<Node>& r, const Node& node, FunctionSpec* fn) {
  fn->pos = r.Pos(node);
  if (!r.CheckMap(node, "function", {"name", "params", "expression", "description"})) return;
  r.Required(node, "name", "function", &fn->name);
  r.StringList(node["params"], "params", &fn->params);
  if (!node["expression"]) r.Error(node, "function '" + fn->name + "' is missing required field 'expression'");
  fn->expression = r.Expr(node["expression"], "expression");
}

template <typename Node>
void LoadPack(Reader<Node>& r, const Node& doc, const std::shared_ptr<const SourceFile>& file, PackSpec* pack) {
  pack->source = file;
  pack->pos = r.Pos(doc);
  r.CheckMap(doc, "RulePack", {"apiVersion", "kind", "metadata", "spec"});
  std::string api;
  r.String(doc["apiVersion"], "apiVersion", &api);
  if (api != "aimsgate.io/v1alpha1") {
    r.Error(doc["apiVersion"] ? doc["apiVersion"] : doc, "unsupported apiVersion '" + api + "' (expected aimsgate.io/v1alpha1)");
  }
  Node meta = doc["metadata"];
  if (!meta) {
    r.Error(doc, "RulePack is missing required field 'metadata'");
  } else if (r.CheckMap(meta, "metadata", {"name", "version", "description", "labels", "annotations"})) {
    r.Required(meta, "name", "metadata", &pack->name);
    r.String(meta["version"], "version", &pack->version);
    r.String(meta["description"], "description", &pack->description);
    if (!pack->name.empty() && pack->name.find('/') != std::string::npos) r.Error(meta["name"], "pack name must not contain '/'");
  }
  Node spec = doc["spec"];
  if (!spec) {
    r.Error(doc, "RulePack is missing required field 'spec'");
    return;
  }
  if (!r.CheckMap(spec, "spec", {"failurePolicy", "parameters", "functions", "rules"})) return;
  std::string policy;
  if (r.String(spec["failurePolicy"], "failurePolicy", &policy)) {
    if (policy == "Fail") pack->failure_policy_fail = true;
    else if (policy == "Ignore") pack->failure_policy_fail = false;
    else r.Error(spec["failurePolicy"], "invalid failurePolicy '" + policy + "' (expected Fail or Ignore)");
  }
  pack->parameters = std::make_shared<aimsgate::JsonDocument>();
  pack->parameters->SetObject();
  if (Node params = spec["parameters"]) {
    if (!params.IsMap()) r.Error(params, "parameters must be a mapping");
    else {
      aimsgate::JsonValue v = yaml_json::ToJson<Node>(params, pack->parameters->GetAllocator(), 0);
      static_cast<aimsgate::JsonValue&>(*pack->parameters).Swap(v);
    }
  }
  if (Node fns = spec["functions"]) {
    if (!fns.IsSequence()) {
      r.Error(fns, "functions must be a list");
    } else {
      std::set<std::string> names;
      for (const auto& f : fns) {
        FunctionSpec fn;
        LoadFunction<Node>(r, f, &fn);
        if (!fn.name.empty() && !names.insert(fn.name).second) r.Error(f, "duplicate function '" + fn.name + "'");
        pack->functions.push_back(std::move(fn));
      }
    }
  }
  Node rules = spec["rules"];
  if (!rules) {
    r.Error(spec, "spec is missing required field 'rules'");
  } else if (!rules.IsSequence()) {
    r.Error(rules, "rules must be a list");
  } else {
    std::set<std::string> ids;
    for (const auto& node : rules) {
      RuleSpec rule;
      LoadRule<Node>(r, node, &rule);
      if (!rule.id.empty() && !ids.insert(rule.id).second) r.Error(node["id"], "duplicate rule id '" + rule.id + "'");
      pack->rules.push_back(std::move(rule));
    }
  }
  // The digest covers the pack as data, so formatting and comments do not change it.
  aimsgate::JsonDocument canonical;
  const aimsgate::JsonValue data = yaml_json::ToJson<Node>(doc, canonical.GetAllocator(), 0);
  pack->digest = PackDigest::Of(kernel::CanonicalJson(data));
}

}  // namespace

std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics, bool only_rule_packs,
                                    std::vector<ForeignDocument>* foreign);

std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics, bool only_rule_packs) {
  return LoadPackSpecs(file, diagnostics, only_rule_packs, nullptr);
}

std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics,
                                    std::vector<ForeignDocument>* foreign) {
  return LoadPackSpecs(file, diagnostics, false, foreign);
}

std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics, bool only_rule_packs,
                                    std::vector<ForeignDocument>* foreign) {
  std::vector<PackSpec> packs;
  Reader<YAML::Node> r(file, diagnostics);
  std::vector<YAML::Node> docs;
  // yaml-cpp's own guard against deep flow nesting reports only "bad file":
  // refuse it first, located (the ToJson depth limit catches block nesting).
  const size_t too_deep = manifest::FindExcessiveFlowDepth(file->text(), 64);
  if (too_deep != std::string_view::npos) {
    int line = 1, column = 1;
    for (size_t i = 0; i < too_deep; ++i) {
      if (file->text()[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    diagnostics->push_back({file->path(), line, column, "nesting too deep: more than 64 levels of [ ] or { }"});
    return packs;
  }
  try {
    docs = LoadAllYamlChecked(file->text());
  } catch (const YAML::Exception& e) {
    diagnostics->push_back({file->path(), e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return packs;
  }
  for (const auto& doc : docs) {
    try {
      if (doc.IsNull()) continue;
      std::string kind = doc.IsMap() && doc["kind"] && doc["kind"].IsScalar() ? doc["kind"].Scalar() : "";
      if (kind != "RulePack") {
        if (foreign != nullptr && !kind.empty()) {
          foreign->push_back({doc, file});
        } else if (!only_rule_packs) {
          r.Error(doc, kind.empty() ? "document is not a RulePack (no kind)"
                                    : "document of kind '" + kind + "' is not a RulePack");
        }
        continue;
      }
      PackSpec pack;
      LoadPack(r, doc, file, &pack);
      packs.push_back(std::move(pack));
    } catch (const YAML::Exception& e) {
      diagnostics->push_back({file->path(), e.mark.line + 1, e.mark.column + 1, e.msg});
    }
  }
  return packs;
}

bool LoadPackSpecsFast(const std::shared_ptr<const SourceFile>& file, std::vector<PackSpec>* packs) {
  packs->clear();
  LiteTree tree;
  if (!EmbeddedLiteTree(file->path(), file->text(), &tree) && !ParseLiteYaml(file->text(), &tree)) return false;
  std::vector<Diagnostic> diags;
  Reader<LiteNode> r(file, &diags);
  try {
    for (const LiteNode& doc : tree.documents()) {
      if (doc.IsNull()) continue;
      LiteNode kind = doc.IsMap() ? doc["kind"] : LiteNode();
      if (!kind || !kind.IsScalar() || kind.Scalar() != "RulePack") return false;
      PackSpec pack;
      LoadPack(r, doc, file, &pack);
      packs->push_back(std::move(pack));
    }
  } catch (const std::exception&) {
    return false;
  }
  return diags.empty();
}

std::vector<PackSpec> LoadBuiltinPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                           std::vector<Diagnostic>* diagnostics) {
  std::vector<PackSpec> packs;
  if (LoadPackSpecsFast(file, &packs)) return packs;
  return LoadPackSpecs(file, diagnostics);
}

}  // namespace aimsgate
