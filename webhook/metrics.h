// Prometheus metrics of the webhook, rendered in the text exposition format 0.0.4.
//
//   Metrics m("0.1.0");
//   m.ObserveAdmission("deny", "CREATE", 0.0012, evaluation);   // per request
//   m.CountReload(true);                                          // per pack reload
//   std::string text = m.Render();                                // GET /metrics
//
// Series: aimsgate_admission_requests_total{decision,operation} (operation: CREATE, UPDATE,
// DELETE, CONNECT, "" for bodies that were not read, else "other"),
// aimsgate_admission_duration_seconds (histogram), aimsgate_rule_results_total{rule,control,result},
// aimsgate_pack_reloads_total{result}, aimsgate_tls_reloads_total{result},
// aimsgate_evidence_write_errors_total, aimsgate_log_lines_dropped_total (log.h),
// aimsgate_build_info{version},
// aimsgate_tls_certificate_expiry_timestamp_seconds (the serving certificate's notAfter,
// set at start and on each TLS reload), aimsgate_waiver_expiry_timestamp_seconds{waiver}
// (each loaded waiver's expiry, set at each pack load), and the connection layer's refusals:
// aimsgate_http_refused_total, aimsgate_http_request_deadline_exceeded_total,
// aimsgate_tls_handshake_failures_total, aimsgate_worker_queue_full_total,
// aimsgate_worker_unavailable_total.
//
// Thread-safety: every method may be called from any thread (one mutex; the critical
// section is a few map updates).  Cost per request: one hash lookup per rule result (the
// series of a rule is found by its RuleInfo, checked against the id and controls so a
// reload that reuses an address cannot miscount) and an array index for its outcome; no
// allocation once a series exists.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "evaluator/decision/decision.h"
#include "webhook/http_transport.h"

namespace aimsgate::webhook {

class Metrics {
 public:
  explicit Metrics(std::string version);

  void ObserveAdmission(const std::string& decision, const std::string& operation, double seconds,
                        const ResourceEvaluation& evaluation);
  void CountReload(bool ok);
  void CountTlsReload(bool ok);
  void CountEvidenceWriteError();
  void SetTlsCertificateExpiry(int64_t unix_seconds);
  // Every loaded waiver's expiry (name -> Unix seconds), replacing the previous set.
  void SetWaiverExpiries(std::map<std::string, int64_t> expiries);
  // The transport's counters are read at each Render; `counters` must outlive the renders.
  void AttachTransport(const TransportCounters* counters);
  std::string Render() const;

  static const std::vector<double>& Buckets();

 private:
  const std::string version_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;  // (decision, operation)
  // (rule, controls joined by ",") -> result -> count; ordered as the exposition lists them.
  using ResultCounts = std::map<std::string, uint64_t, std::less<>>;
  std::map<std::pair<std::string, std::string>, ResultCounts> rule_results_;
  struct RuleSeries {
    std::string rule;
    std::vector<std::string> controls;
    ResultCounts* counts = nullptr;  // a node of rule_results_ (never erased)
    // The count of each Outcome in *counts, found on its first use (map nodes never move).
    std::array<uint64_t*, 5> by_outcome{};
  };
  std::unordered_map<const RuleInfo*, RuleSeries> rule_series_;  // cleared when it grows past reloads
  std::vector<uint64_t> bucket_counts_;  // non-cumulative, one per bucket
  uint64_t duration_count_ = 0;
  double duration_sum_ = 0;
  uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
  uint64_t tls_reloads_ok_ = 0, tls_reloads_failed_ = 0;
  uint64_t evidence_errors_ = 0;
  int64_t tls_not_after_ = 0;  // 0: no TLS (the series is left out)
  std::map<std::string, int64_t> waiver_expiries_;
  const TransportCounters* transport_ = nullptr;
};

// Escapes a label value (backslash, double quote, newline) for the text format.
std::string EscapeLabel(const std::string& value);

}  // namespace aimsgate::webhook
