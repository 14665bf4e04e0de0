// WorkerPool (webhook/worker_pool.h): every job runs, threads start only when no
// idle one is left and never beyond the maximum, the most recently idle thread is
// reused, and shutdown drains what is queued.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "webhook/worker_pool.h"

namespace aimsgate::webhook {
namespace {

TEST(WorkerPool, SequentialJobsReuseOneHotThread) {
  WorkerPool pool(64, 1024);
  std::mutex mu;
  std::set<std::thread::id> ids;
  for (int i = 0; i < 200; ++i) {
    std::atomic<bool> done{false};
    EXPECT_TRUE(pool.Submit([&] {
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
      done = true;
    }));
    while (!done) std::this_thread::yield();
    // Let the worker go back to the idle list before the next job.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  EXPECT_EQ(pool.threads_started(), 1u);
  EXPECT_EQ(ids.size(), 1u);
}

TEST(WorkerPool, BoundedThreadsQueueTheRestAndShutdownDrains) {
  std::atomic<int> ran{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  {
    WorkerPool pool(4, 100);
    for (int i = 0; i < 4; ++i) {  // four blocked workers: the limit
      EXPECT_TRUE(pool.Submit([&] {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return release; });
        ++ran;
      }));
    }
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(pool.Submit([&] { ++ran; }));
    // The queue holds max_queued (100) jobs: the next is refused, not queued.
    EXPECT_FALSE(pool.Submit([&] { ran += 1000; }));
    EXPECT_EQ(pool.threads_started(), 4u);
    EXPECT_EQ(ran.load(), 0);
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
    pool.shutdown();
  }
  EXPECT_EQ(ran.load(), 104);
}

TEST(WorkerPool, ConcurrentLoadRunsEveryJob) {
  std::atomic<int> ran{0};
  WorkerPool pool(8, 10000);
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < 2500; ++i) EXPECT_TRUE(pool.Submit([&] { ++ran; }));
    });
  }
  for (auto& t : producers) t.join();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 10000);
  EXPECT_LE(pool.threads_started(), 8u);
}

TEST(WorkerPool, SubmitAfterShutdownIsRefused) {
  WorkerPool pool(2, 10);
  pool.shutdown();
  WorkerPool::Refusal why = WorkerPool::Refusal::kQueueFull;
  EXPECT_FALSE(pool.Submit([] {}, &why));
  EXPECT_EQ(why, WorkerPool::Refusal::kShuttingDown);
}

// The system gives threads until it does not (memory for a stack, the pod's pids
// limit): a job that finds no idle worker and gets no new thread waits for a running
// worker, or is refused when none runs; Submit never throws into the event loop.
// A refused job stays the caller's: the event loop runs a small request itself when no
// worker thread can be had.
TEST(WorkerPool, ARefusedJobIsLeftToTheCaller) {
  auto no_thread = [](std::function<void()>) -> std::thread {
    throw std::system_error(EAGAIN, std::generic_category(), "pthread_create");
  };
  WorkerPool pool(4, 10, no_thread);
  bool ran = false;
  std::function<void()> job = [&] { ran = true; };
  WorkerPool::Refusal why = WorkerPool::Refusal::kQueueFull;
  EXPECT_FALSE(pool.Submit(std::move(job), &why));
  EXPECT_EQ(why, WorkerPool::Refusal::kNoThread);
  ASSERT_TRUE(job);
  job();
  EXPECT_TRUE(ran);
  pool.shutdown();
  std::function<void()> late = [] {};
  EXPECT_FALSE(pool.Submit(std::move(late), &why));
  EXPECT_EQ(why, WorkerPool::Refusal::kShuttingDown);
  EXPECT_TRUE(late);
}

TEST(WorkerPool, AThreadTheSystemRefusesIsAWorkerFewerNotAnException) {
  std::atomic<int> allowed{0};
  auto start = [&](std::function<void()> body) {
    if (allowed.fetch_sub(1) <= 0) throw std::system_error(EAGAIN, std::generic_category(), "pthread_create");
    return std::thread(std::move(body));
  };
  {
    WorkerPool pool(4, 10, start);
    bool ran = false;
    WorkerPool::Refusal why = WorkerPool::Refusal::kQueueFull;
    EXPECT_FALSE(pool.Submit([&] { ran = true; }, &why));  // no thread at all: refused (503)
    EXPECT_EQ(why, WorkerPool::Refusal::kNoThread);
    EXPECT_EQ(pool.threads_started(), 0u);
    pool.shutdown();
    EXPECT_FALSE(ran);
  }
  allowed = 1;
  std::atomic<int> ran{0};
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  {
    WorkerPool pool(4, 10, start);
    EXPECT_TRUE(pool.Submit([&] {  // the one thread given, kept busy
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
      ++ran;
    }));
    // No second thread: the jobs wait for the first worker, up to max_queued.
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(pool.Submit([&] { ++ran; }));
    WorkerPool::Refusal why = WorkerPool::Refusal::kNoThread;
    EXPECT_FALSE(pool.Submit([&] { ran += 1000; }, &why));
    EXPECT_EQ(why, WorkerPool::Refusal::kQueueFull);  // a worker runs: the queue is what is full
    EXPECT_EQ(pool.threads_started(), 1u);
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
    pool.shutdown();
  }
  EXPECT_EQ(ran.load(), 11);
}

}  // namespace
}  // namespace aimsgate::webhook
