// `aimsgate serve`: the HTTPS admission webhook around HandleAdmissionReview.
//
//   ServerOptions o;
//   o.listen = ":8443"; o.tls.cert_path = "tls.crt"; o.tls.key_path = "tls.key";
//   o.engine.rule_paths = {"builtin:iso42001"};
//   return RunServer(o);   // blocks until SIGTERM/SIGINT; 0 after a clean drain, 2 on startup errors
//
// Endpoints: POST /validate (AdmissionReview), GET /healthz (process up), GET /readyz (packs
// loaded, listening, not draining), GET /metrics (Prometheus text), anything else 404.
// POST /validate needs Content-Type application/json (else 400); a body over
// max_body_bytes gets 413.  Logs are JSON lines on stderr (no object bodies).
// Connections are read by our own transport (http_transport.h) under hard limits and a
// per-request deadline; see docs/security.md for the limits and what each one stops.
//
// Reload: every `reload_interval_ms` the files behind the packs, params, inventory and
// waivers (and, separately, the TLS pair and client CA) are fingerprinted; on a change or
// on SIGHUP they are loaded anew and swapped in between requests.  A pack that fails to
// load is logged with its file:line:col and counted; the previous engine keeps serving.
// SIGTERM/SIGINT: /readyz turns 503, the listening socket closes, in-flight requests are
// answered, requests still arriving get until their deadline, and after
// drain_timeout_seconds every connection is closed whatever the clients do; then the
// evidence log is closed with a checkpoint, exit 0.
//
// Threads: one connection (event) thread per core, at most 8 (every socket, TLS included;
// without --evidence they also answer small requests themselves), up to `threads` workers
// that evaluate the other complete requests (started on demand), one reload watcher, one signal
// thread.  RunServer installs its own signal mask and must be
// called once per process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/pack/engine.h"
#include "webhook/admission.h"
#include "webhook/tls.h"

namespace aimsgate::webhook {

struct ServerOptions {
  std::string listen = ":8443";  // [host]:port; port 0 picks a free port (logged, and see port_file)
  TlsOptions tls;
  bool insecure_http = false;    // plain HTTP, for local tests only
  int threads = 64;             // workers evaluating complete requests; no connection holds one
  int max_connections = 1024;   // open connections; more wait in the listen backlog
  int max_queued_requests = 1024;  // complete requests waiting for a worker; more get 503
  size_t max_body_bytes = 7u << 20;
  int request_timeout_seconds = 10;  // first byte (TCP accept, handshake included) to complete request
  int read_timeout_seconds = 10;     // --read-timeout: deprecated alias of --request-timeout
  int write_timeout_seconds = 10;
  int drain_timeout_seconds = 20;    // SIGTERM to exit, at most (chart: preStop 10 + 20 < 60 s grace)
  int idle_timeout_seconds = 10;      // keep-alive idle time before the server closes a connection
  int keep_alive_max_requests = 1000; // requests per connection (cpp-httplib's default of 5 costs a handshake each 5)
  int reload_interval_ms = 1000;      // 0 = reload on SIGHUP only
  std::string port_file;              // write the bound port here once listening (tests, port 0)
  EngineOptions engine;               // engine.enforcement: --enforcement (kept across reloads)
  std::string evidence_path;          // empty = no evidence; "-" = stdout
  std::string evidence_key_path;
  bool evidence_failure_deny = true;  // --evidence-failure deny|allow
  std::vector<std::string> evidence_redact;   // --evidence-redact: masked in evidence and answers
  std::string evidence_fsync = "checkpoint";  // --evidence-fsync always|checkpoint|never
  std::string version;
};

int RunServer(const ServerOptions& options);

// Splits "host:port", ":port" or "[v6]:port"; empty host means all interfaces (0.0.0.0).
bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error);

// True when a Content-Type header value names application/json (parameters ignored).
bool IsJsonContentType(const std::string& value);

// The whole CPUs a cgroup v2 cpu.max grants: "QUOTA PERIOD" (microseconds), the quota
// rounded up ("150000 100000" -> 2).  0 when there is no quota ("max 100000") or the text
// is not cpu.max.
int CpusFromCpuMax(std::string_view cpu_max);

// Event threads for `serve`: the CPUs this process may run on (sched_getaffinity), at most
// the cgroup's quota (/sys/fs/cgroup/cpu.max) when it has one, between 1 and 8.
int EventThreadCount();

}  // namespace aimsgate::webhook
