// Reading rule packs (SPEC §3) from YAML into PackSpecs, with every problem
// reported as a located diagnostic: YAML syntax, unknown fields, bad enum
// values, missing required fields, duplicate rule ids.  Expressions are not
// compiled here (see compiled_pack.h).
//
//   std::vector<Diagnostic> diags;
//   auto file = SourceFile::Read("rules/p.yaml", &err);
//   std::vector<PackSpec> packs = LoadPackSpecs(file, &diags);
//   if (HasErrors(diags)) ...
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "evaluator/pack/pack_spec.h"
#include "evaluator/kernel/diagnostic.h"

namespace aimsgate {

// Every RulePack document of the file.  When `only_rule_packs` is false a
// document of another kind is an error; when true (directory scans) it is
// ignored.
std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics,
                                    bool only_rule_packs = false);

// A document of a rules file that is not a RulePack (a ValidatingAdmissionPolicy,
// its binding, a params object, a Namespace): see vap.h.
struct ForeignDocument {
  YAML::Node node;
  std::shared_ptr<const SourceFile> file;
};

// As above, but every document with a `kind` other than RulePack goes to
// `foreign` instead of being an error.
std::vector<PackSpec> LoadPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                    std::vector<Diagnostic>* diagnostics,
                                    std::vector<ForeignDocument>* foreign);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Where each line of a YAML scalar's value starts in `file` (ExprText::segments):
// quoted, plain and block scalars.
std::vector<ExprText::Segment> ScalarSegments(const SourceFile& file, const YAML::Node& node, const std::string& value);

// "group/version/Kind", "version/Kind" (core group) or "Kind"; '*' wildcards.
bool ParseKindPattern(const std::string& text, KindPattern* out);

// The default built-in pack (iso42001) and its YAML text, compiled into the binary.
extern const char kBuiltinPackName[];
std::shared_ptr<const SourceFile> BuiltinPackSource();
// Any built-in pack by name (builtin:NAME): null when there is none of that name.
std::shared_ptr<const SourceFile> BuiltinPackSource(const std::string& name);
std::vector<std::string> BuiltinPackNames();

}  // namespace aimsgate
