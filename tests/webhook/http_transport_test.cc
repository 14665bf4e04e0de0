// HttpTransport (webhook/http_transport.h) over plain HTTP on 127.0.0.1: which thread answers
// (the event thread for small requests within a turn's budget, a worker otherwise), and
// pipelined requests answered on the event thread, in order, however many are buffered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <new>
#include <thread>
#include <vector>

#include "webhook/http_transport.h"

namespace aimsgate::webhook {
namespace {

// Runs a transport on its own thread; the handler answers 200 with the request's target and
// records which thread answered.
class Server {
 public:
  // `on_request` (if any) runs in the handler first, with the request's target.
  explicit Server(TransportOptions o, std::function<void(const std::string&)> on_request = nullptr) {
    o.threads = 4;
    transport_ = std::make_unique<HttpTransport>(
        o,
        [this, on_request](const Exchange& ex, std::string* response, bool* close) {
          if (on_request) on_request(ex.head.target);
          {
            std::lock_guard<std::mutex> lock(mu_);
            (std::this_thread::get_id() == run_thread_ ? on_event_thread_ : on_worker_)++;
            answered_by_.insert(std::this_thread::get_id());
            event_thread_answered_[ex.head.target] = std::this_thread::get_id() == run_thread_;
          }
          // "/slow...": an answer that takes 50 ms (a costly evaluation).
          if (ex.head.target.rfind("/slow", 0) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          const std::string body = ex.head.target;
          *response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
          *close = ex.close;
        },
        nullptr);
    std::string error;
    EXPECT_TRUE(transport_->Listen("127.0.0.1", 0, &port_, &error)) << error;
    std::atomic<bool> started{false};
    thread_ = std::thread([this, &started] {
      {
        std::lock_guard<std::mutex> lock(mu_);
        run_thread_ = std::this_thread::get_id();
      }
      started = true;
      transport_->Run();
    });
    while (!started) std::this_thread::yield();
  }
  ~Server() {
    transport_->Stop();
    thread_.join();
  }
  void Stop() { transport_->Stop(); }
  int port() const { return port_; }
  int on_event_thread() {
    std::lock_guard<std::mutex> lock(mu_);
    return on_event_thread_;
  }
  int on_worker() {
    std::lock_guard<std::mutex> lock(mu_);
    return on_worker_;
  }
  // Whether the request with this target was answered on the (first) event thread.
  bool answered_on_event_thread(const std::string& target) {
    std::lock_guard<std::mutex> lock(mu_);
    return event_thread_answered_.at(target);
  }
  size_t threads_answering() {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_by_.size();
  }

 private:
  std::unique_ptr<HttpTransport> transport_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::thread::id run_thread_;
  int on_event_thread_ = 0, on_worker_ = 0;
  std::set<std::thread::id> answered_by_;
  std::map<std::string, bool> event_thread_answered_;
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

std::string Post(const std::string& target, size_t body_bytes) {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body_bytes) + "\r\n\r\n" +
         std::string(body_bytes, 'b');
}

// Reads one response (head and Content-Length body) from `fd`, waiting at most `timeout_ms`;
// returns its body, or "" on timeout or close.
std::string ReadOne(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string in;
  char buf[4096];
  for (;;) {
    size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = std::stoul(in.substr(in.find("Content-Length: ") + 16));
      if (in.size() >= end + 4 + length) return in.substr(end + 4, length);
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "";
    in.append(buf, static_cast<size_t>(n));
  }
}

// Sends a POST of `target` with `body_bytes` of body on `fd`.
void Send(int fd, const std::string& target, size_t body_bytes = 0) {
  const std::string r = Post(target, body_bytes);
  EXPECT_EQ(send(fd, r.data(), r.size(), MSG_NOSIGNAL), static_cast<ssize_t>(r.size()));
}

// Sends a POST of `target` and expects the test server's answer, which echoes it.
void Ask(int fd, const std::string& target, size_t body_bytes = 0) {
  Send(fd, target, body_bytes);
  EXPECT_EQ(ReadOne(fd, 5000), target);
}

// Sends `requests` (from another thread: the server answers while they are still being
// written) and reads `count` responses; returns their bodies in order.
std::vector<std::string> RoundTrip(int port, const std::string& requests, size_t count) {
  int fd = Connect(port);
  std::thread writer([fd, &requests] {
    size_t off = 0;
    while (off < requests.size()) {
      ssize_t n = send(fd, requests.data() + off, requests.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  });
  std::vector<std::string> bodies;
  std::string in;
  char buf[65536];
  while (bodies.size() < count) {
    size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t cl = in.find("Content-Length: ");
      size_t length = std::stoul(in.substr(cl + 16));
      if (in.size() >= end + 4 + length) {
        bodies.push_back(in.substr(end + 4, length));
        in.erase(0, end + 4 + length);
        continue;
      }
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  writer.join();
  close(fd);
  return bodies;
}

TEST(HttpTransport, SmallRequestsAreAnsweredOnTheEventThreadLargeOnesByAWorker) {
  TransportOptions o;
  o.inline_budget_us = 1000000;
  o.inline_max_body_bytes = 64;
  Server s(o);
  EXPECT_EQ(RoundTrip(s.port(), Post("/small", 64), 1), std::vector<std::string>{"/small"});
  EXPECT_EQ(s.on_event_thread(), 1);
  EXPECT_EQ(s.on_worker(), 0);
  EXPECT_EQ(RoundTrip(s.port(), Post("/large", 65), 1), std::vector<std::string>{"/large"});
  EXPECT_EQ(s.on_event_thread(), 1);
  EXPECT_EQ(s.on_worker(), 1);
}

// Memory that runs out while a request is answered (its document, the response) closes
// that connection without an answer, on a worker as on the event thread; the server goes on.
// (On a worker, the exception used to leave the thread: std::terminate.)
TEST(HttpTransport, AnAnswerThatRunsOutOfMemoryClosesItsConnectionAndTheServerGoesOn) {
  for (int budget_us : {0, 1000000}) {  // every request to a worker; every one inline
    SCOPED_TRACE(budget_us == 0 ? "worker" : "event thread");
    TransportOptions o;
    o.inline_budget_us = budget_us;
    Server s(o, [](const std::string& target) {
      if (target == "/oom") throw std::bad_alloc();
    });
    int fd = Connect(s.port());
    Send(fd, "/oom");
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    EXPECT_EQ(recv(fd, &c, 1, 0), 0);  // closed, no answer (not a timeout: -1)
    close(fd);
    fd = Connect(s.port());
    Ask(fd, "/next");
    close(fd);
  }
}

// Many connections pipelining to the workers: completions come back in batches, and
// answering one dispatches that connection's next request from inside the batch's walk
// (which makes room for its completion).  Every request is
// answered, in order.
TEST(HttpTransport, PipelinedRequestsOfManyConnectionsToWorkersAreAllAnswered) {
  constexpr int kConnections = 24, kRequests = 40;
  TransportOptions o;
  o.inline_budget_us = 0;
  o.keep_alive_max_requests = kRequests + 1;
  Server s(o);
  std::vector<std::thread> clients;
  std::vector<std::vector<std::string>> got(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    clients.emplace_back([&, i] {
      std::string requests;
      for (int r = 0; r < kRequests; ++r) requests += Post("/c" + std::to_string(i) + "-" + std::to_string(r), 0);
      got[i] = RoundTrip(s.port(), requests, kRequests);
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kConnections; ++i) {
    std::vector<std::string> want;
    for (int r = 0; r < kRequests; ++r) want.push_back("/c" + std::to_string(i) + "-" + std::to_string(r));
    EXPECT_EQ(got[i], want) << "connection " << i;
  }
  EXPECT_EQ(s.on_worker(), kConnections * kRequests);
}

TEST(HttpTransport, NoBudgetMeansEveryRequestGoesToAWorker) {
  TransportOptions o;
  o.inline_budget_us = 0;
  Server s(o);
  EXPECT_EQ(RoundTrip(s.port(), Post("/a", 10) + Post("/b", 0), 2), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(s.on_event_thread(), 0);
  EXPECT_EQ(s.on_worker(), 2);
}

// A request head past 8 KiB reserves the rest of the head limit from its own budget: with
// room for one, a second large head is answered 503 at once while the first waits for its
// blank line, a small request is served meanwhile, and the room comes back after the answer.
TEST(HttpTransport, LargeHeadsDrawOnABudgetOfTheirOwn) {
  TransportOptions o;
  o.max_buffered_head_bytes = 1;  // one large head at a time ("one always fits")
  Server s(o);
  std::string pad;
  for (int i = 0; i < 40; ++i) pad += "X-Pad-" + std::to_string(i) + ": " + std::string(500, 'a') + "\r\n";
  auto large = [&pad](const std::string& target) {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + pad;  // no blank line yet
  };
  auto status_line = [](int fd) {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[4096];
    while (in.find("\r\n") == std::string::npos) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    return in.substr(0, in.find("\r\n"));
  };
  auto send_all = [](int fd, const std::string& bytes) {
    EXPECT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  };

  int first = Connect(s.port());
  send_all(first, large("/first"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // its head is read and its room reserved
  int second = Connect(s.port());
  send_all(second, large("/second") + "\r\n");
  EXPECT_EQ(status_line(second), "HTTP/1.1 503 Service Unavailable");
  int small = Connect(s.port());
  Ask(small, "/small");
  send_all(first, "\r\n");
  EXPECT_EQ(ReadOne(first, 5000), "/first");
  int third = Connect(s.port());
  send_all(third, large("/third") + "\r\n");
  EXPECT_EQ(ReadOne(third, 5000), "/third");
  for (int fd : {first, second, small, third}) close(fd);
}

// 20,000 pipelined requests (limited only by keep_alive_max_requests): each is answered in
// order, and answering one on the event thread does not nest the next one's call (which
// would overflow the stack long before the last).
TEST(HttpTransport, ManyPipelinedRequestsAreAnsweredInOrderOnTheEventThread) {
  constexpr size_t kRequests = 20000;
  TransportOptions o;
  o.inline_budget_us = 60 * 1000 * 1000;
  o.keep_alive_max_requests = static_cast<int>(kRequests) + 1;
  Server s(o);
  std::string requests;
  std::vector<std::string> want;
  for (size_t i = 0; i < kRequests; ++i) {
    want.push_back("/" + std::to_string(i));
    requests += i % 2 ? Post(want.back(), 3) : "GET " + want.back() + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  EXPECT_EQ(RoundTrip(s.port(), requests, kRequests), want);
  EXPECT_EQ(s.on_event_thread(), static_cast<int>(kRequests));
  EXPECT_EQ(s.on_worker(), 0);
}

// Past the budget in a turn, a worker answers: a connection that pipelines many requests
// cannot keep the event thread to itself.
TEST(HttpTransport, PastTheTurnsBudgetAWorkerAnswers) {
  TransportOptions o;
  o.inline_budget_us = 1;
  Server s(o);
  std::string requests;
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    want.push_back("/" + std::to_string(i));
    requests += Post(want.back(), 1);
  }
  EXPECT_EQ(RoundTrip(s.port(), requests, want.size()), want);
  EXPECT_GT(s.on_worker(), 0);
  EXPECT_EQ(s.on_event_thread() + s.on_worker(), 200);
}

// The budget is checked before an answer, so an answer costlier than the whole budget runs
// on the event thread once; that connection's following requests go to a worker, even at
// the start of a turn, while another connection's small requests are still answered inline.
TEST(HttpTransport, AConnectionWhoseAnswerOverranTheBudgetGoesToTheWorkers) {
  TransportOptions o;
  o.inline_budget_us = 20000;  // 20 ms: every 0-byte request fits, the 50 ms one does not
  Server s(o);
  int a = Connect(s.port()), b = Connect(s.port());
  auto ask = [](int fd, const std::string& target) { Ask(fd, target); };
  ask(a, "/before");
  EXPECT_TRUE(s.answered_on_event_thread("/before"));
  ask(a, "/slow");
  EXPECT_TRUE(s.answered_on_event_thread("/slow"));  // the first costly one: not known yet
  for (const std::string target : {"/after1", "/after2", "/after3"}) {
    ask(a, target);  // one request per turn: each would be inline by the turn's budget alone
    EXPECT_FALSE(s.answered_on_event_thread(target)) << target;
  }
  ask(b, "/other");
  EXPECT_TRUE(s.answered_on_event_thread("/other"));
  close(a);
  close(b);
}

// A latch the handler waits on, opened by the test.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void AwaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

// A connection accepted after Stop() but before the accepting thread has seen it is handed
// to the least-loaded event thread, which may already have left its loop: it must not wait
// there, unserved, until the whole drain is over.  The accepting thread is held in an
// answer (on its connection C) with the new connection B already in the listen backlog,
// while Stop() lets the idle second thread leave; then B's request is answered.
TEST(HttpTransport, AConnectionAcceptedAsTheServerStopsIsServed) {
  TransportOptions o;
  o.event_threads = 2;
  o.inline_budget_us = 10 * 1000 * 1000;
  o.drain_timeout_ms = 20000;
  Gate first, second;
  Server s(o, [&](const std::string& target) {
    if (target == "/block1") first.Wait();
    if (target == "/block2") second.Wait();
  });
  auto ask = [](int fd, const std::string& target) { Send(fd, target); };
  // D and C on the first (accepting) event thread, X on the second, then X leaves.
  int d = Connect(s.port());
  ask(d, "/d");
  EXPECT_EQ(ReadOne(d, 5000), "/d");
  int x = Connect(s.port());
  ask(x, "/x");
  EXPECT_EQ(ReadOne(x, 5000), "/x");
  int c = Connect(s.port());
  ask(c, "/c");
  EXPECT_EQ(ReadOne(c, 5000), "/c");
  EXPECT_TRUE(s.answered_on_event_thread("/d"));
  EXPECT_TRUE(s.answered_on_event_thread("/c"));
  EXPECT_FALSE(s.answered_on_event_thread("/x"));
  close(x);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Hold the first thread; meanwhile C's request and B's connection become ready, in that order.
  ask(d, "/block1");
  first.AwaitEntered();
  ask(c, "/block2");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int b = Connect(s.port());
  ask(b, "/b");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  first.Open();
  second.AwaitEntered();  // the turn that will accept B, held in C's answer
  s.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the idle second thread leaves
  second.Open();
  EXPECT_EQ(ReadOne(b, 5000), "/b");
  EXPECT_EQ(ReadOne(c, 5000), "/block2");
  close(b);
  close(c);
  close(d);
}

// With three event threads, connections open at once are spread over all three, and each
// answers its own connections' small requests.
TEST(HttpTransport, ConnectionsAreSpreadOverTheEventThreads) {
  TransportOptions o;
  o.event_threads = 3;
  o.inline_budget_us = 1000000;
  Server s(o);
  std::vector<int> fds;
  for (int i = 0; i < 6; ++i) {
    fds.push_back(Connect(s.port()));
    Ask(fds.back(), "/" + std::to_string(i), 2);
  }
  for (int i = 0; i < 6; ++i) Ask(fds[i], "/again" + std::to_string(i));  // again, on every open connection
  EXPECT_EQ(s.threads_answering(), 3u);
  for (int fd : fds) close(fd);  // (and the server stops with none of them idle)
}

// max_connections counts every event thread's connections: the third waits in the backlog
// until one held by another event thread closes, and is then served.
TEST(HttpTransport, MaxConnectionsHoldsAcrossEventThreads) {
  TransportOptions o;
  o.event_threads = 2;
  o.max_connections = 2;
  o.inline_budget_us = 1000000;
  Server s(o);
  int a = Connect(s.port()), b = Connect(s.port());
  for (int fd : {a, b}) Ask(fd, "/held");
  EXPECT_EQ(s.threads_answering(), 2u);
  int c = Connect(s.port());  // completes in the kernel's backlog, not accepted
  Send(c, "/third");
  EXPECT_EQ(ReadOne(c, 300), "");
  close(b);  // held by the second event thread; the first one accepts
  EXPECT_EQ(ReadOne(c, 5000), "/third");
  close(a);
  close(c);
}

// Stop() ends every event thread, idle keep-alive connections included.
TEST(HttpTransport, StopEndsEveryEventThreadWithIdleConnections) {
  TransportOptions o;
  o.event_threads = 4;
  o.inline_budget_us = 1000;
  std::vector<int> fds;
  {
    Server s(o);
    for (int i = 0; i < 8; ++i) {
      fds.push_back(Connect(s.port()));
      Ask(fds.back(), "/idle");
    }
  }  // ~Server: Stop and join
  for (int fd : fds) {
    EXPECT_EQ(ReadOne(fd, 5000), "");  // closed by the server
    close(fd);
  }
}

}  // namespace
}  // namespace aimsgate::webhook
