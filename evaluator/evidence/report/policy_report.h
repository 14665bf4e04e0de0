// Kubernetes policy reports from evaluation results: what `aimsgate check --format
// policyreport|openreports` prints, in the formats Kyverno, Kubewarden and the
// policy-reporter UI read.
//
//   evidence::PolicyReportOptions opts;
//   evidence::ParsePolicyReportFormat("openreports", &opts.flavor);
//   opts.encoding = evidence::PolicyReportEncoding::kYaml;        // or kJson (a v1 List)
//   evidence::PolicyReportWriter writer(packs, opts, std::cout);
//   for (each decision, as it comes) if (!writer.Add(decision)) fail(writer.error());
//   if (!writer.Finish()) fail(writer.error());       // e.g. the spool's disk is full
//
//   evidence::WritePolicyReports(evaluations, packs, opts, std::cout);   // all at once
//
// Flavors:
//   kWgPolicyK8s  wgpolicyk8s.io/v1alpha2 PolicyReport (one per namespace) and
//                 ClusterPolicyReport (one, for cluster-scoped resources);
//   kOpenReports  openreports.io/v1alpha1 Report / ClusterReport, same layout plus `source`.
// Results (one per rule result; pass results only with include_passes, which `check` sets
// only for --results all; skip results only with include_skips; both always counted):
//   pass -> pass; fail of a deny rule -> fail (scored); fail of a warn/audit rule -> warn;
//   error -> error; waived -> skip with properties waiver, waiverApprovedBy, waiverExpires,
//   waiverJustification and aimsgate.io/result=waived (the formats have no "waived" result).
//   A rule that did not apply (skip) is left out and only counted in summary.skip, unless
//   include_skips. policy = pack name, rule = rule id within the pack, category =
//   "ISO/IEC 42001 <controls>", properties.controls = comma-separated controls. Messages and
//   waiver justifications are cut at 4 KiB.
// Objects a controller owns (an ownerReference with controller: true whose uid is among the
//   evaluated objects: a Deployment's ReplicaSets and Pods) are not reported twice: a result
//   whose (rule, result) the controller also has is left out and counted in the annotation
//   aimsgate.io/reported-on-controller, so a finding appears once, on the outermost owner.
// Waivers within their notice window (waiver_notices): the property waiverNotice on their
//   waived results and the annotation aimsgate.io/waiver-notices on every report.
// Size: the apiserver stores at most about 1.5 MiB per object. A namespace's results are split
//   into reports of at most max_results_bytes of compact JSON each (a resource's results stay
//   together when they fit), named <name>, <name>-2, <name>-3, ... with the annotation
//   aimsgate.io/part "i/n"; the default of 512 KiB keeps every emitted report, YAML or
//   pretty JSON, under 1 MiB. Every report carries the label aimsgate.io/run = the Unix
//   seconds of `time`, so a caller can delete the reports of earlier runs after applying.
// A resource without metadata.namespace whose kind is not a known cluster-scoped kind is
// reported in `default_namespace` (where kubectl would create it).
//
// Streaming: Add turns a decision into one record (its report results as compact JSON, the
// (rule, result) keys a child compares to its controller's) and spools it to a temporary file
// (kernel/spool.h); memory keeps an offset per record, per namespace, and a hash per uid.
// Finish writes the namespaces in order: per namespace one pass counts its chunks (a report
// names its part i/n), a second builds each chunk's report and emits it, so memory holds one
// report at a time (at most max_results_bytes of results).  A controller listed after its
// children is still found: owners are looked up at Finish.
//
// Thread-compatible (one writer). Cost: linear in the results; each record is read back twice
// (page cache). YAML is written with yaml-cpp.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/decision/decision.h"

namespace aimsgate::evidence {

enum class PolicyReportFlavor { kWgPolicyK8s, kOpenReports };
enum class PolicyReportEncoding { kYaml, kJson };

// "policyreport" (or "wgpolicyk8s") | "openreports"; false otherwise.
bool ParsePolicyReportFormat(std::string_view text, PolicyReportFlavor* out);

struct PolicyReportOptions {
  PolicyReportFlavor flavor = PolicyReportFlavor::kWgPolicyK8s;
  PolicyReportEncoding encoding = PolicyReportEncoding::kYaml;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  std::string default_namespace = "default";
  std::string name = "aimsgate";  // metadata.name of every report (chunks: name-2, name-3, ...)
  bool include_skips = false;     // list skip results instead of only counting them
  // List pass results instead of only counting them. `check` lists them only with
  // --results all (findings by default, as its JSON report).
  bool include_passes = true;
  size_t max_results_bytes = 512 * 1024;  // compact JSON of one report's results
  // Waivers about to expire: {waiver name, "waiver 'x' expires in 5 days (...): ..."}.  Each
  // waived result of such a waiver carries the notice as the property waiverNotice (what the
  // policy-reporter UI shows beside the result), and every report lists them all, one per
  // line, in the annotation aimsgate.io/waiver-notices.
  std::vector<std::pair<std::string, std::string>> waiver_notices;
};

class PolicyReportWriter {
 public:
  PolicyReportWriter(const std::vector<PackRef>& packs, const PolicyReportOptions& options, std::ostream& out);
  ~PolicyReportWriter();
  PolicyReportWriter(const PolicyReportWriter&) = delete;
  PolicyReportWriter& operator=(const PolicyReportWriter&) = delete;

  // One decision, in the run's order. False (error() set) when it cannot be spooled.
  bool Add(const ResourceEvaluation& evaluation);
  // Writes every report. False (error() set) when the spool or `out` fails.
  bool Finish();
  const std::string& error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void WritePolicyReports(const std::vector<ResourceEvaluation>& evaluations,
                        const std::vector<PackRef>& packs, const PolicyReportOptions& options,
                        std::ostream& out);

// True for the built-in cluster-scoped kinds (Namespace, Node, ClusterRole, CRDs, ...).
bool IsClusterScopedKind(std::string_view kind);

}  // namespace aimsgate::evidence
