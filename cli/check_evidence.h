// `check --evidence FILE`: one evidence record per evaluated resource, in the
// report's order, on the chain of FILE (continued across runs).
//
//   EvidenceFlags flags;  AddEvidenceFlags(app, &flags);
//   ...
//   if (!flags.path.empty() && !WriteCheckEvidence(flags, engine, scan)) return 2;
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/scan.h"

namespace aimsgate::cli {

struct EvidenceFlags {
  std::string path;  // "-" = stdout
  std::string key_path;
  std::string fsync = "checkpoint";
  std::string source = "ci";  // ci | audit (the chart's background audit)
  std::vector<std::string> redact;
  std::vector<std::string> context_labels;  // KEY=VALUE, recorded under "ci" (ci_context.h)
  // --evidence-skip-unmatched: no record for a resource no rule applied to; by default it
  // gets a minimal one (evaluator/evidence/log/record.h).
  bool skip_unmatched = false;
};

void AddEvidenceFlags(CLI::App* app, EvidenceFlags* flags);

// Makes the scan collect, per object, the values evidence must mask (Secret
// data, --evidence-redact paths): check keeps no objects for the writer.
// False (after printing why) when a redact path is malformed.
bool CollectRedactValues(const EvidenceFlags& flags, ScanOptions* options);

// False (after printing why) when the log cannot be opened or written: a
// decision that was not recorded makes `check` exit 2.
bool WriteCheckEvidence(const EvidenceFlags& flags, const Engine& engine, const ScanResult& scan);

}  // namespace aimsgate::cli
