#include "webhook/server.h"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <strings.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <thread>

#include <httplib.h>

#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/exceptions.h"
#include "webhook/file_watch.h"
#include "webhook/http_transport.h"
#include "webhook/log.h"
#include "webhook/metrics.h"

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
  // The media type before any ';', blanks dropped and letters lowered, is application/json.
  // Compared as it is read: no copy (this runs twice for every admission request).
  static constexpr std::string_view kJson = "application/json";
  const std::string_view media = std::string_view(value).substr(0, value.find(';'));
  size_t matched = 0;
  for (char c : media) {
    if (c == ' ' || c == '\t') continue;
    const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (matched == kJson.size() || lower != kJson[matched]) return false;
    ++matched;
  }
  return matched == kJson.size();
}

int CpusFromCpuMax(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) return 0;
  auto number = [](std::string_view digits, uint64_t* out) {
    if (digits.empty() || digits.size() > 18) return false;
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    *out = v;
    return true;
  };
  uint64_t quota = 0, period = 0;
  if (!number(text.substr(0, space), &quota) || !number(text.substr(space + 1), &period)) return 0;
  if (quota == 0 || period == 0) return 0;
  const uint64_t cpus = (quota + period - 1) / period;
  return static_cast<int>(std::min<uint64_t>(cpus, 1u << 20));
}

int EventThreadCount() {
  int cpus = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = CPU_COUNT(&set);
  if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
  std::ifstream in("/sys/fs/cgroup/cpu.max");
  std::string line;
  if (in && std::getline(in, line)) {
    const int quota = CpusFromCpuMax(line);
    if (quota > 0) cpus = std::min(cpus, quota);
  }
  return std::clamp(cpus, 1, 8);
}

namespace {

using Clock = std::chrono::steady_clock;

// A log line from a thread nothing may leave (the signal and watch threads): without
// memory for it, it is not written, and the thread goes on.
template <typename Emit>
void TryLog(Emit&& emit) {
  try {
    emit();
  } catch (const std::bad_alloc&) {
  }
}

// A request handler that threw: the 500's body and a log line, both with the reason
// ("out of memory", or "internal error: ..." for ours to fix).
std::string HandlerFailure(std::exception_ptr e) {
  std::string why = "internal error";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    why = kernel::ExceptionText(x);
  } catch (...) {
  }
  LogLine("error", "exception in request handler").Str("error", why).Emit();
  return JsonError(why);
}

// Declared request bodies buffered at once over all connections (at least one full body).
constexpr size_t kMaxBufferedBodyBytes = 32u << 20;
// Answers on the event thread (TransportOptions::inline_budget_us): at most this long per
// turn of its loop, for bodies up to this size (an AdmissionReview is typically 2-20 KB).
constexpr int kInlineBudgetUs = 1000;
constexpr size_t kInlineMaxBodyBytes = 64u << 10;

// Routes and writes responses with cpp-httplib, from a request the transport has already
// read in full: cpp-httplib's own socket code (per-operation timeouts, unbounded header
// lines, chunked and gzip bodies) never runs.  POST /validate, the one route on the
// apiserver's path, skips cpp-httplib altogether: the transport's parse of the head picks
// it, the body is read in place, and the response is written here with the bytes
// cpp-httplib writes (same status line and headers, in its order).  cpp-httplib's request
// parsing, regex routing and header maps cost more per request than the rest of the
// answer outside the evaluation (bench/README.md, "webhook per-request overhead").
class Router : public httplib::Server {
 public:
  // The fast route: fills *status and *body from the body bytes and the request's facts.
  using FastValidate = std::function<void(std::string_view body, const std::string& content_type, const SSL* ssl,
                                          const std::string& remote_addr, int* status, std::string* out)>;
  void SetFastValidate(FastValidate fn, int keep_alive_timeout_s, size_t keep_alive_max) {
    fast_validate_ = std::move(fn);
    keep_alive_ = "Keep-Alive: timeout=" + std::to_string(keep_alive_timeout_s) + ", max=" + std::to_string(keep_alive_max) + "\r\n";
  }

  void Handle(const Exchange& ex, std::string* response, bool* close) {
    if (fast_validate_ && HandleValidate(ex, response, close)) return;
    BufferedStream stream(ex, response);
    bool closed = false;
    process_request(stream, ex.close, closed, [&ex](httplib::Request& req) { req.ssl = ex.ssl; });
    *close = ex.close || closed;
    if (response->empty()) {
      *response = ErrorResponse(500, "internal error", true);
      *close = true;
    }
  }

 private:
  // False when the request is not one the fast route answers exactly as cpp-httplib would
  // (another route, HTTP/1.0): cpp-httplib takes it.  A Connection header's "close", in any
  // case and among other options, is already in ex.close (RequestHead::AsksToClose).
  bool HandleValidate(const Exchange& ex, std::string* response, bool* close) {
    const RequestHead& head = ex.head;
    if (head.method != "POST" || head.path != "/validate" || head.version != "HTTP/1.1") return false;
    const bool closing = ex.close;
    static const std::string kNoType;
    const std::string* type = head.Find("Content-Type");
    int status = 500;
    std::string body;
    try {
      fast_validate_(std::string_view(ex.request).substr(ex.body_offset), type ? *type : kNoType, ex.ssl,
                     ex.remote_addr, &status, &body);
    } catch (...) {  // as cpp-httplib's exception handler (Routes) answers
      status = 500;
      body = HandlerFailure(std::current_exception());
    }
    const char* text = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 401 ? "Unauthorized"
                                                                                        : "Internal Server Error";
    response->clear();
    response->reserve(160 + body.size());
    *response += "HTTP/1.1 ";
    *response += std::to_string(status);
    *response += ' ';
    *response += text;
    *response += "\r\n";
    if (closing) *response += "Connection: close\r\n";
    *response += "Content-Length: ";
    *response += std::to_string(body.size());
    *response += "\r\nContent-Type: application/json\r\n";
    if (!closing) *response += keep_alive_;
    *response += "\r\n";
    *response += body;
    *close = closing;
    return true;
  }

  FastValidate fast_validate_;
  std::string keep_alive_;

  // The request as cpp-httplib reads it: the head written again from the transport's parse
  // (CRLF line ends, no blank line before the request line, no Expect: its 100 Continue is
  // sent), then the body as received.  The transport accepts what RFC 9112 lets a server
  // accept (bare LF, a leading empty line) and cpp-httplib does not: both must agree.
  class BufferedStream : public httplib::Stream {
   public:
    BufferedStream(const Exchange& ex, std::string* out)
        : body_(std::string_view(ex.request).substr(ex.body_offset)), remote_addr_(ex.remote_addr),
          remote_port_(ex.remote_port), out_(out) {
      const RequestHead& h = ex.head;
      head_ = h.method + ' ' + h.target + ' ' + h.version + "\r\n";
      for (const auto& [name, value] : h.headers) {
        if (strcasecmp(name.c_str(), "Expect") == 0) continue;
        head_ += name + ": " + value + "\r\n";
      }
      head_ += "\r\n";
    }
    bool is_readable() const override { return true; }
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override {
      size_t n = 0;
      if (pos_ < head_.size()) {
        n = std::min(size, head_.size() - pos_);
        std::memcpy(ptr, head_.data() + pos_, n);
      } else if (pos_ - head_.size() < body_.size()) {
        n = std::min(size, body_.size() - (pos_ - head_.size()));
        std::memcpy(ptr, body_.data() + (pos_ - head_.size()), n);
      }
      pos_ += n;
      return static_cast<ssize_t>(n);
    }
    ssize_t write(const char* ptr, size_t size) override {
      out_->append(ptr, size);
      return static_cast<ssize_t>(size);
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
      ip = remote_addr_;
      port = remote_port_;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
      ip.clear();
      port = 0;
    }
    socket_t socket() const override { return INVALID_SOCKET; }

   private:
    std::string head_;
    std::string_view body_;
    const std::string& remote_addr_;
    int remote_port_;
    std::string* out_;
    size_t pos_ = 0;
  };
};

// Every connection holds a descriptor: make room for --max-connections of them.
void RaiseDescriptorLimit(int max_connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + 256;
  if (lim.rlim_cur >= want) return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  setrlimit(RLIMIT_NOFILE, &lim);
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
    engine_paths_.push_back(o.engine.models_path);  // the model catalogue reloads like packs
    if (!o.insecure_http) tls_paths_ = {o.tls.cert_path, o.tls.key_path, o.tls.client_ca_path};
  }

  int Run();

 private:
  using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
  // The stages of Run, in order.
  bool CheckConfig(std::string* host, int* port);
  bool OpenEvidence();
  bool ConfigureTransport(TransportOptions* to, SslCtxPtr* ssl_ctx);
  bool Serve(const sigset_t& signals, const std::string& host, int port, const TransportOptions& to);
  void SignalLoop(const sigset_t& signals, HttpTransport* transport, const std::atomic<bool>& listen_done);
  bool LoadEngine(bool initial);
  void NoteWaiverExpiries(const Engine& engine);
  static constexpr int64_t kWaiverNoticeDays = 14;
  bool LoadTls(bool initial);
  void Routes(httplib::Server* svr);
  bool Precheck(const RequestHead& head, const SSL* ssl, int* status, std::string* message);
  void Validate(const httplib::Request& req, httplib::Response& res);
  void Validate(std::string_view body, const std::string& content_type, const SSL* ssl, const std::string& remote_addr,
                int* status, std::string* out);
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

// Waivers are risk acceptances with an end: every loaded waiver's expiry becomes a gauge, and one
// expiring within kWaiverNoticeDays is a warning at each load and reload (issue 19 item 8; `check`
// prints the same notice as "expires in N days").
void Webhook::NoteWaiverExpiries(const Engine& engine) {
  constexpr int64_t kDay = 86400;
  std::map<std::string, int64_t> expiries;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (engine.waivers() != nullptr) {
    for (const Waiver& w : engine.waivers()->waivers()) {
      expiries[w.name] = w.expires_unix;
      const int64_t left = w.expires_unix - now;
      if (left <= 0 || left > kWaiverNoticeDays * kDay) continue;
      const int64_t days = (left + kDay - 1) / kDay;
      LogLine("warn", "waiver '" + w.name + "' expires in " + std::to_string(days) + (days == 1 ? " day" : " days") + " (" +
                          w.expires + "): renew it with a new approval or fix what it waives")
          .Str("waiver", w.name)
          .Str("expires", w.expires)
          .Int("daysLeft", days)
          .Str("source", w.source + ":" + std::to_string(w.line))
          .Emit();
    }
  }
  metrics_.SetWaiverExpiries(std::move(expiries));
}

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
  std::shared_ptr<const Engine> loaded = fresh;
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    engine_ = std::move(fresh);
  }
  if (!initial) metrics_.CountReload(true);
  LogLine("info", initial ? "packs loaded" : "packs reloaded").List("packs", packs).List("warnings", messages).Emit();
  NoteWaiverExpiries(*loaded);
  return true;
}

bool Webhook::LoadTls(bool initial) {
  std::string error;
  bool ok = tls_->Load(&error);
  if (!initial) metrics_.CountTlsReload(ok);
  if (ok) metrics_.SetTlsCertificateExpiry(tls_->CertificateNotAfter());
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

// Runs on the head alone, before any body byte is read: a client without the required
// certificate, or a body that is not JSON, costs the server no body buffering.
bool Webhook::Precheck(const RequestHead& head, const SSL* ssl, int* status, std::string* message) {
  if (head.method != "POST" || head.path != "/validate") {
    // No other route reads a body: one declared would only take buffer budget from the
    // apiserver's requests, from a client that may hold no certificate (and a path that
    // cpp-httplib would decode, /%76alidate, would reach the handler after its body).
    const std::string* length = head.Find("Content-Length");
    if (length && length->find_first_not_of('0') != std::string::npos) {
      *status = 413;
      *message = "only POST /validate takes a request body";
      return false;
    }
    return true;
  }
  if (!o_.insecure_http && !o_.tls.client_ca_path.empty() && !PeerHasCertificate(ssl)) {
    *status = 401;
    *message = "a client certificate signed by --client-ca is required";
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    return false;
  }
  const std::string* type = head.Find("Content-Type");
  if (!type || !IsJsonContentType(*type)) {
    *status = 400;
    *message = "Content-Type must be application/json";
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    return false;
  }
  return true;
}

void Webhook::Validate(const httplib::Request& req, httplib::Response& res) {
  int status = 500;
  std::string body;
  Validate(req.body, req.get_header_value("Content-Type"), req.ssl, req.remote_addr, &status, &body);
  res.status = status;
  res.set_content(body, "application/json");
}

void Webhook::Validate(std::string_view body, const std::string& content_type, const SSL* ssl,
                       const std::string& remote_addr, int* status, std::string* out) {
  auto start = Clock::now();
  if (!o_.insecure_http && !o_.tls.client_ca_path.empty() && !PeerHasCertificate(ssl)) {
    *status = 401;
    *out = JsonError("a client certificate signed by --client-ca is required");
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    LogLine("warn", "admission request without a client certificate").Str("remote", remote_addr).Emit();
    return;
  }
  if (!IsJsonContentType(content_type)) {
    *status = 400;
    *out = JsonError("Content-Type must be application/json");
    metrics_.ObserveAdmission("invalid", "", 0, ResourceEvaluation{});
    return;
  }
  thread_local cel::EvalState scratch;
  std::shared_ptr<const Engine> e = engine();
  AdmissionResponse r = HandleAdmissionReview(body, *e, handler_, &scratch);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  *status = r.http_status;
  *out = std::move(r.body);
  metrics_.ObserveAdmission(r.decision, r.operation, seconds, r.evaluation);
  if (r.http_status != 200) {
    LogLine("warn", "bad admission request").Str("error", r.error).Str("remote", remote_addr).Emit();
    return;
  }
  const ResourceRef& ref = r.evaluation.resource;
  LogLine line("info", "admission");
  line.Str("uid", r.uid)
      .Str("operation", r.operation)
      .Str("user", r.username)
      .Str("kind", ref.kind())
      .Str("namespace", ref.namespace_())
      .Str("name", ref.name())
      .Str("decision", r.decision)
      .Bool("dryRun", r.dry_run)
      .BeginList("failedRules");
  for (const auto& rr : r.evaluation.results) {
    if (rr.result == Outcome::kFail || rr.result == Outcome::kError) line.Item(rr.rule());
  }
  line.EndList().Num("durationMs", seconds * 1000).Emit();
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
  svr->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
    res.status = 500;
    res.set_content(HandlerFailure(e), "application/json");
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
    // An exception would end the server from this thread: a reload that runs out of
    // memory (Engine::Load reports its own; this is the rest: fingerprints, the log line)
    // is a rejected one, and the packs that serve stay.
    try {
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
    } catch (const std::exception& e) {
      metrics_.CountReload(false);
      TryLog([&] {  // without memory even for the line, the metric says it
        LogLine("warn", "reload rejected; what serves keeps serving").Str("error", kernel::ExceptionText(e)).Emit();
      });
    }
    lock.lock();
  }
}

// Signals are taken by one thread with sigwait: no handler runs inside a request.  The
// mask is set before any thread starts (the evidence writer has a timer thread), so
// every thread inherits it and none can be killed by SIGHUP's default action.
sigset_t BlockSignals() {
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
  return signals;
}

bool Webhook::CheckConfig(std::string* host, int* port) {
  std::string error;
  if (!ParseListen(o_.listen, host, port, &error)) {
    LogLine("error", "invalid configuration").Str("error", error).Emit();
    return false;
  }
  if (o_.insecure_http == !o_.tls.cert_path.empty() || (!o_.insecure_http && o_.tls.key_path.empty())) {
    LogLine("error", "invalid configuration")
        .Str("error", "give --tls-cert and --tls-key, or --insecure-http for plain HTTP (local tests only)")
        .Emit();
    return false;
  }
  return true;
}

// The redactor, and the evidence log with the handler's hook when --evidence is given.
bool Webhook::OpenEvidence() {
  auto redactor = std::make_shared<evidence::Redactor>();
  if (evidence::Status rs = evidence::Redactor::Create(o_.evidence_redact, redactor.get()); !rs.ok()) {
    LogLine("error", "invalid configuration").Str("error", "--evidence-redact: " + rs.message()).Emit();
    return false;
  }
  handler_.redactor = redactor;
  if (o_.evidence_path.empty()) return true;
  writer_ = std::make_unique<evidence::EvidenceWriter>();
  evidence::WriterOptions wo;
  wo.path = o_.evidence_path;
  wo.key_path = o_.evidence_key_path;
  wo.redact_paths = o_.evidence_redact;
  evidence::ParseFsyncPolicy(o_.evidence_fsync, &wo.fsync);
  wo.rotate_unverifiable_log = true;  // keep the bad file for the auditor, do not crash-loop
  evidence::Status s = writer_->Open(wo);
  for (const auto& w : writer_->open_warnings()) LogLine("warn", "evidence log").Str("warning", w).Emit();
  if (!s.ok()) {
    LogLine("error", "cannot open the evidence log").Str("path", o_.evidence_path).Str("error", s.message()).Emit();
    return false;
  }
  handler_.digest_object = true;
  handler_.deny_on_record_failure = o_.evidence_failure_deny;
  handler_.record = [this](const AdmissionDecision& d, std::string* err) { return Record(d, err); };
  return true;
}

// The transport's settings from the flags, and its TLS context unless --insecure-http.
bool Webhook::ConfigureTransport(TransportOptions* to, SslCtxPtr* ssl_ctx) {
  if (!o_.insecure_http) {
    tls_ = std::make_unique<TlsContext>(o_.tls);
    if (!LoadTls(true)) return false;
    ssl_ctx->reset(SSL_CTX_new(TLS_server_method()));
    std::string tls_error = *ssl_ctx ? "" : OpenSslErrors();
    if (!*ssl_ctx || !tls_->Configure(ssl_ctx->get(), &tls_error)) {
      LogLine("error", "cannot configure TLS").Str("error", tls_error).Emit();
      return false;
    }
    to->ssl_ctx = ssl_ctx->get();
  }
  to->max_body_bytes = o_.max_body_bytes;
  to->max_buffered_body_bytes = std::max<size_t>(o_.max_body_bytes, kMaxBufferedBodyBytes);
  to->max_connections = std::max(1, o_.max_connections);
  to->request_timeout_ms = std::max(1, o_.request_timeout_seconds) * 1000;
  to->write_timeout_ms = std::max(1, o_.write_timeout_seconds) * 1000;
  to->idle_timeout_ms = std::max(1, o_.idle_timeout_seconds) * 1000;
  to->keep_alive_max_requests = std::max(1, o_.keep_alive_max_requests);
  to->drain_timeout_ms = std::max(1, o_.drain_timeout_seconds) * 1000;
  to->threads = std::max(1, o_.threads);
  to->max_queued = static_cast<size_t>(std::max(1, o_.max_queued_requests));
  // Without an evidence log a request never waits on anything (an evidence append can wait
  // behind a checkpoint's fsync): small ones are answered on the event thread, sparing the
  // worker hand-off (bench/README.md, "webhook: answers on the event thread").
  to->inline_budget_us = writer_ ? 0 : kInlineBudgetUs;
  to->inline_max_body_bytes = kInlineMaxBodyBytes;
  // One event thread per CPU the process may use (at most 8): TLS, reads and inline answers
  // spread over them.  Not hardware_concurrency(): a pod limited to one CPU on a 64-core
  // node would run 8 threads that share it.
  to->event_threads = EventThreadCount();
  return true;
}

// SIGHUP asks the watch loop to reload; SIGTERM/SIGINT drain and stop the transport.
// Returns when the server stops, or when Run wakes it (listen_done) after a stop of its own.
void Webhook::SignalLoop(const sigset_t& signals, HttpTransport* transport, const std::atomic<bool>& listen_done) {
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      TryLog([] { LogLine("info", "SIGHUP: reloading packs, inputs and TLS").Emit(); });
      std::lock_guard<std::mutex> lock(watch_mu_);
      reload_requested_ = true;
      watch_cv_.notify_all();
      continue;
    }
    if (listen_done) return;  // woken by Run itself: the server stopped on its own
    stopping_ = true;
    TryLog([&] {
      LogLine("info", "shutting down: draining in-flight requests")
          .Str("signal", sig == SIGINT ? "SIGINT" : "SIGTERM")
          .Int("drainTimeoutSeconds", o_.drain_timeout_seconds)
          .Emit();
    });
    transport->Stop();
    return;
  }
}

// Listens, serves until a signal stops the transport (drained), and joins the signal and
// watch threads.  Returns false when it could not listen.
bool Webhook::Serve(const sigset_t& signals, const std::string& host, int port, const TransportOptions& to) {
  Router router;
  router.set_keep_alive_max_count(static_cast<size_t>(to.keep_alive_max_requests));
  router.set_keep_alive_timeout(std::max(1, o_.idle_timeout_seconds));
  router.set_payload_max_length(o_.max_body_bytes);
  Routes(&router);
  router.SetFastValidate(
      [this](std::string_view body, const std::string& content_type, const SSL* ssl, const std::string& remote_addr,
             int* status, std::string* out) { Validate(body, content_type, ssl, remote_addr, status, out); },
      std::max(1, o_.idle_timeout_seconds), static_cast<size_t>(to.keep_alive_max_requests));
  HttpTransport transport(
      to, [&router](const Exchange& ex, std::string* response, bool* close) { router.Handle(ex, response, close); },
      [this](const RequestHead& head, const SSL* ssl, int* status, std::string* message) {
        return Precheck(head, ssl, status, message);
      });
  metrics_.AttachTransport(&transport.counters());
  std::string error;
  if (!transport.Listen(host, port, &port, &error)) {
    LogLine("error", "cannot listen").Str("listen", o_.listen).Str("error", error).Emit();
    return false;
  }
  if (!o_.port_file.empty()) {
    std::ofstream(o_.port_file) << port << "\n";
  }

  std::atomic<bool> listen_done{false};
  std::thread signal_thread([&] { SignalLoop(signals, &transport, listen_done); });
  std::thread watch_thread([this] { WatchLoop(); });

  ready_ = true;
  LogLine("info", "listening")
      .Str("host", host)
      .Int("port", port)
      .Bool("tls", !o_.insecure_http)
      .Str("tlsMinVersion", o_.insecure_http ? "" : o_.tls.min_version)
      .Bool("clientAuth", !o_.tls.client_ca_path.empty())
      .Int("threads", to.threads)
      .Int("eventThreads", to.event_threads)
      .Int("maxConnections", to.max_connections)
      .Int("requestTimeoutSeconds", o_.request_timeout_seconds)
      .Str("enforcement", ToString(o_.engine.enforcement.mode))
      .Bool("evidence", writer_ != nullptr)
      .Emit();
  // Returns after Stop(), once drained (at most the drain timeout). An exception out of
  // it (memory that ran out in an event loop's own work) stops the server as a stop of
  // its own does: the threads below are joined, the evidence log closed, exit 2.
  std::exception_ptr failed;
  try {
    transport.Run();
  } catch (...) {
    failed = std::current_exception();
  }
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
  if (failed) {
    try {
      std::rethrow_exception(failed);
    } catch (const std::exception& e) {
      // Without memory even for the line, the exit code says it.
      TryLog([&] { LogLine("error", "serving failed").Str("error", kernel::ExceptionText(e)).Emit(); });
    } catch (...) {
    }
  }
  return true;
}

int Webhook::Run() {
  const sigset_t signals = BlockSignals();
  std::string host;
  int port = 0;
  if (!CheckConfig(&host, &port) || !OpenEvidence() || !LoadEngine(true)) return 2;
  TransportOptions to;
  SslCtxPtr ssl_ctx(nullptr, SSL_CTX_free);
  if (!ConfigureTransport(&to, &ssl_ctx)) return 2;
  RaiseDescriptorLimit(to.max_connections);
  if (!Serve(signals, host, port, to)) return 2;
  int code = stopping_ ? 0 : 2;
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
  const int code = webhook.Run();
  // Log lines are written by a thread of their own (log.h): write what is queued, but do
  // not let a stderr nobody reads hold the exit past the drain.
  FlushLogs(std::chrono::milliseconds(1000));
  return code;
}

}  // namespace aimsgate::webhook
