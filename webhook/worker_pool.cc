#include "webhook/worker_pool.h"

#include <system_error>
#include <utility>

namespace aimsgate::webhook {

WorkerPool::WorkerPool(size_t max_threads, size_t max_queued, StartThread start_thread)
    : max_threads_(max_threads == 0 ? 1 : max_threads), max_queued_(max_queued),
      start_thread_(start_thread ? std::move(start_thread) : [](std::function<void()> body) {
        return std::thread(std::move(body));
      }) {
  // Room for every thread up front: a started thread is never destroyed joinable by a
  // push_back that could not grow the vector.
  threads_.reserve(max_threads_);
  workers_.reserve(max_threads_);
}

WorkerPool::~WorkerPool() { shutdown(); }

size_t WorkerPool::threads_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

bool WorkerPool::Submit(std::function<void()>&& fn, Refusal* why) {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutdown_) {
    if (why) *why = Refusal::kShuttingDown;
    return false;
  }
  if (!idle_.empty()) {
    Worker* w = idle_.back();
    idle_.pop_back();
    w->job = std::move(fn);
    // Woken after the unlock: a worker woken under the lock would run straight into it and
    // sleep again on the mutex (two more futex calls and a context switch per request).
    // `w` stays valid: workers are only destroyed with the pool.
    lock.unlock();
    w->cv.notify_one();
  } else if (threads_.size() < max_threads_ && StartWorker(&fn)) {
    ++started_;
  } else if (pending_.size() < max_queued_ && !threads_.empty()) {
    pending_.push_back(std::move(fn));
  } else {
    if (why) *why = threads_.empty() ? Refusal::kNoThread : Refusal::kQueueFull;
    return false;
  }
  return true;
}

// A new worker running `*fn`; false, with *fn still the caller's, when the system
// does not give a thread (its stack's memory, a pids limit in the pod): the job
// then waits for a running worker, or is refused (503) when none runs.  An
// exception here would leave the event loop that called Submit and end `serve`.
bool WorkerPool::StartWorker(std::function<void()>* fn) {
  workers_.push_back(std::make_unique<Worker>());
  Worker* w = workers_.back().get();
  w->job = std::move(*fn);
  try {
    threads_.push_back(start_thread_([this, w] { Run(w); }));
  } catch (const std::system_error&) {
    *fn = std::move(w->job);
    workers_.pop_back();
    return false;
  }
  return true;
}

void WorkerPool::Run(Worker* w) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!w->job && !pending_.empty()) {
      w->job = std::move(pending_.front());
      pending_.pop_front();
    }
    if (w->job) {
      std::function<void()> job = std::move(w->job);
      w->job = nullptr;
      lock.unlock();
      job();
      lock.lock();
      continue;
    }
    if (shutdown_) return;
    idle_.push_back(w);
    w->cv.wait(lock, [&] { return static_cast<bool>(w->job) || shutdown_; });
    if (!w->job) {  // woken by shutdown while idle: leave the idle list and drain
      for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        if (*it == w) {
          idle_.erase(it);
          break;
        }
      }
    }
  }
}

void WorkerPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (joined_) return;
    joined_ = true;
    shutdown_ = true;
    for (Worker* w : idle_) w->cv.notify_one();
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

}  // namespace aimsgate::webhook
