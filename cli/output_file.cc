#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <streambuf>
#include <vector>

namespace aimsgate::cli {

// Buffered writes to a file descriptor that it owns; error() is the errno of the
// first write that failed (0: none).
class OutputFile::FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd), buffer_(64 << 10) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  ~FdBuf() override { Close(); }

  int error() const { return error_; }

  // Writes what is buffered and closes the descriptor; false when a write or the close failed.
  bool Close() {
    if (fd_ < 0) return error_ == 0;
    Drain();
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }
  int sync() override { return Drain() ? 0 : -1; }

 private:
  bool Drain() {
    const char* p = pbase();
    size_t left = static_cast<size_t>(pptr() - pbase());
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    while (left > 0 && error_ == 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) error_ = n < 0 ? errno : EIO;
      else p += n, left -= static_cast<size_t>(n);
    }
    return error_ == 0;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

namespace {

// The path Commit renames a temporary file to, or empty when PATH is written in
// place: only a regular file, or nothing yet, can be replaced without surprising
// whoever gave the path (a FIFO's reader, `-o /dev/stdout` into a file opened by
// the shell, a symlink the user keeps).
bool Replaceable(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  return S_ISREG(st.st_mode);
}

// ".NAME.XXXXXX" beside PATH, created exclusively with mode 0666 (less the umask,
// as for any new file) or the mode of the file at PATH.  -1 with errno set on failure.
int CreateTemporaryBeside(const std::string& path, std::string* temporary) {
  std::filesystem::path target(path);
  const std::string prefix = (target.parent_path() / ("." + target.filename().string() + ".")).string();
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = prefix;
    for (int i = 0; i < 6; ++i) candidate += kAlphabet[random() % (sizeof kAlphabet - 1)];
    int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return -1;
    struct stat existing;
    if (::stat(path.c_str(), &existing) == 0) ::fchmod(fd, existing.st_mode & 07777);
    *temporary = candidate;
    return fd;
  }
  errno = EEXIST;
  return -1;
}

}  // namespace

OutputFile::OutputFile() : stream_(nullptr) {}

OutputFile::~OutputFile() {
  buf_.reset();
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

bool OutputFile::Open(const std::string& path, std::string* error) {
  int fd = Replaceable(path) ? CreateTemporaryBeside(path, &temporary_)
                             : ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  target_ = path;
  buf_ = std::make_unique<FdBuf>(fd);
  stream_.rdbuf(buf_.get());
  return true;
}

bool OutputFile::Close(std::string* error) {
  stream_.flush();
  if (buf_->Close() && stream_) return true;
  *error = std::strerror(buf_->error() != 0 ? buf_->error() : EIO);
  return false;
}

bool OutputFile::Commit(std::string* error) {
  if (!Close(error)) return false;
  if (!temporary_.empty()) {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
      *error = std::strerror(errno);
      return false;
    }
    temporary_.clear();
  }
  return true;
}

namespace {

// std::cout's buffer as the default one (every write handed to C stdio's stdout
// at once), keeping the errno of the first write that failed.
class StdoutBuf : public std::streambuf {
 public:
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return sync() == 0 ? traits_type::not_eof(c) : traits_type::eof();
    if (std::fputc(c, stdout) != EOF) return c;
    Failed();
    return traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    size_t written = std::fwrite(s, 1, static_cast<size_t>(n), stdout);
    if (written < static_cast<size_t>(n)) Failed();
    return static_cast<std::streamsize>(written);
  }
  int sync() override {
    if (std::fflush(stdout) == 0) return 0;
    Failed();
    return -1;
  }

 private:
  void Failed() {
    if (error_ == 0) error_ = errno != 0 ? errno : EIO;
  }
  int error_ = 0;
};

StdoutBuf* watched_stdout = nullptr;

// The errno of a write to standard output that failed, -1 when one failed for
// a reason no longer known (printf), 0 when none did.
int StdoutError() {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int flush_error = errno;
  if (watched_stdout && watched_stdout->error() != 0) return watched_stdout->error();
  if (std::cout && flushed && !std::ferror(stdout)) return 0;
  return flush_error != 0 ? flush_error : -1;
}

}  // namespace

void WatchStdout() {
  if (watched_stdout) return;
  watched_stdout = new StdoutBuf;  // never freed: std::cout is flushed after main returns
  std::cout.rdbuf(watched_stdout);
}

bool ReportStdoutFailure() {
  static bool reported = false;
  const int error = StdoutError();
  if (error == 0) return false;
  if (!reported) {
    std::cerr << "aimsgate: error: cannot write to standard output" << (error > 0 ? ": " : "")
              << (error > 0 ? std::strerror(error) : "") << "\n";
    reported = true;
  }
  return true;
}

namespace {

// What makes two paths the same file: the inode of an existing regular file or
// FIFO, the absolute normalised path of one that does not exist; nothing for "-",
// a directory or a device.
struct FileIdentity {
  bool comparable = false;
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string normalized;

  bool operator==(const FileIdentity& o) const {
    if (!comparable || !o.comparable || exists != o.exists) return false;
    return exists ? device == o.device && inode == o.inode : normalized == o.normalized;
  }
};

FileIdentity IdentityOf(const std::string& path) {
  FileIdentity id;
  if (path.empty() || path == "-") return id;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    id.comparable = S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode);
    id.exists = true;
    id.device = st.st_dev;
    id.inode = st.st_ino;
    return id;
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  std::filesystem::path normal = std::filesystem::weakly_canonical(absolute, ec);
  if (ec) normal = absolute.lexically_normal();
  id.comparable = !absolute.empty();
  id.normalized = normal.string();
  return id;
}

}  // namespace

std::string SameFileConflict(const std::vector<FileUse>& uses) {
  std::vector<FileIdentity> ids;
  for (const FileUse& u : uses) ids.push_back(IdentityOf(u.path));
  for (size_t i = 0; i < uses.size(); ++i) {
    for (size_t j = i + 1; j < uses.size(); ++j) {
      if (!(uses[i].written || uses[j].written) || !(ids[i] == ids[j])) continue;
      return uses[i].what + " and " + uses[j].what + " name the same file; give each its own";
    }
  }
  return "";
}

}  // namespace aimsgate::cli
