// `check --evidence FILE`: one evidence record per evaluated resource, in the
// report's order, on the chain of FILE (continued across runs), appended as the
// run hands each decision on.
//
//   EvidenceFlags flags;  AddEvidenceFlags(app, &flags);
//   ...
//   std::unique_ptr<DecisionSink> evidence = OpenCheckEvidence(flags, engine);
//   if (!evidence) return 2;                       // why was printed
//   Scan(engine, options, [&](Decision& d) { return evidence->Add(d); });
//   if (stopped or !evidence->Finish(scan)) { print evidence->error(); return 2; }
#pragma once

#include <memory>
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

// The log opened for appending, or null (after printing why) when it cannot be.  Add
// fails (error() says for which resource) when a record cannot be written; Finish
// closes the log and prints its head.  A decision that was not recorded makes
// `check` exit 2.
std::unique_ptr<DecisionSink> OpenCheckEvidence(const EvidenceFlags& flags, const Engine& engine);

}  // namespace aimsgate::cli
