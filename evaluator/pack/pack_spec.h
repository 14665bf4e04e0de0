// A rule pack as written: the YAML of SPEC §3 parsed and validated, with the
// source position of every expression, before anything is compiled.
//
//   std::vector<Diagnostic> diags;
//   std::vector<PackSpec> packs = LoadPackSpecs(file, &diags);   // pack_loader.h
//
// Plain data; copyable; thread-compatible.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/pack/result.h"
#include "evaluator/pack/source.h"

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

struct MatchSpec {
  std::vector<KindPattern> kinds;  // empty = every kind
  std::vector<std::string> namespaces_include;  // globs; empty = all
  std::vector<std::string> namespaces_exclude;
  std::vector<LabelRequirement> label_selector;  // matchLabels folded into In requirements
  ExprText when;
};

struct RuleSpec {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> controls;
  Severity severity = Severity::kMedium;
  Action action = Action::kDeny;
  MatchSpec match;
  ExprText assert_expr;
  std::string message;  // may hold {{expr}} placeholders
  SourcePos message_pos;
  ExprText message_expression;
  std::string remediation;
  SourcePos pos;  // the rule's `- id:` entry
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
  std::shared_ptr<rapidjson::Document> parameters;
  std::vector<FunctionSpec> functions;
  std::vector<RuleSpec> rules;
  std::string digest;  // "sha256:" + SHA-256 of the canonical JSON of the document
  std::shared_ptr<const SourceFile> source;
  SourcePos pos;
};

}  // namespace aimsgate
