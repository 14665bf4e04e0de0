// The Statement of Applicability (ISO/IEC 42001 clause 6.1.3 d) for one framework:
// one row per control with its applicability (from `kind: Applicability` YAML), how it
// is implemented (the rules mapped to it, or organisational), the automated evidence
// from evidence logs and a status.  `aimsgate soa`; docs/frameworks.md#soa.
//
//   std::vector<Diagnostic> diags;
//   Applicability a;
//   if (!LoadApplicability("aims/applicability.yaml", *framework, &a, &diags)) ...  // located errors
//   SoaTable t = BuildSoa(*framework, engine, a, evidence_files);                 // streams the logs
//   RenderSoa(t, SoaFormat::kMarkdown, std::cout);
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"
#include "evaluator/pack/framework_catalog.h"

namespace aimsgate::cli {

struct ApplicabilityEntry {
  bool applicable = true;
  std::string justification;
  std::string implementation;  // how an organisational control is implemented (free text)
};

struct Applicability {
  std::string name;
  std::map<std::string, ApplicabilityEntry> controls;  // absent = applicable, no note
};

// Reads a `kind: Applicability` document for `framework`.  Unknown fields, unknown
// control ids, a framework mismatch and an exclusion without justification are
// located errors.
bool LoadApplicability(const std::string& path, const Framework& framework, Applicability* out,
                       std::vector<Diagnostic>* diagnostics);

struct SoaRow {
  const FrameworkControl* control = nullptr;
  bool applicable = true;
  std::string justification;
  std::vector<std::string> rules;  // the loaded rules mapped to the control
  std::string implementation;      // Applicability note for organisational controls
  uint64_t records = 0, passed = 0, failed = 0;  // rule results from the evidence (waived = passed, error = failed)
  std::string last_decision;       // time of the last record with a result for the control
  std::string Status() const;
};

struct SoaTable {
  const Framework* framework;
  std::string applicability_name;
  std::vector<std::string> evidence_files;
  uint64_t records = 0;
  bool chains_intact = true;
  std::vector<SoaRow> rows;
};

// Streams the evidence logs once (time order, chains verified without a key).
SoaTable BuildSoa(const Framework& framework, const Engine& engine, const Applicability& applicability,
                  const std::vector<std::string>& evidence_files);

enum class SoaFormat { kMarkdown, kCsv, kHtml };
void RenderSoa(const SoaTable& table, SoaFormat format, std::ostream& out);

}  // namespace aimsgate::cli
