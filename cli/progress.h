// A progress bar on stderr for long scans:
//
//   Progress progress(total_files, ShouldShowProgress(mode, total_files));
//   ... workers: progress.Add(1, bytes);  (any thread)
//   progress.Finish();                    // erases the bar (also done by the destructor)
//
// On a terminal the bar redraws in place (`\r`) at most every 100 ms; when
// forced (--progress) onto something that is not a terminal (a CI log), it
// prints one plain line per 10% instead, so logs stay short.
//
// Thread-safety: Add may be called from any thread (two atomics); drawing
// happens on one background thread.  Cost: nothing when disabled.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace aimsgate::cli {

enum class ProgressMode { kAuto, kAlways, kNever };

// kAuto: stderr is a terminal and the scan has more than kAutoThreshold files.
inline constexpr size_t kProgressAutoThreshold = 300;
bool ShouldShowProgress(ProgressMode mode, size_t files);

class Progress {
 public:
  Progress(size_t total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(size_t files, uint64_t bytes) {
    done_.fetch_add(files, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void Finish();

 private:
  void Run();
  void Draw(bool final_line);

  const size_t total_;
  const bool enabled_;
  const bool terminal_;
  std::atomic<size_t> done_{0};
  std::atomic<uint64_t> bytes_{0};
  int last_decile_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace aimsgate::cli
