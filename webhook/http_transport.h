// The connection layer of `aimsgate serve`: accepts TCP connections, runs the TLS handshake,
// reads each request head and body under hard limits and one deadline, and only then
// answers the complete request: on its event thread when it is small and the loop turn's
// budget allows, else through a worker thread.  cpp-httplib (Debian's 0.11.4) still routes and
// writes the response (see server.cc), but it never reads from a socket: its per-operation
// timeouts, its unbounded header lines, chunked bodies and in-memory gzip inflation are
// out of an attacker's reach.
//
//   TransportOptions o;                       // limits, timeouts, TLS context
//   HttpTransport t(o, handler, precheck);
//   if (!t.Listen("0.0.0.0", 8443, &port, &error)) ...;
//   std::thread stopper([&] { wait for SIGTERM; t.Stop(); });
//   t.Run();                                   // returns once drained (≤ drain_timeout_ms)
//
// Design: event threads (epoll, non-blocking sockets; `event_threads` of them, the first
// accepting and giving each connection to the one holding the fewest) own every connection
// and every SSL object, each connection on one of them for its lifetime.  A connection costs no thread until its request is complete (and small
// requests may not cost one at all: see inline_budget_us), so clients that
// dribble bytes (slowloris, in the headers or in the handshake) cannot starve the workers:
// a fresh request is answered at once however many of them are connected.  Each request has
// a deadline from its first byte — the TCP accept for a new connection, handshake included
// — and a connection whose request is not complete by then is closed.  Head limits are
// enforced as bytes arrive (request_head.h); the framing (Content-Length only, no
// Transfer-Encoding, no Content-Encoding) and the `precheck` (e.g. a client certificate)
// are decided before any body byte is read.  Declared bodies draw on a global budget, so
// the bytes buffered for all connections together stay bounded.  Pipelined requests are
// read one at a time and answered in order.  Stop(): the listening socket closes, idle
// connections close, requests being received get until their deadline, requests being
// evaluated are answered with `Connection: close`, and after drain_timeout_ms everything
// is closed, whatever the clients do.
//
// Thread-safety: Run on one thread (it starts and joins the other event threads); Stop from
// any thread.  The handler runs on worker threads and (inline_budget_us > 0) on the event
// threads, concurrently.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "webhook/request_head.h"

namespace aimsgate::webhook {

struct TransportOptions {
  SSL_CTX* ssl_ctx = nullptr;     // null: plain HTTP
  HeadLimits head;
  size_t max_body_bytes = 7u << 20;
  size_t max_buffered_body_bytes = 32u << 20;  // declared bodies held at once, all connections
  // Request heads longer than 8 KiB held at once, all connections (each reserves twice the
  // rest of head.max_head_bytes: the bytes and their parsed fields); a head that finds no
  // room is answered 503.  Apart from the bodies' budget: stalled heads cannot delay reviews.
  size_t max_buffered_head_bytes = 16u << 20;
  int max_connections = 1024;     // beyond it, new connections wait in the kernel's backlog
  int request_timeout_ms = 10000; // first byte (accept, for a new connection) to complete request
  int write_timeout_ms = 10000;   // to write one response
  int idle_timeout_ms = 10000;    // keep-alive wait for the next request's first byte
  int keep_alive_max_requests = 1000;
  int drain_timeout_ms = 20000;   // after Stop(), the longest Run() keeps serving
  int threads = 32;               // worker threads (started on demand)
  // Event threads.  The first listens and gives each new connection to the one holding the
  // fewest; a connection stays with its event thread (TLS, reads, writes, inline answers).
  int event_threads = 1;
  size_t max_queued = 1024;       // complete requests waiting for a worker; beyond: 503
  // A complete request whose body is at most inline_max_body_bytes is answered by the event
  // thread itself while the current turn of its loop is younger than inline_budget_us (a
  // turn: one epoll wait and the sockets it reported ready); later in the turn, and for
  // larger bodies, a worker answers.  This spares the worker hand-off (a thread wake-up and
  // the answer's hand-back, about 0.7 context switches per request), and bounds what one
  // turn spends on answers to the budget plus one small request.  A connection whose
  // answer here took longer than inline_budget_us has its next 100 requests answered by
  // workers: a request costly to evaluate cannot hold the event thread turn after turn.
  // Only for handlers that
  // never wait (no disk sync, no network): the event thread must keep the deadlines of
  // every other connection it holds.  inline_budget_us = 0: every request goes to a worker.
  size_t inline_max_body_bytes = 64u << 10;
  int inline_budget_us = 0;
};

// One complete request as the worker sees it: the head (without any Expect line, already
// answered) and the whole body, exactly as received.  `head` is the transport's parse of
// it (header_lines index the bytes as received, before any Expect line was dropped); the
// body is request.substr(body_offset).
struct Exchange {
  std::string request;
  RequestHead head;
  size_t body_offset = 0;
  const SSL* ssl = nullptr;  // read-only for the handler (peer certificate)
  std::string remote_addr;
  int remote_port = 0;
  bool close = false;        // the response must close the connection
};

// Fills `response` with the full HTTP response bytes; sets *close if the connection must
// close after it.
using TransportHandler = std::function<void(const Exchange& exchange, std::string* response, bool* close)>;

// Called with the head before any body byte is read; returning false refuses the request
// with *status and *message (the connection closes after the answer).
using TransportPrecheck =
    std::function<bool(const RequestHead& head, const SSL* ssl, int* status, std::string* message)>;

// Counts kept by the transport (read from any thread).
struct TransportCounters {
  std::atomic<uint64_t> refused{0};           // 4xx/5xx answered by the transport itself
  std::atomic<uint64_t> deadline_closed{0};   // requests not complete by their deadline
  std::atomic<uint64_t> handshake_failed{0};
  std::atomic<uint64_t> queue_full{0};        // 503: no worker and the queue full
  std::atomic<uint64_t> worker_unavailable{0};  // 503: no worker thread, no memory, stopping
};

// A JSON error response: {"error": message}.  `close` adds Connection: close.
std::string ErrorResponse(int status, const std::string& message, bool close);

class HttpTransport {
 public:
  HttpTransport(TransportOptions options, TransportHandler handler, TransportPrecheck precheck);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Binds and listens (backlog SOMAXCONN).  Port 0 picks a free port, returned in *bound_port.
  bool Listen(const std::string& host, int port, int* bound_port, std::string* error);
  void Run();
  void Stop();
  const TransportCounters& counters() const { return counters_; }

 private:
  class Loop;
  struct Shared;
  TransportCounters counters_;
  std::unique_ptr<Shared> shared_;              // outlives the loops
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace aimsgate::webhook
