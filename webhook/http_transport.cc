#include "webhook/http_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <unordered_map>
#include <vector>

#include "evaluator/kernel/exceptions.h"
#include "webhook/log.h"
#include "webhook/worker_pool.h"

namespace aimsgate::webhook {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;
constexpr size_t kReadChunk = 16384;
// A request head may grow this far without a reservation (an apiserver's head is about 500
// bytes).  Past it, twice the rest of the head limit (its bytes, and the header fields parsed
// from them) is reserved from TransportOptions::max_buffered_head_bytes: a thousand clients
// each stalled in a 60 KiB head held 146 KiB apiece, 143 MiB in all, more than the chart's
// memory limit leaves.
constexpr size_t kFreeHeadBytes = 8192;
// After a refusal the client may still be sending the body it announced.  Closing with
// unread bytes makes the kernel send a reset that can destroy the answer before the client
// reads it, so the rest is read and dropped (never kept) for at most this long and this
// much: enough for a client that sends a body just over the limit before it reads the 413.
constexpr milliseconds kLingerTime{2000};
constexpr size_t kLingerBytes = 16u << 20;
// A TLS record header, and the largest record a ClientHello may come in (RFC 8446 §5.1).
constexpr size_t kRecordHeader = 5;
constexpr size_t kMaxRecord = 16384 + 256;
// A connection whose answer on the event thread took longer than the whole turn's budget
// (a costly pack, or a costly object) has its next this-many requests answered by workers.
constexpr int kInlineOverrunRequests = 100;

const char* StatusText(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// The 503's message for a job the workers refused.
std::string RefusalMessage(WorkerPool::Refusal why, size_t max_queued) {
  switch (why) {
    case WorkerPool::Refusal::kNoThread: return "server busy: no worker thread could be started";
    case WorkerPool::Refusal::kShuttingDown: return "shutting down";
    case WorkerPool::Refusal::kQueueFull: break;
  }
  return "server busy: " + std::to_string(max_queued) + " requests already wait for a worker";
}

enum class Phase {
  kHello,      // reading the first TLS record (the ClientHello) before any SSL object exists
  kHandshake,  // TLS handshake
  kHead,       // reading the request head (or idle between keep-alive requests)
  kBudget,     // head accepted, waiting for room in the body budget
  kBody,       // reading the body (after a 100 Continue, if asked for)
  kWorker,     // complete request with a worker: not polled
  kWrite,      // writing the response
  kLinger,     // answered with a refusal: dropping unread input before the close
};

struct Conn {
  explicit Conn(HeadLimits limits) : parser(limits) {}
  uint64_t id = 0;
  int fd = -1;
  SSL* ssl = nullptr;
  bool socket_rbio = false;  // the SSL reads the socket (after the buffered ClientHello)
  Phase phase = Phase::kHead;
  bool registered = false;  // in the epoll set
  uint32_t events = 0;
  std::string in;           // received and not yet consumed: the current request first
  HeadParser parser;
  RequestFraming framing;
  size_t reserved = 0;      // body bytes drawn from the budget
  size_t head_reserved = 0; // drawn from the head budget (a head past kFreeHeadBytes)
  bool started = false;     // the current request's deadline runs
  std::string out;
  size_t out_off = 0;
  bool close_after = false;
  bool linger = false;
  size_t lingered = 0;
  Clock::time_point deadline;
  int served = 0;
  int inline_skip = 0;      // requests still to go to a worker after an inline overrun
  std::string remote_addr;
  int remote_port = 0;
};

}  // namespace

// What the event loops share: the connection count, the body budget and the workers.
struct HttpTransport::Shared {
  std::atomic<size_t> open{0};         // connections, all loops (and accepted ones on their way)
  std::atomic<size_t> budget_used{0};  // declared body bytes reserved, all loops
  std::atomic<size_t> head_used{0};    // large request heads' bytes reserved, all loops
  std::unique_ptr<WorkerPool> pool;
  std::vector<Loop*> loops;            // [0] listens and accepts

  // Reserves `need` bytes of `used` unless that would pass `max` (one request always fits).
  static bool Reserve(std::atomic<size_t>& used_bytes, size_t need, size_t max) {
    size_t used = used_bytes.load(std::memory_order_relaxed);
    do {
      if (need > 0 && used > 0 && used + need > max) return false;
    } while (!used_bytes.compare_exchange_weak(used, used + need, std::memory_order_relaxed));
    return true;
  }
  bool Reserve(size_t need, size_t max) { return Reserve(budget_used, need, max); }
  void Release(size_t bytes) { budget_used.fetch_sub(bytes, std::memory_order_relaxed); }
};

std::string ErrorResponse(int status, const std::string& message, bool close) {
  const std::string body = JsonError(message);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + StatusText(status) + "\r\n";
  out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (status == 503) out += "Retry-After: 1\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  return out + body;
}

class HttpTransport::Loop {
 public:
  Loop(const TransportOptions& o, TransportHandler h, TransportPrecheck p, TransportCounters* counters, Shared* shared)
      : o_(o), handler_(std::move(h)), precheck_(std::move(p)), counters_(counters), shared_(shared) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = kWakeId;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &e);
    if (o_.ssl_ctx) {
      SSL_CTX_set_mode(o_.ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                       SSL_MODE_RELEASE_BUFFERS);
    }
  }

  ~Loop() {
    for (auto& [id, c] : conns_) {  // only when Run never ran (FreeAll empties it)
      if (c->ssl) SSL_free(c->ssl);
      close(c->fd);
    }
    for (const Incoming& in : incoming_) close(in.fd);
    if (listen_fd_ >= 0) close(listen_fd_);
    close(wake_fd_);
    close(epoll_fd_);
  }

  bool Listen(const std::string& host, int port, int* bound_port, std::string* error);
  void Run();
  void Stop() {
    stop_requested_ = true;
    Wake();
  }
  // After every loop's Run has returned and the workers are joined.
  void FreeAll() {
    for (auto& [id, c] : conns_) Free(c.get());
    conns_.clear();
    std::lock_guard<std::mutex> lock(incoming_mu_);
    for (const Incoming& in : incoming_) close(in.fd);  // handed over as this loop stopped
    incoming_.clear();
  }
  // Connections held (or handed to this loop and not yet taken), for the acceptor's choice.
  size_t load() const { return load_.load(std::memory_order_relaxed); }
  const TransportOptions& options() const { return o_; }

 private:
  // From a worker: the loop is woken at most once per batch of completions (the eventfd
  // write is a syscall, and the loop reads the whole batch at once).
  void WakeForCompletion() {
    if (!completion_wake_.exchange(true, std::memory_order_acq_rel)) Wake();
  }
  void Wake() {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof one);
    (void)n;  // the counter is already non-zero when this fails: the loop wakes anyway
  }
  void SetListening(bool on);
  void Accept(Clock::time_point now);
  void AddConn(int fd, std::string remote_addr, int remote_port, Clock::time_point accepted);
  void AddConnOrThrow(int fd, std::string remote_addr, int remote_port, Clock::time_point accepted);
  void TakeIncoming();
  void Pump(Conn* c);
  bool AfterHead(Conn* c);
  void Dispatch(Conn* c);
  void Refuse(Conn* c, int status, const std::string& message);
  bool FinishResponse(Conn* c);
  void StartResponse(Conn* c, std::string response, bool close);
  void Want(Conn* c, uint32_t events);
  void Close(Conn* c);
  void Free(Conn* c);
  void ReleaseReserved(Conn* c);
  size_t HeadRoom(Conn* c);
  void GiveBack(int fd);
  ssize_t ReadSome(Conn* c, size_t max, uint32_t* want);
  bool StartTls(Conn* c);
  ssize_t WriteSome(Conn* c, uint32_t* want);
  void TakeCompletions();
  // Room for one more job's completion in both lists TakeCompletions swaps (false: no
  // memory), so that a worker's PushCompletion never allocates.
  bool ReserveCompletion();
  void PumpOrClose(Conn* c);
  int Sweep(Clock::time_point now);  // deadlines and budget waiters; returns the epoll timeout

  const TransportOptions o_;
  const TransportHandler handler_;
  const TransportPrecheck precheck_;
  TransportCounters* counters_;
  Shared* shared_;
  std::atomic<size_t> load_{0};

  int epoll_fd_ = -1, wake_fd_ = -1, listen_fd_ = -1;
  bool listening_ = false;
  Clock::time_point accept_resume_{};
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  uint64_t next_id_ = 2;
  bool stopping_ = false;
  Clock::time_point drain_deadline_{};
  std::atomic<bool> stop_requested_{false};
  // Small requests completed before this instant are answered on this thread (see
  // TransportOptions::inline_max_body_bytes); set at each turn of the loop.
  Clock::time_point inline_until_{};

  struct Completion {
    uint64_t id;
    std::string response;
    bool close;
  };
  void PushCompletion(Completion&& done);  // on a worker; cannot fail (ReserveCompletion)
  std::mutex done_mu_;
  std::vector<Completion> done_;
  std::vector<Completion> taken_;  // the loop's: what TakeCompletions hands on
  // The loop's: jobs submitted whose completion is not taken yet.  Both lists have at least
  // this capacity, so the completions pushed before the next swap always fit.
  size_t completions_owed_ = 0;
  std::atomic<bool> completion_wake_{false};  // an eventfd write for completions is pending

  // Connections accepted by loop 0 for this loop, taken at its next turn.
  struct Incoming {
    int fd;
    std::string remote_addr;
    int remote_port;
    Clock::time_point accepted;
  };
  std::mutex incoming_mu_;
  std::vector<Incoming> incoming_;
  bool exited_ = false;  // Run has returned (or is about to): takes no more connections
  std::atomic<bool> incoming_pending_{false};

 public:
  // False when this loop's Run has left (a Stop the acceptor has not seen yet): the
  // connection would wait for FreeAll after the whole drain, so the acceptor keeps it;
  // also when there is no memory to queue it (the acceptor then tries it itself).
  bool Adopt(Incoming& in) {
    try {
      std::lock_guard<std::mutex> lock(incoming_mu_);
      if (exited_) return false;
      incoming_.push_back(std::move(in));  // unmoved if it throws
    } catch (const std::bad_alloc&) {
      return false;
    }
    if (!incoming_pending_.exchange(true, std::memory_order_acq_rel)) Wake();
    return true;
  }
};

bool HttpTransport::Loop::Listen(const std::string& host, int port, int* bound_port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *error = host + ": " + gai_strerror(rc);
    return false;
  }
  std::string last = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      last = std::strerror(errno);
      close(fd);
      continue;
    }
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    *bound_port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                             : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    listen_fd_ = fd;
    freeaddrinfo(res);
    return true;
  }
  freeaddrinfo(res);
  *error = last;
  return false;
}

void HttpTransport::Loop::SetListening(bool on) {
  if (on == listening_ || listen_fd_ < 0) return;
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = kListenId;
  epoll_ctl(epoll_fd_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listen_fd_, &e);
  listening_ = on;
}

void HttpTransport::Loop::Want(Conn* c, uint32_t events) {
  // A socket out of the set reports nothing, not even a hang-up: a connection whose request
  // is with a worker must not wake the loop over and over.
  if (events == 0) {
    if (c->registered) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
    c->registered = false;
    c->events = 0;
    return;
  }
  if (c->registered && c->events == events) return;
  epoll_event e{};
  e.events = events;
  e.data.u64 = c->id;
  epoll_ctl(epoll_fd_, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &e);
  c->registered = true;
  c->events = events;
}

void HttpTransport::Loop::Free(Conn* c) {
  if (c->registered) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  if (c->ssl) SSL_free(c->ssl);
  ReleaseReserved(c);
  GiveBack(c->fd);
}

// Closes an accepted descriptor and gives back its place in the counts.
void HttpTransport::Loop::GiveBack(int fd) {
  close(fd);
  load_.fetch_sub(1, std::memory_order_relaxed);
  // A slot freed while loop 0 stopped accepting at max_connections: wake it to resume.
  if (shared_->open.fetch_sub(1) == static_cast<size_t>(o_.max_connections) && shared_->loops[0] != this) {
    shared_->loops[0]->Wake();
  }
}

void HttpTransport::Loop::ReleaseReserved(Conn* c) {
  shared_->Release(c->reserved);
  shared_->head_used.fetch_sub(c->head_reserved, std::memory_order_relaxed);
  c->reserved = 0;
  c->head_reserved = 0;
}

// How many more bytes of an incomplete head (the parser has seen c->in) may be read: up to
// kFreeHeadBytes freely, then up to the head limit once the rest is reserved (0: no room).
// The buffer never holds more than the limit, so it never doubles past it.
size_t HttpTransport::Loop::HeadRoom(Conn* c) {
  const size_t limit = o_.head.max_head_bytes;
  size_t end = std::min(limit, kFreeHeadBytes);
  if (c->in.size() >= end && limit > end) {
    if (c->head_reserved == 0) {
      const size_t extra = 2 * (limit - kFreeHeadBytes);
      if (!Shared::Reserve(shared_->head_used, extra, o_.max_buffered_head_bytes)) return 0;
      c->head_reserved = extra;
      c->in.reserve(limit);
    }
    end = limit;
  }
  return end > c->in.size() ? end - c->in.size() : 1;  // at the limit the parser answers 431
}

void HttpTransport::Loop::Close(Conn* c) {
  uint64_t id = c->id;
  Free(c);
  conns_.erase(id);  // destroys *c
}

void HttpTransport::Loop::Accept(Clock::time_point now) {
  const size_t max = static_cast<size_t>(o_.max_connections);
  while (!stopping_ && shared_->open.load() < max) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop polling the listener for a moment instead of spinning on it.
        SetListening(false);
        accept_resume_ = now + milliseconds(100);
        LogLine("warn", "cannot accept a connection").Str("error", std::strerror(errno)).Emit();
      }
      return;
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);  // else each response waits for an ACK
    char ip[INET6_ADDRSTRLEN] = "";
    int port = 0;
    if (addr.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
      port = ntohs(a->sin6_port);
    }
    Incoming in{fd, std::string(), port, now};
    try {
      in.remote_addr = ip;
    } catch (const std::bad_alloc&) {  // not counted yet: just closed
      close(fd);
      continue;
    }
    shared_->open.fetch_add(1);
    // The loop holding the fewest connections takes it (this one on a tie).
    Loop* target = this;
    for (Loop* l : shared_->loops) {
      if (l->load() < target->load()) target = l;
    }
    target->load_.fetch_add(1, std::memory_order_relaxed);
    if (target != this && !target->Adopt(in)) {
      target->load_.fetch_sub(1, std::memory_order_relaxed);
      load_.fetch_add(1, std::memory_order_relaxed);
      target = this;
    }
    if (target == this) AddConn(fd, std::move(in.remote_addr), port, now);
  }
  if (shared_->open.load() >= max) SetListening(false);
}

// Memory that runs out while a connection is taken on closes it; the loop and the
// others go on.
void HttpTransport::Loop::AddConn(int fd, std::string remote_addr, int remote_port, Clock::time_point accepted) {
  try {
    AddConnOrThrow(fd, std::move(remote_addr), remote_port, accepted);
  } catch (const std::bad_alloc&) {
    GiveBack(fd);
  }
}

void HttpTransport::Loop::AddConnOrThrow(int fd, std::string remote_addr, int remote_port,
                                         Clock::time_point accepted) {
  auto c = std::make_unique<Conn>(o_.head);
  c->id = next_id_++;
  c->fd = fd;
  c->remote_addr = std::move(remote_addr);
  c->remote_port = remote_port;
  // The first request's deadline runs from the accept: the handshake and any silence
  // before the first byte count against it.
  c->started = true;
  c->deadline = accepted + milliseconds(o_.request_timeout_ms);
  // No SSL object (tens of KiB with its buffers) until a whole ClientHello record is
  // here: a client dribbling its handshake costs a descriptor and a few hundred bytes.
  if (o_.ssl_ctx) c->phase = Phase::kHello;
  Conn* raw = c.get();
  conns_.emplace(raw->id, std::move(c));
  Want(raw, EPOLLIN);
}

void HttpTransport::Loop::TakeIncoming() {
  if (!incoming_pending_.exchange(false, std::memory_order_acq_rel)) return;
  std::vector<Incoming> incoming;
  {
    std::lock_guard<std::mutex> lock(incoming_mu_);
    incoming.swap(incoming_);
  }
  // Not pumped here: epoll (level-triggered) reports at once what has already arrived, in
  // a turn whose inline budget has just started.
  for (Incoming& in : incoming) AddConn(in.fd, std::move(in.remote_addr), in.remote_port, in.accepted);
}

ssize_t HttpTransport::Loop::ReadSome(Conn* c, size_t max, uint32_t* want) {
  char buf[kReadChunk];
  size_t n = std::min(max, sizeof buf);
  *want = 0;
  if (c->ssl) {
    ERR_clear_error();
    int r = SSL_read(c->ssl, buf, static_cast<int>(n));
    if (r > 0) {
      c->in.append(buf, static_cast<size_t>(r));
      return r;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ) *want = EPOLLIN;
    if (e == SSL_ERROR_WANT_WRITE) *want = EPOLLOUT;
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    ERR_clear_error();
    return -1;
  }
  for (;;) {
    ssize_t r = recv(c->fd, buf, n, 0);
    if (r > 0) c->in.append(buf, static_cast<size_t>(r));
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) *want = EPOLLIN;
    return -1;
  }
}

ssize_t HttpTransport::Loop::WriteSome(Conn* c, uint32_t* want) {
  const char* data = c->out.data() + c->out_off;
  size_t n = c->out.size() - c->out_off;
  *want = 0;
  if (c->ssl) {
    ERR_clear_error();
    int r = SSL_write(c->ssl, data, static_cast<int>(std::min<size_t>(n, 1u << 30)));
    if (r > 0) {
      c->out_off += static_cast<size_t>(r);
      return r;
    }
    int e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ) *want = EPOLLIN;
    if (e == SSL_ERROR_WANT_WRITE) *want = EPOLLOUT;
    ERR_clear_error();
    return -1;
  }
  for (;;) {
    ssize_t r = send(c->fd, data, n, MSG_NOSIGNAL);
    if (r > 0) {
      c->out_off += static_cast<size_t>(r);
      return r;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) *want = EPOLLOUT;
    return -1;
  }
}

// The buffered ClientHello goes to OpenSSL through a memory BIO; once OpenSSL has
// consumed it, the socket itself becomes the read BIO (see kHandshake in Pump).
bool HttpTransport::Loop::StartTls(Conn* c) {
  c->ssl = SSL_new(o_.ssl_ctx);
  BIO* hello = c->ssl ? BIO_new(BIO_s_mem()) : nullptr;
  BIO* out = hello ? BIO_new_socket(c->fd, BIO_NOCLOSE) : nullptr;
  if (!out) {
    if (hello) BIO_free(hello);
    ERR_clear_error();
    return false;
  }
  BIO_write(hello, c->in.data(), static_cast<int>(c->in.size()));
  BIO_set_mem_eof_return(hello, -1);  // drained: "retry", not end of stream
  SSL_set_bio(c->ssl, hello, out);
  SSL_set_accept_state(c->ssl);
  c->in.clear();
  c->in.shrink_to_fit();
  c->phase = Phase::kHandshake;
  return true;
}

void HttpTransport::Loop::Refuse(Conn* c, int status, const std::string& message) {
  ++counters_->refused;
  ReleaseReserved(c);
  c->out = ErrorResponse(status, message, /*close=*/true);
  c->out_off = 0;
  c->close_after = true;
  c->linger = true;
  c->phase = Phase::kWrite;
  c->deadline = Clock::now() + milliseconds(o_.write_timeout_ms);
}

bool HttpTransport::Loop::AfterHead(Conn* c) {
  const RequestHead& head = c->parser.head();
  RequestFraming framing;
  if (!CheckFraming(head, o_.max_body_bytes, &framing)) {
    Refuse(c, framing.status, framing.message);
    return true;
  }
  int status = 0;
  std::string message;
  if (precheck_ && !precheck_(head, c->ssl, &status, &message)) {
    Refuse(c, status, message);
    return true;
  }
  c->framing = framing;
  c->phase = Phase::kBudget;
  return true;
}

void HttpTransport::Loop::Dispatch(Conn* c) {
  const RequestHead& head = c->parser.head();
  size_t total = head.size + c->framing.content_length;
  Exchange ex;
  bool has_expect = false;
  for (const auto& h : head.headers) has_expect = has_expect || strcasecmp(h.first.c_str(), "Expect") == 0;
  if (!has_expect && c->in.size() == total) {
    ex.request.swap(c->in);  // the usual case: no copy, and the buffer leaves the connection
  } else {
    ex.request.reserve(total);
    size_t pos = 0;
    for (size_t i = 0; i < head.headers.size(); ++i) {
      // The 100 Continue is already sent: cpp-httplib must not send another.
      if (strcasecmp(head.headers[i].first.c_str(), "Expect") != 0) continue;
      ex.request.append(c->in, pos, head.header_lines[i].first - pos);
      pos = head.header_lines[i].second;
    }
    ex.request.append(c->in, pos, total - pos);
    c->in.erase(0, total);
    // The request's room (a large head's, a body's) is given back with its answer: the buffer
    // that held it must not stay behind with the connection, outside every budget.
    if (c->in.capacity() > c->in.size() + kReadChunk) c->in.shrink_to_fit();
  }
  ex.body_offset = ex.request.size() - c->framing.content_length;
  ex.head = c->parser.TakeHead();  // not read again before the parser's Reset
  ex.ssl = c->ssl;
  ex.remote_addr = c->remote_addr;
  ex.remote_port = c->remote_port;
  ex.close = stopping_ || c->served + 1 >= o_.keep_alive_max_requests || ex.head.AsksToClose();
  const bool small = o_.inline_budget_us > 0 && c->framing.content_length <= o_.inline_max_body_bytes;
  if (small) {
    const Clock::time_point start = Clock::now();
    if (c->inline_skip > 0) {
      --c->inline_skip;
    } else if (start < inline_until_) {
      // Answered here: no worker wake-up, no completion hand-back, no epoll change.  The
      // budget is checked before the answer, so one answer can overrun it by whatever it
      // costs; a connection whose answer did sends its next requests to the workers, so
      // it cannot take a turn's worth of every turn.
      std::string response;
      bool close = ex.close;
      handler_(ex, &response, &close);
      if (Clock::now() - start > std::chrono::microseconds(o_.inline_budget_us)) {
        c->inline_skip = kInlineOverrunRequests;
      }
      return StartResponse(c, std::move(response), close);
    }
  }
  // A completion lost to memory would leave its connection waiting for ever (the worker
  // phase has no deadline): its room is made now, or the request is refused.
  if (!ReserveCompletion()) {
    ++counters_->worker_unavailable;
    Refuse(c, 503, "server busy: out of memory");
    return;
  }
  c->phase = Phase::kWorker;
  Want(c, 0);
  uint64_t id = c->id;
  WorkerPool::Refusal refusal = WorkerPool::Refusal::kQueueFull;
  std::function<void()> job = [this, id, ex = std::move(ex)] {
    // Nothing may leave a worker's job (std::terminate), and every job must complete:
    // a connection waiting for a worker has no deadline.
    Completion done{id, std::string(), ex.close};
    try {
      handler_(ex, &done.response, &done.close);
    } catch (...) {  // memory ran out building the answer: the connection closes without one
      done.response.clear();
      done.close = true;
    }
    PushCompletion(std::move(done));
  };
  const bool queued = shared_->pool->Submit(std::move(job), &refusal);  // `job` kept if refused
  if (!queued && refusal == WorkerPool::Refusal::kNoThread && small) {
    // No worker runs and the system gives none (memory, a pids limit): a request this
    // thread may answer inline is answered here, not refused; its completion comes back
    // through the list like a worker's, at the next turn.
    job();
    return;
  }
  if (!queued) {
    --completions_owed_;
    ++(refusal == WorkerPool::Refusal::kQueueFull ? counters_->queue_full : counters_->worker_unavailable);
    Refuse(c, 503, RefusalMessage(refusal, o_.max_queued));
  }
}

// After a response is written: closes the connection, starts its lingering, or readies it
// for the next request (a pipelined one may already be buffered).  False when `c` is
// closed and gone.  Pump continues with the connection itself rather than being called
// from here: a client pipelining many requests answered on this thread must not make the
// stack grow with each one.
bool HttpTransport::Loop::FinishResponse(Conn* c) {
  ReleaseReserved(c);
  c->out.clear();
  c->out_off = 0;
  if (c->close_after) {
    if (c->ssl) {
      ERR_clear_error();
      SSL_shutdown(c->ssl);  // one close_notify, best effort: never waits for the peer's
      ERR_clear_error();
    }
    if (!c->linger) {
      Close(c);
      return false;
    }
    // Lingering only reads to discard: what the refused request held (its bytes, its parsed
    // head, the TLS state) goes now, not at the end of the linger.
    c->in.clear();
    c->in.shrink_to_fit();
    c->parser.Reset();
    if (c->ssl) SSL_free(c->ssl);
    c->ssl = nullptr;
    shutdown(c->fd, SHUT_WR);
    c->phase = Phase::kLinger;
    c->deadline = Clock::now() + kLingerTime;
    return true;
  }
  ++c->served;
  if (c->served >= o_.keep_alive_max_requests) {
    Close(c);
    return false;
  }
  c->parser.Reset();
  c->framing = RequestFraming{};
  c->phase = Phase::kHead;
  c->started = false;
  c->deadline = Clock::now() + milliseconds(o_.idle_timeout_ms);
  return true;
}

void HttpTransport::Loop::Pump(Conn* c) {
  for (;;) {
    uint32_t want = 0;
    switch (c->phase) {
      case Phase::kHello: {
        size_t need = kRecordHeader;
        if (c->in.size() >= kRecordHeader) {
          auto byte = [c](size_t i) { return static_cast<unsigned char>(c->in[i]); };
          size_t length = (static_cast<size_t>(byte(3)) << 8) | byte(4);
          if (byte(0) != 0x16 || length == 0 || length > kMaxRecord) {  // not a TLS handshake record
            ++counters_->handshake_failed;
            return Close(c);
          }
          need = kRecordHeader + length;
        }
        if (c->in.size() >= need) {
          if (!StartTls(c)) return Close(c);
          continue;
        }
        // Read exactly up to the record's end: what follows belongs to OpenSSL.
        char buf[kReadChunk];
        ssize_t r = recv(c->fd, buf, std::min(sizeof buf, need - c->in.size()), 0);
        if (r > 0) {
          c->in.append(buf, static_cast<size_t>(r));
          continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Want(c, EPOLLIN);
        return Close(c);
      }
      case Phase::kHandshake: {
        ERR_clear_error();
        int r = SSL_do_handshake(c->ssl);
        if (r == 1) {
          c->phase = Phase::kHead;
          continue;
        }
        int e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ && !c->socket_rbio && BIO_ctrl_pending(SSL_get_rbio(c->ssl)) == 0) {
          SSL_set0_rbio(c->ssl, BIO_new_socket(c->fd, BIO_NOCLOSE));  // frees the drained memory BIO
          c->socket_rbio = true;
          continue;
        }
        if (e == SSL_ERROR_WANT_READ) return Want(c, EPOLLIN);
        if (e == SSL_ERROR_WANT_WRITE) return Want(c, EPOLLOUT);
        ERR_clear_error();
        ++counters_->handshake_failed;
        return Close(c);
      }
      case Phase::kHead: {
        if (!c->in.empty()) {
          if (!c->started) {
            c->started = true;
            c->deadline = Clock::now() + milliseconds(o_.request_timeout_ms);
          }
          HeadStatus s = c->parser.Parse(c->in);
          if (s == HeadStatus::kError) {
            Refuse(c, c->parser.error().status, c->parser.error().message);
            continue;
          }
          if (s == HeadStatus::kComplete) {
            AfterHead(c);
            continue;
          }
        }
        if (stopping_ && !c->started) return Close(c);  // idle while draining
        size_t room = HeadRoom(c);
        if (room == 0) {
          Refuse(c, 503, "server busy: too many large request heads in flight");
          continue;
        }
        ssize_t n = ReadSome(c, room, &want);
        if (n > 0) continue;
        if (n < 0 && want) return Want(c, want);
        return Close(c);  // end of stream or error
      }
      case Phase::kBudget: {
        size_t need = c->framing.content_length;
        // One request always fits, whatever its size (≤ max_body_bytes).
        if (!shared_->Reserve(need, o_.max_buffered_body_bytes)) return Want(c, 0);
        c->reserved = need;
        c->in.reserve(c->parser.head().size + need);  // exact: no doubling while the body arrives
        if (c->framing.expect_continue && c->in.size() < c->parser.head().size + need) {
          c->out = "HTTP/1.1 100 Continue\r\n\r\n";
          c->out_off = 0;
        }
        c->phase = Phase::kBody;
        continue;
      }
      case Phase::kBody: {
        if (c->out_off < c->out.size()) {  // the 100 Continue
          if (WriteSome(c, &want) > 0) continue;
          if (want) return Want(c, want);
          return Close(c);
        }
        size_t total = c->parser.head().size + c->framing.content_length;
        if (c->in.size() >= total) {
          c->out.clear();
          c->out_off = 0;
          Dispatch(c);
          if (c->phase == Phase::kWorker) return;
          continue;
        }
        ssize_t n = ReadSome(c, total - c->in.size(), &want);
        if (n > 0) continue;
        if (n < 0 && want) return Want(c, want);
        return Close(c);
      }
      case Phase::kWorker:
        return;
      case Phase::kWrite: {
        if (c->out_off >= c->out.size()) {
          if (!FinishResponse(c)) return;
          continue;
        }
        if (WriteSome(c, &want) > 0) continue;
        if (want) return Want(c, want);
        return Close(c);
      }
      case Phase::kLinger: {
        char buf[kReadChunk];
        for (;;) {
          ssize_t r = recv(c->fd, buf, sizeof buf, 0);
          if (r > 0) {
            c->lingered += static_cast<size_t>(r);
            if (c->lingered > kLingerBytes) return Close(c);
            continue;
          }
          if (r < 0 && errno == EINTR) continue;
          if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Want(c, EPOLLIN);
          return Close(c);
        }
      }
    }
  }
}

// Memory that runs out while one connection is read or answered (a large body, its
// document) closes that connection; the loop and the others go on (a worker's failure
// is already that request's 500, or its closed connection).
void HttpTransport::Loop::PumpOrClose(Conn* c) {
  const uint64_t id = c->id;
  try {
    Pump(c);
  } catch (const std::bad_alloc&) {
    auto again = conns_.find(id);
    if (again != conns_.end()) Close(again->second.get());
  }
}

// The list keeps its capacity across turns (TakeCompletions swaps it with taken_), so
// a push seldom allocates; when one cannot, memory held by requests in flight is
// given back as they finish, and the push is tried again.
void HttpTransport::Loop::PushCompletion(Completion&& done) {
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    done_.push_back(std::move(done));  // within the capacity ReserveCompletion made
  }
  WakeForCompletion();
}

bool HttpTransport::Loop::ReserveCompletion() {
  try {
    // taken_ becomes done_ at the next swap.  It may be being walked (a pipelined request
    // dispatched from TakeCompletions), which is why that walk goes by index.
    taken_.reserve(completions_owed_ + 1);
    std::lock_guard<std::mutex> lock(done_mu_);
    done_.reserve(completions_owed_ + 1);
  } catch (const std::bad_alloc&) {
    return false;
  }
  ++completions_owed_;
  return true;
}

void HttpTransport::Loop::TakeCompletions() {
  // Cleared before the list is taken: a completion pushed after the swap finds the flag
  // clear and writes the eventfd, so it is never left waiting for an unrelated wake-up.
  completion_wake_.store(false, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    taken_.swap(done_);
  }
  completions_owed_ -= taken_.size();
  // By index: PumpOrClose may dispatch a pipelined request, whose ReserveCompletion may
  // move taken_'s elements (not change their number).
  for (size_t i = 0; i < taken_.size(); ++i) {
    Completion& d = taken_[i];
    auto it = conns_.find(d.id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    StartResponse(c, std::move(d.response), d.close);
    PumpOrClose(c);
  }
  taken_.clear();
}

void HttpTransport::Loop::StartResponse(Conn* c, std::string response, bool close) {
  c->out = std::move(response);
  c->out_off = 0;
  c->close_after = close || stopping_;
  c->phase = Phase::kWrite;
  c->deadline = Clock::now() + milliseconds(o_.write_timeout_ms);
}

int HttpTransport::Loop::Sweep(Clock::time_point now) {
  std::vector<uint64_t> expired, waiting;
  Clock::time_point next = now + milliseconds(1000);
  for (auto& [id, c] : conns_) {
    if (c->phase == Phase::kWorker) continue;
    if (c->phase == Phase::kBudget) waiting.push_back(id);
    if (now >= c->deadline) {
      expired.push_back(id);
    } else {
      next = std::min(next, c->deadline);
    }
  }
  for (uint64_t id : expired) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn* c = it->second.get();
    if (c->phase == Phase::kBudget) {
      Refuse(c, 503, "server busy: too many request bodies in flight");
      Pump(c);
      continue;
    }
    bool incomplete = c->started && (c->phase == Phase::kHello || c->phase == Phase::kHandshake ||
                                     c->phase == Phase::kHead || c->phase == Phase::kBody);
    if (incomplete) ++counters_->deadline_closed;
    Close(c);
  }
  for (uint64_t id : waiting) {
    auto it = conns_.find(id);
    if (it != conns_.end() && it->second->phase == Phase::kBudget) Pump(it->second.get());
  }
  // Room freed by another loop is not announced: poll while requests wait for it.
  if (!waiting.empty()) next = std::min(next, now + milliseconds(10));
  if (!stopping_ && !listening_ && shared_->open.load() < static_cast<size_t>(o_.max_connections)) {
    if (now >= accept_resume_) {
      SetListening(true);
    } else {
      next = std::min(next, accept_resume_);
    }
  }
  if (stopping_) next = std::min(next, drain_deadline_);
  auto ms = std::chrono::duration_cast<milliseconds>(next - now).count() + 1;
  return static_cast<int>(std::max<long long>(0, ms));
}

void HttpTransport::Loop::Run() {
  SetListening(true);
  std::vector<epoll_event> events(256);
  int timeout = 0;
  for (;;) {
    Clock::time_point now = Clock::now();
    if (stop_requested_ && !stopping_) {
      stopping_ = true;
      drain_deadline_ = now + milliseconds(o_.drain_timeout_ms);
      SetListening(false);
      if (listen_fd_ >= 0) close(listen_fd_);
      listen_fd_ = -1;
      std::vector<uint64_t> idle;
      for (auto& [id, c] : conns_) {
        if (c->phase == Phase::kHead && !c->started) idle.push_back(id);
      }
      for (uint64_t id : idle) Close(conns_.at(id).get());
      timeout = 0;
    }
    TakeIncoming();
    if (stopping_ && (conns_.empty() || now >= drain_deadline_)) {
      // Marked under the lock Adopt takes: a connection handed over after this is kept by
      // the acceptor; one handed over before it is served (the next turn takes it).
      std::lock_guard<std::mutex> lock(incoming_mu_);
      if (incoming_.empty() || now >= drain_deadline_) {
        exited_ = true;
        break;
      }
      continue;
    }
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout);
    now = Clock::now();
    inline_until_ = now + std::chrono::microseconds(o_.inline_budget_us);
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        Accept(now);
      } else if (id == kWakeId) {
        uint64_t value;
        ssize_t r = read(wake_fd_, &value, sizeof value);
        (void)r;
      } else {
        auto it = conns_.find(id);
        if (it == conns_.end()) continue;
        PumpOrClose(it->second.get());
      }
    }
    TakeCompletions();
    try {
      timeout = Sweep(Clock::now());
    } catch (const std::bad_alloc&) {  // what it did not reach, the next turn does
      timeout = 10;
    }
  }
}

HttpTransport::HttpTransport(TransportOptions options, TransportHandler handler, TransportPrecheck precheck)
    : shared_(std::make_unique<Shared>()) {
  const int loops = std::max(1, options.event_threads);
  for (int i = 0; i < loops; ++i) {
    loops_.push_back(std::make_unique<Loop>(options, handler, precheck, &counters_, shared_.get()));
    shared_->loops.push_back(loops_.back().get());
  }
}

HttpTransport::~HttpTransport() = default;

bool HttpTransport::Listen(const std::string& host, int port, int* bound_port, std::string* error) {
  return loops_[0]->Listen(host, port, bound_port, error);
}

void HttpTransport::Run() {
  const TransportOptions& o = loops_[0]->options();
  shared_->pool = std::make_unique<WorkerPool>(static_cast<size_t>(std::max(1, o.threads)), o.max_queued);
  // An exception out of a loop, or an event thread the system does not give (no memory
  // for its stack, a pids limit), stops every loop; they are joined (a joinable thread
  // destroyed ends the process) and the first exception goes up: serve exits 2 with it.
  kernel::FirstException failed;
  auto fail = [&] {
    failed.Keep();
    for (auto& l : loops_) l->Stop();
  };
  auto run = [&](Loop* l) {
    try {
      l->Run();
    } catch (...) {
      fail();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(loops_.size());
  bool started = true;
  try {
    for (size_t i = 1; i < loops_.size(); ++i) threads.emplace_back(run, loops_[i].get());
  } catch (...) {
    started = false;
    fail();
  }
  if (started) run(loops_[0].get());
  for (auto& t : threads) t.join();
  // Requests still with a worker finish (they are CPU work, no client can hold them); their
  // answers are dropped with the connections.
  shared_->pool->shutdown();
  for (auto& l : loops_) l->FreeAll();
  failed.Rethrow();
}

void HttpTransport::Stop() {
  for (auto& l : loops_) l->Stop();
}

}  // namespace aimsgate::webhook
