#include "webhook/log.h"

#include <algorithm>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <new>
#include <thread>

#include "evaluator/kernel/rfc3339.h"
#include "webhook/json_text.h"

namespace aimsgate::webhook {
namespace {

std::string Now() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  if (ms < 0) return kernel::FormatRfc3339(ms / 1000, static_cast<int32_t>(ms % 1000) * 1000000, 3);
  // Every request logs a line: the date and time of day ("2026-11-28T18:00:00.") are
  // formatted once per second and thread, only the milliseconds per line.
  thread_local int64_t cached_second = -1;
  thread_local std::string prefix;
  const int64_t second = ms / 1000;
  if (second != cached_second) {
    prefix = kernel::FormatRfc3339(second, 0, 3);  // "...T18:00:00.000Z"
    prefix.resize(prefix.size() - 4);
    cached_second = second;
  }
  const int milli = static_cast<int>(ms % 1000);
  std::string out;
  out.reserve(prefix.size() + 4);
  out += prefix;
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
  return out;
}

// Lines wait here for one writer thread: an Emit never waits on stderr.  When whoever reads
// stderr (the container runtime's pipe) stops reading, the write blocks only the writer;
// the queue fills up to kMaxQueuedBytes and further lines are dropped and counted, and once
// the writer gets through it writes how many were dropped.  Producers append their line to
// one buffer (a copy under the mutex, no allocation once the buffer has grown); the writer
// swaps it for its own and writes the whole batch with one write(2) where it can.
class Writer {
 public:
  static constexpr size_t kMaxQueuedBytes = 1u << 20;  // about 3,000 admission lines

  static Writer& Get() {
    static Writer* writer = new Writer();  // never destroyed: its thread may be stuck in write()
    return *writer;
  }

  void Push(std::string_view line) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!pending_.empty() && pending_.size() + line.size() > kMaxQueuedBytes) {
      ++dropped_unreported_;
      dropped_total_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const bool wake = pending_.empty() && idle_;
    pending_.append(line);
    lock.unlock();
    if (wake) cv_.notify_one();
  }

  bool Flush(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return flushed_cv_.wait_for(lock, timeout, [this] { return pending_.empty() && idle_; });
  }

  uint64_t dropped() const { return dropped_total_.load(std::memory_order_relaxed); }

 private:
  // The thread starts with every signal blocked: `serve` takes SIGTERM with sigwait on its
  // own thread, and a signal delivered here would take its default action.
  Writer() {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    std::thread([this] { Loop(); }).detach();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  void Loop() {
    std::string batch;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      flushed_cv_.notify_all();
      cv_.wait(lock, [this] { return !pending_.empty(); });
      idle_ = false;
      batch.swap(pending_);
      const uint64_t dropped = dropped_unreported_;
      dropped_unreported_ = 0;
      lock.unlock();
      WriteAll(batch);
      batch.clear();
      if (dropped > 0) {
        // Written after the batch that was queued when they were dropped: in the log, the
        // line sits where the gap is. Without memory for it, the count stays in dropped().
        try {
          LogLine line("warn", std::to_string(dropped) + (dropped == 1 ? " log line" : " log lines") +
                                   " dropped: stderr was not read fast enough");
          line.Int("dropped", static_cast<int64_t>(dropped));
          WriteAll(line.text() + "\n");
        } catch (const std::bad_alloc&) {
        }
      }
      lock.lock();
      idle_ = true;
    }
  }

  static void WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = write(STDERR_FILENO, bytes.data(), bytes.size());
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a non-blocking stderr
      } else {
        return;  // closed or broken: the lines are lost, as they were with fwrite
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;          // lines pending
  std::condition_variable flushed_cv_;  // the writer is idle with nothing pending
  std::string pending_;
  bool idle_ = true;                    // the writer waits (or will) for lines
  uint64_t dropped_unreported_ = 0;
  std::atomic<uint64_t> dropped_total_{0};
};

}  // namespace

bool FlushLogs(std::chrono::milliseconds timeout) { return Writer::Get().Flush(timeout); }

uint64_t LogLinesDropped() { return Writer::Get().dropped(); }

std::string JsonError(std::string_view message) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, message);
  out += '}';
  return out;
}

LogLine::LogLine(std::string_view level, std::string_view msg) {
  line_.reserve(384);  // an admission line is about 300 bytes
  line_ += "{\"time\":";
  AppendJsonString(&line_, Now());
  Str("level", level);
  Str("msg", msg);
}

void LogLine::Key(std::string_view key) {
  line_ += ',';  // never the first field: "time" is
  AppendJsonString(&line_, key);
  line_ += ':';
}

LogLine& LogLine::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(&line_, value);
  return *this;
}

LogLine& LogLine::Num(std::string_view key, double value) {
  Key(key);
  if (!std::isfinite(value)) {
    line_ += "null";
  } else {
    char buf[400];  // "%.3f" of the largest double: 309 digits and ".000"
    int n = std::snprintf(buf, sizeof buf, "%.3f", value);  // milliseconds to the microsecond, not 17 digits
    line_.append(buf, std::min(static_cast<size_t>(n), sizeof buf - 1));
  }
  return *this;
}

LogLine& LogLine::Int(std::string_view key, int64_t value) {
  Key(key);
  AppendJsonInt(&line_, value);
  return *this;
}

LogLine& LogLine::Bool(std::string_view key, bool value) {
  Key(key);
  line_ += value ? "true" : "false";
  return *this;
}

LogLine& LogLine::List(std::string_view key, const std::vector<std::string>& values) {
  BeginList(key);
  for (const std::string& v : values) Item(v);
  return EndList();
}

LogLine& LogLine::BeginList(std::string_view key) {
  Key(key);
  line_ += '[';
  first_item_ = true;
  return *this;
}

LogLine& LogLine::Item(std::string_view value) {
  if (!first_item_) line_ += ',';
  first_item_ = false;
  AppendJsonString(&line_, value);
  return *this;
}

LogLine& LogLine::EndList() {
  line_ += ']';
  first_item_ = false;
  return *this;
}

std::string LogLine::text() const { return line_ + "}"; }

void LogLine::Emit() {
  line_ += "}\n";
  Writer::Get().Push(line_);
  line_.resize(line_.size() - 2);
}

}  // namespace aimsgate::webhook
