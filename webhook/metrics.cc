#include "webhook/metrics.h"

#include <cstdio>

#include "webhook/log.h"

namespace aimsgate::webhook {

const std::vector<double>& Metrics::Buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics(std::string version) : version_(std::move(version)), bucket_counts_(Buckets().size() + 1, 0) {}

void Metrics::ObserveAdmission(const std::string& decision, const std::string& operation, double seconds,
                               const ResourceEvaluation& evaluation) {
  // Label values come from the request: only the known operations get their own series,
  // so a client cannot grow the metrics without bound.
  static const char* const kOperations[] = {"CREATE", "UPDATE", "DELETE", "CONNECT", ""};
  std::string op = "other";
  for (const char* known : kOperations) {
    if (operation == known) op = operation;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{decision, op}];
  size_t i = 0;
  while (i < Buckets().size() && seconds > Buckets()[i]) ++i;
  ++bucket_counts_[i];
  ++duration_count_;
  duration_sum_ += seconds;
  constexpr size_t kMaxRuleSeries = 1u << 14;  // stale RuleInfo addresses after many reloads
  if (rule_series_.size() > kMaxRuleSeries) rule_series_.clear();
  for (const auto& r : evaluation.results) {
    RuleSeries& series = rule_series_[r.info];
    if (series.counts == nullptr || series.rule != r.rule() || series.controls != r.controls()) {
      std::string controls;
      for (const auto& c : r.controls()) controls += (controls.empty() ? "" : ",") + c;
      series.rule = r.rule();
      series.controls = r.controls();
      series.counts = &rule_results_[{r.rule(), controls}];
      series.by_outcome.fill(nullptr);
    }
    const size_t outcome = static_cast<size_t>(r.result);
    uint64_t* count = outcome < series.by_outcome.size() ? series.by_outcome[outcome] : nullptr;
    if (count == nullptr) {
      const std::string_view result = ToString(r.result);
      auto it = series.counts->find(result);
      if (it == series.counts->end()) it = series.counts->emplace(std::string(result), 0).first;
      count = &it->second;
      if (outcome < series.by_outcome.size()) series.by_outcome[outcome] = count;
    }
    ++*count;
  }
}

void Metrics::CountReload(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

void Metrics::CountTlsReload(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? tls_reloads_ok_ : tls_reloads_failed_);
}

void Metrics::CountEvidenceWriteError() {
  std::lock_guard<std::mutex> lock(mu_);
  ++evidence_errors_;
}

void Metrics::SetTlsCertificateExpiry(int64_t unix_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  tls_not_after_ = unix_seconds;
}

void Metrics::SetWaiverExpiries(std::map<std::string, int64_t> expiries) {
  std::lock_guard<std::mutex> lock(mu_);
  waiver_expiries_ = std::move(expiries);
}

void Metrics::AttachTransport(const TransportCounters* counters) {
  std::lock_guard<std::mutex> lock(mu_);
  transport_ = counters;
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void Header(std::string* out, const char* name, const char* help, const char* type) {
  *out += "# HELP ";
  *out += name;
  *out += " ";
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += " ";
  *out += type;
  *out += "\n";
}

}  // namespace

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  Header(&out, "aimsgate_build_info", "Build information; the value is always 1.", "gauge");
  out += "aimsgate_build_info{version=\"" + EscapeLabel(version_) + "\"} 1\n";

  Header(&out, "aimsgate_admission_requests_total", "Admission requests by decision and operation.", "counter");
  for (const auto& [key, n] : requests_) {
    out += "aimsgate_admission_requests_total{decision=\"" + EscapeLabel(key.first) + "\",operation=\"" +
           EscapeLabel(key.second) + "\"} " + std::to_string(n) + "\n";
  }

  Header(&out, "aimsgate_admission_duration_seconds", "Time to decide an admission request.", "histogram");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < Buckets().size(); ++i) {
    cumulative += bucket_counts_[i];
    out += "aimsgate_admission_duration_seconds_bucket{le=\"" + FormatDouble(Buckets()[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  out += "aimsgate_admission_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(duration_count_) + "\n";
  out += "aimsgate_admission_duration_seconds_sum " + FormatDouble(duration_sum_) + "\n";
  out += "aimsgate_admission_duration_seconds_count " + std::to_string(duration_count_) + "\n";

  Header(&out, "aimsgate_rule_results_total", "Rule results by rule, ISO/IEC 42001 controls and outcome.", "counter");
  for (const auto& [key, counts] : rule_results_) {
    for (const auto& [result, n] : counts) {
      out += "aimsgate_rule_results_total{rule=\"" + EscapeLabel(key.first) + "\",control=\"" + EscapeLabel(key.second) +
             "\",result=\"" + EscapeLabel(result) + "\"} " + std::to_string(n) + "\n";
    }
  }

  Header(&out, "aimsgate_pack_reloads_total", "Reloads of packs, inventory and waivers by result.", "counter");
  out += "aimsgate_pack_reloads_total{result=\"success\"} " + std::to_string(reloads_ok_) + "\n";
  out += "aimsgate_pack_reloads_total{result=\"failure\"} " + std::to_string(reloads_failed_) + "\n";

  Header(&out, "aimsgate_tls_reloads_total", "Reloads of the TLS key pair and client CA by result.", "counter");
  out += "aimsgate_tls_reloads_total{result=\"success\"} " + std::to_string(tls_reloads_ok_) + "\n";
  out += "aimsgate_tls_reloads_total{result=\"failure\"} " + std::to_string(tls_reloads_failed_) + "\n";

  Header(&out, "aimsgate_evidence_write_errors_total", "Decisions that could not be written to the evidence log.",
         "counter");
  out += "aimsgate_evidence_write_errors_total " + std::to_string(evidence_errors_) + "\n";

  Header(&out, "aimsgate_log_lines_dropped_total",
         "Log lines dropped because stderr was not read fast enough (a full pipe).", "counter");
  out += "aimsgate_log_lines_dropped_total " + std::to_string(LogLinesDropped()) + "\n";

  if (tls_not_after_ > 0) {
    Header(&out, "aimsgate_tls_certificate_expiry_timestamp_seconds",
           "The serving certificate's notAfter (Unix seconds); updated on each TLS reload.", "gauge");
    out += "aimsgate_tls_certificate_expiry_timestamp_seconds " + std::to_string(tls_not_after_) + "\n";
  }
  if (!waiver_expiries_.empty()) {
    Header(&out, "aimsgate_waiver_expiry_timestamp_seconds",
           "Each loaded waiver's expiry (Unix seconds); alert before a risk acceptance lapses.", "gauge");
    for (const auto& [name, expires] : waiver_expiries_) {
      out += "aimsgate_waiver_expiry_timestamp_seconds{waiver=\"" + EscapeLabel(name) + "\"} " + std::to_string(expires) + "\n";
    }
  }
  if (transport_) {
    Header(&out, "aimsgate_http_refused_total",
           "Requests refused by the connection layer before evaluation (4xx/5xx: limits, framing, client certificate).",
           "counter");
    out += "aimsgate_http_refused_total " + std::to_string(transport_->refused.load()) + "\n";
    Header(&out, "aimsgate_http_request_deadline_exceeded_total",
           "Connections closed because their request was not complete by --request-timeout.", "counter");
    out += "aimsgate_http_request_deadline_exceeded_total " + std::to_string(transport_->deadline_closed.load()) + "\n";
    Header(&out, "aimsgate_tls_handshake_failures_total", "TLS handshakes that failed.", "counter");
    out += "aimsgate_tls_handshake_failures_total " + std::to_string(transport_->handshake_failed.load()) + "\n";
    Header(&out, "aimsgate_worker_queue_full_total", "Requests answered 503 because the worker queue was full.",
           "counter");
    out += "aimsgate_worker_queue_full_total " + std::to_string(transport_->queue_full.load()) + "\n";
    Header(&out, "aimsgate_worker_unavailable_total",
           "Requests answered 503 because no worker thread could be started, no memory was left for the answer, "
           "or the server was stopping.",
           "counter");
    out += "aimsgate_worker_unavailable_total " + std::to_string(transport_->worker_unavailable.load()) + "\n";
  }
  return out;
}

}  // namespace aimsgate::webhook
