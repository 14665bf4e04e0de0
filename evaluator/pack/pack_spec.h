// A rule pack as written: the YAML of SPEC §3 parsed and validated, with the
// source position of every expression, before anything is compiled.
//
//   std::vector<Diagnostic> diags;
//   std::vector<PackSpec> packs = LoadPackSpecs(file, &diags);   // pack_loader.h
//
// Plain data; copyable; thread-compatible.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/decision/decision.h"
#include "evaluator/kernel/diagnostic.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/pack_digest.h"

namespace aimsgate {

// An expression taken from a YAML scalar, able to map a byte offset inside the
// expression back to the line and column of the pack file.
struct ExprText {
  std::string text;
  // Where each line of `text` (split on '\n', or on the spaces YAML folding
  // made of newlines) starts in the file; filled by the loader.
  struct Segment {
    int offset;  // byte offset in `text`
    SourcePos pos;
  };
  std::vector<Segment> segments;

  bool empty() const { return text.empty(); }
  SourcePos Locate(int offset) const;
};

struct KindPattern {
  std::string group;    // "" = core group, "*" = any
  std::string version;  // "*" = any
  std::string kind;     // "*" = any
};

struct LabelRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

// Admission-style matching (a ValidatingAdmissionPolicy's matchConstraints or a
// binding's matchResources, vap.h): REST resources and operations, namespace and
// object label selectors.
struct ResourceRule {
  std::vector<std::string> groups, versions, resources, operations, names;  // "*" = any; names empty = any
  std::string scope = "*";  // Namespaced | Cluster | *
};

struct AdmissionMatch {
  std::vector<ResourceRule> resource_rules;  // one must match (empty: every resource)
  std::vector<ResourceRule> exclude_rules;   // none may match
  std::vector<LabelRequirement> namespace_selector;
  std::vector<LabelRequirement> object_selector;
};

struct MatchSpec {
  std::vector<KindPattern> kinds;  // empty = every kind
  std::vector<std::string> namespaces_include;  // globs; empty = all
  std::vector<std::string> namespaces_exclude;
  std::vector<LabelRequirement> label_selector;  // matchLabels folded into In requirements
  std::vector<AdmissionMatch> admission;  // every entry must match (rules from VAP objects)
  ExprText when;
};

// Namespace objects supplied beside ValidatingAdmissionPolicies: `namespaceObject`
// and the labels namespaceSelector reads.
struct NamespaceIndex {
  std::shared_ptr<aimsgate::JsonDocument> objects;  // a JSON array owning the Namespaces
  // Sorted by name (Sort() once filled); the first of equal names wins.
  std::vector<std::pair<std::string, const aimsgate::JsonValue*>> by_name;
  void Sort() {
    std::stable_sort(by_name.begin(), by_name.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  // Binary search, no allocation.
  const aimsgate::JsonValue* Find(std::string_view name) const {
    auto it = std::lower_bound(by_name.begin(), by_name.end(), name,
                               [](const auto& e, std::string_view n) { return std::string_view(e.first) < n; });
    return it != by_name.end() && it->first == name ? it->second : nullptr;
  }
};

// A rule variable: `variables.<name>` in the rule's expressions, evaluated at
// most once per evaluation and only when read.
struct VariableSpec {
  std::string name;
  ExprText expression;
  SourcePos pos;
};

struct RuleSpec {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> controls;  // ISO/IEC 42001 references (framework_controls["iso42001"])
  // Every framework's references: `controls: {iso42001: [...], eu-ai-act: [...]}`;
  // a plain list is iso42001's (framework_catalog.h).
  std::map<std::string, std::vector<std::string>> framework_controls;
  // `appliesFrom: YYYY-MM-DD`: before that day (at --now) the rule reports skip,
  // e.g. an EU AI Act obligation not yet applicable.  Empty = always.
  std::string applies_from;
  int64_t applies_from_unix = 0;
  Severity severity = Severity::kMedium;
  Action action = Action::kDeny;
  MatchSpec match;
  ExprText assert_expr;
  std::string message;  // may hold {{expr}} placeholders
  SourcePos message_pos;
  ExprText message_expression;
  std::string remediation;
  SourcePos pos;  // the rule's `- id:` entry
  std::vector<VariableSpec> variables;
  // Rule-scoped parameters: `params.x` in this rule's own expressions reads
  // these before the pack's (null = none).  Pack functions see the pack's.
  std::shared_ptr<aimsgate::JsonDocument> parameters;
  // Set for a ValidatingAdmissionPolicy auditAnnotation: assert_expr is its
  // valueExpression, and the engine records key=value instead of a rule result.
  std::string audit_annotation_key;
};

struct FunctionSpec {
  std::string name;
  std::vector<std::string> params;
  ExprText expression;
  SourcePos pos;
};

struct PackSpec {
  std::string name;
  std::string version;
  std::string description;
  bool failure_policy_fail = true;
  // Parameters as JSON (shared so compiled packs can borrow them).
  std::shared_ptr<aimsgate::JsonDocument> parameters;
  std::vector<FunctionSpec> functions;
  std::vector<RuleSpec> rules;
  PackDigest digest;  // "sha256:" + SHA-256 of the canonical JSON of the document, taken when first read
  std::shared_ptr<const SourceFile> source;
  SourcePos pos;
  std::shared_ptr<const NamespaceIndex> namespaces;  // VAP packs: null = namespaceObject is null
  // Packs of one non-empty key have the same functions and rule expressions (a VAP
  // binding's packs, one per params object): compiled once (CompilePack).
  std::string program_key;
};

}  // namespace aimsgate
