// Kubernetes policy reports from evaluation results: what `aimsgate check --format
// policyreport|openreports` prints, in the formats Kyverno, Kubewarden and the
// policy-reporter UI read.
//
//   evidence::PolicyReportOptions opts;
//   evidence::ParsePolicyReportFormat("openreports", &opts.flavor);
//   opts.encoding = evidence::PolicyReportEncoding::kYaml;        // or kJson (a v1 List)
//   evidence::WritePolicyReports(evaluations, packs, opts, std::cout);
//
// Flavors:
//   kWgPolicyK8s  wgpolicyk8s.io/v1alpha2 PolicyReport (one per namespace) and
//                 ClusterPolicyReport (one, for cluster-scoped resources);
//   kOpenReports  openreports.io/v1alpha1 Report / ClusterReport, same layout plus `source`.
// Results (one per rule result, passing resources included):
//   pass -> pass; fail of a deny rule -> fail (scored); fail of a warn/audit rule -> warn;
//   error -> error; skip -> skip; waived -> skip with properties waiver, waiverApprovedBy,
//   waiverExpires, waiverJustification and aimsgate.io/result=waived (the formats have no
//   "waived" result). policy = pack name, rule = rule id within the pack, category =
//   "ISO/IEC 42001 <controls>", properties.controls = comma-separated controls.
// A resource without metadata.namespace whose kind is not a known cluster-scoped kind is
// reported in `default_namespace` (where kubectl would create it).
//
// Thread-safety: pure function. Cost: linear in the results.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/pack/result.h"

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
  std::string name = "aimsgate";  // metadata.name of every report
};

void WritePolicyReports(const std::vector<ResourceEvaluation>& evaluations,
                        const std::vector<PackRef>& packs, const PolicyReportOptions& options,
                        std::ostream& out);

// True for the built-in cluster-scoped kinds (Namespace, Node, ClusterRole, CRDs, ...).
bool IsClusterScopedKind(std::string_view kind);

}  // namespace aimsgate::evidence
