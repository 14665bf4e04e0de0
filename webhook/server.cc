#include "webhook/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "evaluator/evidence/writer.h"
#include "webhook/file_watch.h"
#include "webhook/log.h"
#include "webhook/metrics.h"
#include "webhook/worker_pool.h"

namespace aimsgate::webhook {

bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    *error = "--listen '" + listen + "': expected [HOST]:PORT";
    return false;
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  if (host->empty()) *host = "0.0.0.0";
  std::string p = listen.substr(colon + 1);
  if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(p) > 65535) {
    *error = "--listen '" + listen + "': port must be 0-65535";
    return false;
  }
  *port = std::stoi(p);
  return true;
}

bool IsJsonContentType(const std::string& value) {
  std::string media = value.substr(0, value.find(';'));
  std::string lower;
  for (char c : media) {
    if (c != ' ' && c != '\t') lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return lower == "application/json";
}

namespace {

using Clock = std::chrono::steady_clock;

// cpp-httplib 0.11 (Debian's shared library) listens with a backlog of 5: a burst of
// connections (an apiserver restart, a load test) then overflows the accept queue and
// waits for SYN retransmission (1 s).  listen(2) again on the bound socket raises it.
void RaiseListenBacklog(int port) {
  for (int fd = 0; fd < 1024; ++fd) {
    int accepting = 0;
    socklen_t len = sizeof accepting;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = addr.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                             : -1;
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

std::string JsonError(const std::string& message) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, message);
  return out + "}";
}

class Webhook {
 public:
  explicit Webhook(const ServerOptions& o) : o_(o), metrics_(o.version) {
    engine_paths_ = o.engine.rule_paths;
    if (engine_paths_.empty()) engine_paths_.push_back("builtin:iso42001");
    for (const auto& p : o.engine.params_files) engine_paths_.push_back(p);
    for (const auto& p : o.engine.waiver_paths) engine_paths_.push_back(p);
    for (const auto& p : o.engine.context_paths) engine_paths_.push_back(p);  // --context (VAP params, Namespaces)
    engine_paths_.push_back(o.engine.inventory_path);
    engine_paths_.push_back(o.engine.model_card_path);
    engine_paths_.push_back(o.engine.bom_path);
    if (!o.insecure_http) tls_paths_ = {o.tls.cert_path, o.tls.key_path, o.tls.client_ca_path};
  }

  int Run();

 private:
  bool LoadEngine(bool initial);
  bool LoadTls(bool initial);
  void Routes(httplib::Server* svr);
  void Validate(const httplib::Request& req, httplib::Response& res);
  bool Record(const AdmissionDecision& d, std::string* error);
  void WatchLoop();
  std::shared_ptr<const Engine> engine() const {
    std::lock_guard<std::mutex> lock(engine_mu_);
    return engine_;
  }

  const ServerOptions& o_;
  Metrics metrics_;
  std::vector<std::string> engine_paths_, tls_paths_;
  mutable std::mutex engine_mu_;
  std::shared_ptr<const Engine> engine_;
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<evidence::EvidenceWriter> writer_;
  HandlerOptions handler_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool reload_requested_ = false;
  bool watch_stop_ = false;
};

bool Webhook::LoadEngine(bool initial) {
  std::vector<Diagnostic> diags;
  std::shared_ptr<const Engine> fresh = Engine::Load(o_.engine, &diags);
  std::vector<std::string> messages;
  for (const auto& d : diags) messages.push_back(d.ToString());
  if (!fresh) {
    if (!initial) metrics_.CountReload(false);
    LogLine(initial ? "error" : "warn", initial ? "cannot load rule packs" : "pack reload rejected; previous packs keep serving")
        .List("errors", messages)
        .Emit();
    return false;
  }
  std::vector<std::string> packs;
  for (const auto& p : fresh->packs()) packs.push_back(p.name + "@" + p.version + "=" + p.digest);
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    engine_ = std::move(fresh);
  }
  if (!initial) metrics_.CountReload(true);
  LogLine("info", initial ? "packs loaded" : "packs reloaded").List("packs", packs).List("warnings", messages).Emit();
  return true;
}

bool Webhook::LoadTls(bool initial) {
  std::string error;
  bool ok = tls_->Load(&error);
  if (!initial) metrics_.CountTlsReload(ok);
  if (!ok) {
    LogLine(initial ? "error" : "warn", initial ? "cannot load TLS key pair" : "TLS reload rejected; previous pair keeps serving")
        .Str("error", error)
        .Emit();
  } else if (!initial) {
    LogLine("info", "TLS key pair reloaded").Emit();
  }
  return ok;
}

bool Webhook::Record(const AdmissionDecision& d, std::string* error) {
  evidence::RecordInput in;
  in.source = evidence::Source::kAdmission;
  in.admission = {d.uid, d.username, d.operation, d.dry_run};
  ResourceEvaluation empty;
  in.evaluation = d.evaluation ? d.evaluation : &empty;
  in.packs = d.packs;
  in.object = d.object;
  in.decision = d.decision;
  in.notes = d.notes;
  evidence::Status s = writer_->Append(in);
  if (s.ok()) return true;
  metrics_.CountEvidenceWriteError();
  *error = s.message();
  LogLine("error", "evidence write failed").Str("uid", d.uid).Str("error", s.message()).Emit();
  return false;
}

void Webhook::Validate(const httplib::Request& req, httplib::Response& res) {
  auto start = Clock::now();
  if (!o_.insecure_http && !o_.tls.client_ca_path.empty() && !PeerHasCertificate(req.ssl)) {
    res.status = 401;
    res.set_content(JsonError("a client certificate signed by --client-ca is required"), "application/json");
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    LogLine("warn", "admission request without a client certificate").Str("remote", req.remote_addr).Emit();
    return;
  }
  if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
    res.status = 400;
    res.set_content(JsonError("Content-Type must be application/json"), "application/json");
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    return;
  }
  thread_local cel::EvalState scratch;
  std::shared_ptr<const Engine> e = engine();
  AdmissionResponse r = HandleAdmissionReview(req.body, *e, handler_, &scratch);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  res.status = r.http_status;
  res.set_content(r.body, "application/json");
  metrics_.ObserveAdmission(r.decision, r.operation, seconds, r.evaluation);
  if (r.http_status != 200) {
    LogLine("warn", "bad admission request").Str("error", r.error).Str("remote", req.remote_addr).Emit();
    return;
  }
  std::vector<std::string> failed;
  for (const auto& rr : r.evaluation.results) {
    if (rr.result == Outcome::kFail || rr.result == Outcome::kError) failed.push_back(rr.rule);
  }
  const ResourceRef& ref = r.evaluation.resource;
  LogLine("info", "admission")
      .Str("uid", r.uid)
      .Str("operation", r.operation)
      .Str("user", r.username)
      .Str("kind", ref.kind)
      .Str("namespace", ref.namespace_)
      .Str("name", ref.name)
      .Str("decision", r.decision)
      .Bool("dryRun", r.dry_run)
      .List("failedRules", failed)
      .Num("durationMs", seconds * 1000)
      .Emit();
}

void Webhook::Routes(httplib::Server* svr) {
  svr->Post("/validate", [this](const httplib::Request& req, httplib::Response& res) { Validate(req, res); });
  svr->Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  svr->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = ready_ && !stopping_;
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "ok\n" : "not ready\n", "text/plain");
  });
  svr->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 404   ? "not found"
                          : res.status == 413 ? "request body over the limit of " + std::to_string(o_.max_body_bytes) +
                                                    " bytes"
                                              : "HTTP " + std::to_string(res.status);
    res.set_content(JsonError(message), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  svr->set_error_handler(on_error);
  svr->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(JsonError("internal error"), "application/json");
    LogLine("error", "exception in request handler").Emit();
  });
}

void Webhook::WatchLoop() {
  std::string engine_print = FileFingerprint(engine_paths_);
  std::string tls_print = FileFingerprint(tls_paths_);
  std::unique_lock<std::mutex> lock(watch_mu_);
  while (!watch_stop_) {
    auto interval = std::chrono::milliseconds(o_.reload_interval_ms > 0 ? o_.reload_interval_ms : 3600 * 1000);
    watch_cv_.wait_for(lock, interval, [this] { return watch_stop_ || reload_requested_; });
    if (watch_stop_) break;
    bool forced = reload_requested_;
    reload_requested_ = false;
    lock.unlock();
    std::string e = FileFingerprint(engine_paths_);
    if (forced || (o_.reload_interval_ms > 0 && e != engine_print)) {
      engine_print = e;
      LoadEngine(false);
    }
    if (tls_) {
      std::string t = FileFingerprint(tls_paths_);
      if (forced || (o_.reload_interval_ms > 0 && t != tls_print)) {
        tls_print = t;
        LoadTls(false);
      }
    }
    lock.lock();
  }
}

int Webhook::Run() {
  // Signals are taken by one thread with sigwait: no handler runs inside a request.  The
  // mask is set before any thread starts (the evidence writer has a timer thread), so
  // every thread inherits it and none can be killed by SIGHUP's default action.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Over RLIMIT_FSIZE an evidence write must fail (EFBIG) and follow --evidence-failure,
  // not kill the server (SIGXFSZ's default action; found by tests/faults diskfull).
  signal(SIGXFSZ, SIG_IGN);
  std::string host, error;
  int port = 0;
  if (!ParseListen(o_.listen, &host, &port, &error)) {
    LogLine("error", "invalid configuration").Str("error", error).Emit();
    return 2;
  }
  if (o_.insecure_http == !o_.tls.cert_path.empty() || (!o_.insecure_http && o_.tls.key_path.empty())) {
    LogLine("error", "invalid configuration")
        .Str("error", "give --tls-cert and --tls-key, or --insecure-http for plain HTTP (local tests only)")
        .Emit();
    return 2;
  }
  handler_.enforcement = o_.enforcement;
  if (!o_.evidence_path.empty()) {
    writer_ = std::make_unique<evidence::EvidenceWriter>();
    evidence::WriterOptions wo;
    wo.path = o_.evidence_path;
    wo.key_path = o_.evidence_key_path;
    evidence::Status s = writer_->Open(wo);
    for (const auto& w : writer_->open_warnings()) LogLine("warn", "evidence log").Str("warning", w).Emit();
    if (!s.ok()) {
      LogLine("error", "cannot open the evidence log").Str("path", o_.evidence_path).Str("error", s.message()).Emit();
      return 2;
    }
    handler_.digest_object = true;
    handler_.deny_on_record_failure = o_.evidence_failure_deny;
    handler_.record = [this](const AdmissionDecision& d, std::string* err) { return Record(d, err); };
  }
  if (!LoadEngine(true)) return 2;

  std::unique_ptr<httplib::Server> svr;
  if (o_.insecure_http) {
    svr = std::make_unique<httplib::Server>();
  } else {
    tls_ = std::make_unique<TlsContext>(o_.tls);
    if (!LoadTls(true)) return 2;
    std::string tls_error;
    svr = std::make_unique<httplib::SSLServer>(
        [this, &tls_error](SSL_CTX& ctx) { return tls_->Configure(&ctx, &tls_error); });
    if (!svr->is_valid()) {
      LogLine("error", "cannot configure TLS").Str("error", tls_error).Emit();
      return 2;
    }
  }
  int threads = std::max(1, o_.threads);
  if (threads < 16) {
    LogLine("warn", "few worker threads: each open connection holds one, and a connection beyond them waits "
                    "until another closes (up to --idle-timeout); give --threads above the apiservers' connections")
        .Int("threads", threads)
        .Emit();
  }
  svr->new_task_queue = [threads] { return new WorkerPool(static_cast<size_t>(threads)); };
  svr->set_tcp_nodelay(true);  // without it every TLS response waits ~40 ms (Nagle + delayed ACK)
  svr->set_keep_alive_max_count(static_cast<size_t>(std::max(1, o_.keep_alive_max_requests)));
  svr->set_keep_alive_timeout(std::max(1, o_.idle_timeout_seconds));
  svr->set_read_timeout(std::max(1, o_.read_timeout_seconds), 0);
  svr->set_write_timeout(std::max(1, o_.write_timeout_seconds), 0);
  svr->set_payload_max_length(o_.max_body_bytes);
  Routes(svr.get());

  if (port == 0) {
    port = svr->bind_to_any_port(host);
    if (port <= 0) port = -1;
  } else if (!svr->bind_to_port(host, port)) {
    port = -1;
  }
  if (port < 0) {
    LogLine("error", "cannot listen").Str("listen", o_.listen).Str("error", std::strerror(errno)).Emit();
    return 2;
  }
  RaiseListenBacklog(port);
  if (!o_.port_file.empty()) {
    std::ofstream(o_.port_file) << port << "\n";
  }

  std::atomic<bool> listen_done{false};
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        LogLine("info", "SIGHUP: reloading packs, inputs and TLS").Emit();
        std::lock_guard<std::mutex> lock(watch_mu_);
        reload_requested_ = true;
        watch_cv_.notify_all();
        continue;
      }
      if (listen_done) return;  // woken by Run itself: the server stopped on its own
      stopping_ = true;
      LogLine("info", "shutting down: draining in-flight requests").Str("signal", sig == SIGINT ? "SIGINT" : "SIGTERM").Emit();
      // stop() is a no-op until the accept loop runs; wait for it.
      while (!svr->is_running() && !listen_done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      svr->stop();
      return;
    }
  });
  std::thread watch_thread([this] { WatchLoop(); });

  ready_ = true;
  LogLine("info", "listening")
      .Str("host", host)
      .Int("port", port)
      .Bool("tls", !o_.insecure_http)
      .Str("tlsMinVersion", o_.insecure_http ? "" : o_.tls.min_version)
      .Bool("clientAuth", !o_.tls.client_ca_path.empty())
      .Int("threads", threads)
      .Str("enforcement", ToString(o_.enforcement.mode))
      .Bool("evidence", writer_ != nullptr)
      .Emit();
  bool ok = svr->listen_after_bind();  // returns after stop(), once the workers have finished
  listen_done = true;
  ready_ = false;
  if (!stopping_) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watch_stop_ = true;
    watch_cv_.notify_all();
  }
  watch_thread.join();
  int code = ok && stopping_ ? 0 : 2;
  if (writer_) {
    evidence::Status s = writer_->Close();
    if (!s.ok()) {
      LogLine("error", "cannot close the evidence log").Str("error", s.message()).Emit();
      code = 2;
    }
  }
  LogLine(code == 0 ? "info" : "error", "stopped").Int("exitCode", code).Emit();
  return code;
}

}  // namespace

int RunServer(const ServerOptions& options) {
  // glibc gives each thread that allocates its own arena (up to 8 per core); with
  // hundreds of connection workers a long-running server keeps growing into them.
  // Two arenas suffice for a server that runs on a couple of cores.
  mallopt(M_ARENA_MAX, 2);
  Webhook webhook(options);
  return webhook.Run();
}

}  // namespace aimsgate::webhook
