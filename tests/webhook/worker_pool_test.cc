// WorkerPool (webhook/worker_pool.h): every job runs, threads start only when no
// idle one is left and never beyond the maximum, the most recently idle thread is
// reused, and shutdown drains what is queued.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
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
  EXPECT_FALSE(pool.Submit([] {}));
}

}  // namespace
}  // namespace aimsgate::webhook
