#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace aimsgate::cli {

bool ShouldShowProgress(ProgressMode mode, size_t files) {
  switch (mode) {
    case ProgressMode::kAlways: return true;
    case ProgressMode::kNever: return false;
    case ProgressMode::kAuto: return files > kProgressAutoThreshold && isatty(STDERR_FILENO);
  }
  return false;
}

Progress::Progress(size_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 0), terminal_(isatty(STDERR_FILENO)) {
  if (enabled_) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() { Finish(); }

void Progress::Finish() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  Draw(false);  // at once, so even a short scan shows that it started
  while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) Draw(false);
  Draw(true);
}

void Progress::Draw(bool final_line) {
  size_t done = done_.load(std::memory_order_relaxed);
  double mib = static_cast<double>(bytes_.load(std::memory_order_relaxed)) / (1 << 20);
  int percent = static_cast<int>(total_ ? done * 100 / total_ : 100);
  if (!terminal_) {
    int decile = percent / 10;
    if (decile == last_decile_ && !final_line) return;
    if (final_line && decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "aimsgate: scanned %zu/%zu files (%d%%, %.1f MiB)\n", done, total_, percent, mib);
    return;
  }
  if (final_line) {
    std::fprintf(stderr, "\r\033[K");  // leave the terminal as it was
    std::fflush(stderr);
    return;
  }
  constexpr int kWidth = 30;
  int filled = percent * kWidth / 100;
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stderr, "\r\033[Kscanning [%s] %zu/%zu files %3d%% %.1f MiB", bar.c_str(), done, total_, percent,
               mib);
  std::fflush(stderr);
}

}  // namespace aimsgate::cli
