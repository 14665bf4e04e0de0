// The workers behind `serve`: the connection layer (http_transport.h) hands each complete
// request to Submit; a worker evaluates it and hands the response back.  Workers never
// touch a socket, so a slow client cannot hold one.
//
//   WorkerPool pool(/*max_threads=*/32, /*max_queued=*/1024);
//   if (!pool.Submit([=] { ... })) answer 503;   // queue full: refused, never unbounded
//
// Unlike httplib::ThreadPool (all threads started up front, woken in FIFO order, so
// under steady load every thread's stack is touched in turn and RSS creeps up to
// threads x stack), WorkerPool starts threads only when no idle one is left, up to
// `max_threads`, and hands work to the most recently idle thread (LIFO): a steady
// load keeps reusing the same few hot threads.  Beyond max_threads busy workers,
// jobs wait in FIFO order, at most `max_queued` of them: Submit refuses the next one
// (returns false) instead of letting the queue, and the requests it holds, grow without
// bound.  shutdown() runs what is queued, then joins.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace aimsgate::webhook {

class WorkerPool {
 public:
  // How a worker thread is started; throws std::system_error when the system has
  // none to give (a test passes one that does).
  using StartThread = std::function<std::thread(std::function<void()>)>;
  WorkerPool(size_t max_threads, size_t max_queued, StartThread start_thread = nullptr);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Why Submit refused a job.
  enum class Refusal {
    kQueueFull,     // max_queued jobs already wait
    kNoThread,      // no worker runs and the system gave none (memory, a pids limit)
    kShuttingDown,
  };
  // False when refused: *why (if given) says why, and `fn` is left as it was, so the
  // caller may still run it itself.  Taken (moved from) only when accepted.
  bool Submit(std::function<void()>&& fn, Refusal* why = nullptr);
  void shutdown();

  size_t threads_started() const;

 private:
  struct Worker {
    std::condition_variable cv;
    std::function<void()> job;
  };
  void Run(Worker* w);
  bool StartWorker(std::function<void()>* fn);  // under mu_

  const size_t max_threads_;
  const size_t max_queued_;
  const StartThread start_thread_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::vector<Worker*> idle_;  // back = most recently idle
  std::deque<std::function<void()>> pending_;
  size_t started_ = 0;  // threads ever started (threads_ is emptied by shutdown)
  bool shutdown_ = false;
  bool joined_ = false;
};

}  // namespace aimsgate::webhook
