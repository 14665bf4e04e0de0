#include "evaluator/kernel/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace aimsgate::kernel {

Spool::~Spool() {
  if (fd_ >= 0) close(fd_);
}

bool Spool::Create() {
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir && *dir ? dir : "/tmp";
  std::string path = base + "/aimsgate-spool-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    error_ = "cannot create a temporary file in " + base + " (TMPDIR): " + std::strerror(errno);
    return false;
  }
  unlink(name.data());
  Adopt(fd, base);
  return true;
}

void Spool::Adopt(int fd, std::string name) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  name_ = std::move(name);
}

void Spool::Fail(const std::string& what) {
  if (error_.empty()) error_ = what + " the report's temporary file in " + name_ + ": " + std::strerror(errno);
}

void Spool::Drain() {
  if (fd_ < 0 && ok() && !Create()) used_ = 0;
  size_t done = 0;
  while (ok() && fd_ >= 0 && done < used_) {
    ssize_t n = write(fd_, buffer_ + done, used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      Fail("cannot write");
      break;
    }
    done += static_cast<size_t>(n);
  }
  written_ += used_;
  used_ = 0;
}

void Spool::WriteSlow(std::string_view s) {
  while (!s.empty()) {
    if (used_ == sizeof(buffer_)) Drain();
    size_t n = std::min(s.size(), sizeof(buffer_) - used_);
    std::memcpy(buffer_ + used_, s.data(), n);
    used_ += n;
    s.remove_prefix(n);
  }
}

bool Spool::Read(uint64_t offset, size_t length, std::string* out) {
  if (!ok()) return false;
  if (offset >= written_ && offset + length <= written_ + used_) {
    out->assign(buffer_ + (offset - written_), length);
    return true;
  }
  if (used_ > 0) Drain();
  if (!ok()) return false;
  out->resize(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = pread(fd_, out->data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      Fail("cannot read back");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool Spool::CopyTo(std::ostream& out) {
  if (!ok()) return false;
  if (written_ == 0) {
    out.write(buffer_, static_cast<std::streamsize>(used_));
    return true;
  }
  if (used_ > 0) Drain();
  if (!ok()) return false;
  char block[64 * 1024];
  uint64_t offset = 0;
  while (offset < written_) {
    ssize_t n = pread(fd_, block, sizeof(block), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      Fail("cannot read back");
      return false;
    }
    out.write(block, n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

}  // namespace aimsgate::kernel
