#include "evaluator/evidence/log/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace aimsgate::evidence {

namespace {
constexpr size_t kChunk = 1 << 20;
}

LineReader::~LineReader() {
  if (owns_ && fd_ >= 0) ::close(fd_);
}

bool LineReader::Open(const std::string& path) {
  path_ = path;
  if (path == "-") {
    fd_ = STDIN_FILENO;
    owns_ = false;
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      error_ = path + ": error: cannot open: " + std::strerror(errno);
      return false;
    }
    owns_ = true;
  }
  buf_.resize(kChunk);
  return true;
}

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= kMaxLine) {
      error_ = path_ + ":" + std::to_string(line_number_ + 1) + ": error: line longer than 64 MiB";
      return false;
    }
    buf_.resize(std::min(buf_.size() * 2, kMaxLine));
  }
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = path_ + ": error: read failed: " + std::strerror(errno);
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool LineReader::Next(std::string_view* line) {
  if (fd_ < 0 || !error_.empty()) return false;
  size_t scan = begin_;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(buf_.data() + scan, '\n', end_ - scan);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - start;
      *line = std::string_view(start, len);
      begin_ += len + 1;
      ++line_number_;
      terminated_ = true;
      return true;
    }
    size_t consumed = end_ - begin_;
    if (!Fill()) {
      if (!error_.empty()) return false;
      if (end_ > begin_) {
        *line = std::string_view(buf_.data() + begin_, end_ - begin_);
        begin_ = end_;
        ++line_number_;
        terminated_ = false;
        return true;
      }
      return false;
    }
    scan = begin_ + consumed;  // Fill moved the unread bytes to the front
  }
}

}  // namespace aimsgate::evidence
