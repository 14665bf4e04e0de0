// The task queue behind `serve`'s connections: cpp-httplib hands every accepted
// connection to TaskQueue::enqueue and a worker keeps it for the connection's life.
//
//   svr->new_task_queue = [] { return new WorkerPool(1024); };
//
// Unlike httplib::ThreadPool (all threads started up front, woken in FIFO order, so
// under steady load every thread's stack is touched in turn and RSS creeps up to
// threads x stack), WorkerPool starts threads only when no idle one is left, up to
// `max_threads`, and hands work to the most recently idle thread (LIFO): a steady
// load keeps reusing the same few hot threads.  Beyond max_threads busy workers,
// jobs wait in FIFO order.  shutdown() runs what is queued, then joins.
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

#include <httplib.h>

namespace aimsgate::webhook {

class WorkerPool : public httplib::TaskQueue {
 public:
  explicit WorkerPool(size_t max_threads);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  size_t threads_started() const;

 private:
  struct Worker {
    std::condition_variable cv;
    std::function<void()> job;
  };
  void Run(Worker* w);

  const size_t max_threads_;
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
