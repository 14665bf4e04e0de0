#include "evaluator/evidence/log/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>
#include <utility>

#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/line_reader.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::evidence {
namespace {

constexpr size_t kTailChunk = 64 * 1024;
constexpr uint64_t kMaxLineBytes = 64ull * 1024 * 1024;

std::string Errno(int err) { return std::strerror(err); }

bool PreadAll(int fd, char* buf, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return true;
}

// Offset just after the last '\n' strictly before `end` (0 if none), reading backwards in
// chunks. Returns false on I/O error or when the line would exceed kMaxLineBytes.
bool LineStartBefore(int fd, uint64_t end, uint64_t* start) {
  uint64_t pos = end;
  std::string buf;
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kTailChunk, pos));
    buf.resize(n);
    if (!PreadAll(fd, buf.data(), n, pos - n)) return false;
    size_t nl = buf.rfind('\n');
    if (nl != std::string::npos) {
      *start = pos - n + nl + 1;
      return true;
    }
    pos -= n;
    if (end - pos > kMaxLineBytes) return false;
  }
  *start = 0;
  return true;
}

std::string UtcStamp() {
  time_t now = ::time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

bool ParseFsyncPolicy(std::string_view text, FsyncPolicy* out) {
  if (text == "always") *out = FsyncPolicy::kAlways;
  else if (text == "checkpoint") *out = FsyncPolicy::kCheckpoint;
  else if (text == "never") *out = FsyncPolicy::kNever;
  else return false;
  return true;
}

namespace {

std::string Str(std::string_view s) {
  std::string out;
  kernel::AppendCanonicalString(s, &out);
  return out;
}

}  // namespace

std::string BuildCheckpointLine(uint64_t last_seq, const std::string& last_hash,
                                std::chrono::system_clock::time_point now, const SigningKey* key,
                                const std::string& session, bool closing) {
  RecordMembers m;
  auto str = Str;
  m["type"] = str("checkpoint");
  m["seq"] = std::to_string(last_seq + 1);
  m["time"] = str(FormatTime(now));
  m["count"] = std::to_string(last_seq);
  m["lastHash"] = str(last_hash);
  m["prev"] = str(last_hash);
  if (!session.empty()) m["session"] = str(session);
  if (closing) m["closing"] = "true";
  if (key != nullptr && key->loaded()) {
    m["keyId"] = str(key->key_id());
    std::string sig = key->SignBase64(JoinMembers(m));
    if (sig.empty()) return "";
    m["signature"] = str(sig);
  }
  m["hash"] = str(kernel::Sha256Hex(JoinMembers(m)));
  return JoinMembers(m);
}

std::string BuildStartLine(uint64_t last_seq, const std::string& last_hash,
                           std::chrono::system_clock::time_point now, const std::string& session,
                           const std::string& key_id, const std::string& rotated_from) {
  RecordMembers m;
  m["type"] = Str("start");
  m["seq"] = std::to_string(last_seq + 1);
  m["time"] = Str(FormatTime(now));
  m["prev"] = Str(last_hash);
  m["session"] = Str(session);
  if (!key_id.empty()) m["keyId"] = Str(key_id);
  if (!rotated_from.empty()) m["rotatedFrom"] = Str(rotated_from);
  m["hash"] = Str(kernel::Sha256Hex(JoinMembers(m)));
  return JoinMembers(m);
}

EvidenceWriter::EvidenceWriter() = default;
EvidenceWriter::~EvidenceWriter() { Close(); }

uint64_t EvidenceWriter::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

std::string EvidenceWriter::last_hash() const {
  std::lock_guard<std::mutex> lock(mu_);
  return prev_;
}

Status EvidenceWriter::Open(const WriterOptions& options) {
  if (fd_ >= 0) return Status::Error("evidence writer already open");
  options_ = options;
  open_warnings_.clear();
  seq_ = 0;
  prev_ = GenesisHash();
  since_checkpoint_ = 0;
  file_size_ = 0;
  stop_ = false;
  session_.clear();
  rotated_from_.clear();
  if (options.path.empty()) return Status::Error("evidence: no log path given");
  Status s = Redactor::Create(options.redact_paths, &redactor_);
  if (!s.ok()) return Status::Error("evidence: " + s.message());
  key_ = options.key;
  if (!key_ && !options.key_path.empty()) {
    auto k = std::make_shared<SigningKey>();
    s = SigningKey::LoadPem(options.key_path, k.get());
    if (!s.ok()) return s;
    key_ = k;
  }
  if (options.path == "-") {
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
    regular_file_ = false;
  } else {
    s = OpenFile();
    if (!s.ok() && tail_unverifiable_ && options.rotate_unverifiable_log) s = RotateAndReopen(s);
    if (!s.ok()) return s;
  }
  session_ = RandomHex(16);
  if (session_.empty()) {
    Close();
    return Status::Error("evidence: cannot draw a random session id");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = BuildStartLine(seq_, prev_, std::chrono::system_clock::now(), session_,
                                      key_ ? key_->key_id() : "", rotated_from_);
    Entry e;
    ParseEntry(line, &e);
    line.push_back('\n');
    s = WriteLineLocked(line, /*is_checkpoint=*/false);
    if (!s.ok()) {
      if (owns_fd_) ::close(fd_);
      fd_ = -1;
      return s;
    }
    ++seq_;
    prev_ = e.hash;
  }
  last_checkpoint_ = std::chrono::steady_clock::now();
  if (options.checkpoint_every_seconds > 0) timer_ = std::thread([this] { TimerLoop(); });
  return Status::Ok();
}

Status EvidenceWriter::OpenFile() {
  const std::string& path = options_.path;
  tail_unverifiable_ = false;
  // O_NOFOLLOW: a symlink planted at the log path must not make the tail recovery
  // truncate whatever file it points to.
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                  static_cast<mode_t>(options_.file_mode));
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP) {
      return Status::Error(path + ": error: the evidence log is a symbolic link; refusing to follow "
                           "it (name the file itself)", err);
    }
    return Status::Error(path + ": error: cannot open evidence log: " + Errno(err), err);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path + ": error: evidence log is not a regular file", EINVAL);
  }
  fd_ = fd;
  owns_fd_ = true;
  regular_file_ = true;
  file_size_ = static_cast<uint64_t>(st.st_size);
  seq_ = 0;
  prev_ = GenesisHash();
  since_checkpoint_ = 0;
  Status s = RecoverTail();
  if (!s.ok()) {
    ::close(fd_);
    fd_ = -1;
  }
  return s;
}

Status EvidenceWriter::RotateAndReopen(const Status& why) {
  const std::string& path = options_.path;
  // link + unlink rather than rename: never replaces an existing file of that name.
  std::string kept;
  for (int n = 0; n < 100 && kept.empty(); ++n) {
    std::string candidate = path + ".rejected-" + UtcStamp() + (n == 0 ? "" : "-" + std::to_string(n));
    if (::link(path.c_str(), candidate.c_str()) == 0) kept = candidate;
    else if (errno != EEXIST) break;
  }
  if (kept.empty() || ::unlink(path.c_str()) != 0) {
    int err = errno;
    return Status::Error(why.message() + "; and it cannot be moved aside: " + Errno(err), err);
  }
  open_warnings_.push_back(why.message() + " -- moved to " + kept +
                           " (keep it for the auditor); a new chain starts in " + path);
  rotated_from_ = kept;
  return OpenFile();
}

Status EvidenceWriter::RecoverTail() {
  const std::string& path = options_.path;
  if (file_size_ == 0) return Status::Ok();
  char last = 0;
  if (!PreadAll(fd_, &last, 1, file_size_ - 1)) {
    return Status::Error(path + ": error: cannot read the evidence log: " + Errno(errno), errno);
  }
  // Up to two tail pieces may be set aside: an unterminated fragment, then one complete
  // line that is not JSON at all (e.g. zero-filled blocks after a crash). A line that is
  // JSON but fails its checks is tampering, not a crash: the writer refuses to extend it.
  bool set_aside_complete = false;
  for (int attempt = 0; file_size_ > 0; ++attempt) {
    bool terminated = attempt > 0 || last == '\n';
    uint64_t scan_end = terminated ? file_size_ - 1 : file_size_;
    uint64_t start = 0;
    if (!LineStartBefore(fd_, scan_end, &start)) {
      return Status::Error(path + ": error: cannot find the last line of the evidence log "
                           "(I/O error or a line over 64 MiB)", EIO);
    }
    std::string line(static_cast<size_t>(scan_end - start), '\0');
    if (!PreadAll(fd_, line.data(), line.size(), start)) {
      return Status::Error(path + ": error: cannot read the evidence log: " + Errno(errno), errno);
    }
    Entry e;
    if (terminated) {
      if (ParseEntry(line, &e)) {
        seq_ = e.seq;
        prev_ = e.hash;
        since_checkpoint_ = e.type == "checkpoint" ? 0 : 1;
        return Status::Ok();
      }
      if (!e.doc.HasParseError() || set_aside_complete) {
        tail_unverifiable_ = true;
        return Status::Error(path + ":" + " error: the last line does not verify (" + e.error +
                             "); run `aimsgate evidence verify` before writing to this log",
                             EINVAL);
      }
      set_aside_complete = true;
    }
    // Move the torn piece aside and truncate the log to the line before it.
    std::string torn_path = path + ".torn-" + UtcStamp();
    int tfd = -1;
    for (int n = 0; n < 100 && tfd < 0; ++n) {
      std::string candidate = n == 0 ? torn_path : torn_path + "-" + std::to_string(n);
      tfd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
      if (tfd >= 0) torn_path = candidate;
      else if (errno != EEXIST) break;
    }
    if (tfd < 0) {
      int err = errno;
      return Status::Error(path + ": error: cannot set the torn last line aside: " + Errno(err), err);
    }
    std::string piece = line + (terminated ? "\n" : "");
    bool ok = ::write(tfd, piece.data(), piece.size()) == static_cast<ssize_t>(piece.size()) &&
              ::fsync(tfd) == 0;
    int err = errno;
    ::close(tfd);
    if (!ok) return Status::Error(torn_path + ": error: cannot write: " + Errno(err), err);
    if (::ftruncate(fd_, static_cast<off_t>(start)) != 0 || ::fsync(fd_) != 0) {
      err = errno;
      return Status::Error(path + ": error: cannot truncate the torn last line: " + Errno(err), err);
    }
    open_warnings_.push_back(path + ": warning: " +
                             (terminated ? std::string("unparsable last line (") + e.error + ")"
                                         : std::string("torn last line (no trailing newline)")) +
                             " of " + std::to_string(piece.size()) + " bytes moved to " +
                             torn_path + "; it is not part of the chain");
    file_size_ = start;
  }
  return Status::Ok();
}

Status EvidenceWriter::WriteLineLocked(const std::string& line, bool is_checkpoint) {
  if (fd_ < 0) return Status::Error("evidence log is not open", EBADF);
  const char* p = line.data();
  size_t left = line.size();
  int err = 0;
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
    // A regular file gets exactly one write(2); a short write there is a failure
    // (RLIMIT_FSIZE, disk full). Pipes (stdout) may need several.
    if (left > 0 && regular_file_) {
      err = ENOSPC;
      break;
    }
  }
  if (left > 0) {
    ++write_errors_;
    std::string what = is_checkpoint ? "checkpoint" : "record";
    if (regular_file_ && left < line.size()) {
      // Roll back the partial line so that the file still ends at a complete line.
      if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0) {
        return Status::Error(options_.path + ": error: short write of an evidence " + what +
                             " and the partial line could not be removed: " + Errno(errno), err);
      }
    }
    return Status::Error(options_.path + ": error: cannot write evidence " + what + ": " +
                         (err == 0 ? std::string("short write") : Errno(err)), err);
  }
  if (regular_file_ && (options_.fsync == FsyncPolicy::kAlways ||
                        (is_checkpoint && options_.fsync == FsyncPolicy::kCheckpoint))) {
    if ((options_.fsync == FsyncPolicy::kAlways ? ::fdatasync(fd_) : ::fsync(fd_)) != 0) {
      err = errno;
      ++write_errors_;
      // Not durable means not recorded: take the line back so that seq/prev, which do not
      // advance, still describe the end of the file.
      if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0) file_size_ += line.size();
      return Status::Error(options_.path + ": error: cannot fsync the evidence log: " + Errno(err),
                           err);
    }
  }
  file_size_ += line.size();
  return Status::Ok();
}

Status EvidenceWriter::Append(const RecordInput& input) {
  if (input.evaluation == nullptr) return Status::Error("evidence: RecordInput.evaluation is null");
  if (options_.skip_unmatched && Unmatched(*input.evaluation)) return Status::Ok();
  RecordMembers members =
      BuildRecordMembers(input, redactor_.empty() && input.object == nullptr ? nullptr : &redactor_,
                         std::chrono::system_clock::now());
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) {
    ++write_errors_;
    return Status::Error("evidence log is not open", EBADF);
  }
  members["seq"] = std::to_string(seq_ + 1);
  std::string prev_json;
  kernel::AppendCanonicalString(prev_, &prev_json);
  members["prev"] = prev_json;
  std::string hash = kernel::Sha256Hex(JoinMembers(members));
  std::string hash_json;
  kernel::AppendCanonicalString(hash, &hash_json);
  members["hash"] = hash_json;
  std::string line = JoinMembers(members);
  line.push_back('\n');
  if (line.size() > LineReader::kMaxLine) {  // the verifier would reject it
    ++write_errors_;
    return Status::Error(options_.path + ": error: an evidence record of " +
                         std::to_string(line.size()) + " bytes exceeds the line limit of " +
                         std::to_string(LineReader::kMaxLine) + " bytes", EFBIG);
  }
  Status s = WriteLineLocked(line, /*is_checkpoint=*/false);
  if (!s.ok()) return s;
  // Written: from here nothing may throw before the chain state matches the file.
  ++seq_;
  prev_ = std::move(hash);
  ++since_checkpoint_;
  ++records_written_;
  bool by_count = options_.checkpoint_every_records > 0 &&
                  since_checkpoint_ >= options_.checkpoint_every_records;
  bool by_time = options_.checkpoint_every_seconds > 0 &&
                 std::chrono::steady_clock::now() - last_checkpoint_ >=
                     std::chrono::seconds(options_.checkpoint_every_seconds);
  // The record is written: the call succeeds whatever happens to the checkpoint, so that
  // the caller's verdict matches the record. A failed checkpoint is counted in
  // write_errors() and retried by the next record, the timer and Close().
  if (by_count || by_time) TryCheckpointLocked();
  return Status::Ok();
}

Status EvidenceWriter::CheckpointLocked(bool closing) {
  if (since_checkpoint_ == 0 && !closing) return Status::Ok();
  std::string line = BuildCheckpointLine(seq_, prev_, std::chrono::system_clock::now(), key_.get(),
                                         session_, closing);
  if (line.empty()) {
    ++write_errors_;
    return Status::Error("evidence: cannot sign the checkpoint");
  }
  // The new checkpoint's hash is the last member of its canonical line.
  Entry e;
  ParseEntry(line, &e);
  line.push_back('\n');
  Status s = WriteLineLocked(line, /*is_checkpoint=*/true);
  if (!s.ok()) return s;
  ++seq_;
  prev_ = std::move(e.hash);
  since_checkpoint_ = 0;
  ++checkpoints_written_;
  last_checkpoint_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

// A checkpoint nobody waits for (after a record, from the timer): a failure, or memory
// that ran out while it was built, is counted in write_errors() and tried again later.
bool EvidenceWriter::TryCheckpointLocked() {
  try {
    return CheckpointLocked(/*closing=*/false).ok();
  } catch (const std::bad_alloc&) {
    ++write_errors_;
    return false;
  }
}

Status EvidenceWriter::Checkpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return Status::Error("evidence log is not open", EBADF);
  return CheckpointLocked(/*closing=*/false);
}

void EvidenceWriter::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto period = std::chrono::seconds(options_.checkpoint_every_seconds);
  while (!stop_) {
    auto due = last_checkpoint_ + period;
    cv_.wait_until(lock, due, [this] { return stop_; });
    if (stop_) break;
    if (since_checkpoint_ > 0 && std::chrono::steady_clock::now() - last_checkpoint_ >= period) {
      // One that failed is tried again a period later: at once, the loop would spin
      // while the disk stays full, holding the lock every Append needs.
      if (!TryCheckpointLocked()) last_checkpoint_ = std::chrono::steady_clock::now();
    } else if (since_checkpoint_ == 0 &&
               std::chrono::steady_clock::now() - last_checkpoint_ >= period) {
      last_checkpoint_ = std::chrono::steady_clock::now();
    }
  }
}

// An error of the log's path that Close (and so the destructor) may build under memory
// pressure: without memory for its text, an error with its errno and no text.
Status EvidenceWriter::ErrorNoThrow(std::string_view what, int error_number, bool with_errno_text) const noexcept {
  try {
    std::string text = options_.path + std::string(what);
    if (with_errno_text) text += ": " + Errno(error_number);
    return Status::Error(std::move(text), error_number);
  } catch (const std::bad_alloc&) {
    return Status::Error(std::string(), error_number);  // an empty message allocates nothing
  }
}

Status EvidenceWriter::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return Status::Ok();
  // Every session ends with its own signed closing checkpoint, even right after a periodic
  // one: `verify --require-closed` tells a closed log from one cut at an earlier checkpoint.
  // Close runs from the destructor too: memory that runs out while the closing line is built
  // is this call's error, and the file is still synced and closed below.
  Status s;
  try {
    s = session_.empty() ? Status::Ok() : CheckpointLocked(/*closing=*/true);
  } catch (const std::bad_alloc&) {
    ++write_errors_;
    s = ErrorNoThrow(": error: out of memory while writing the closing checkpoint", ENOMEM);
  }
  if (regular_file_ && options_.fsync != FsyncPolicy::kNever && ::fsync(fd_) != 0 && s.ok()) {
    const int e = errno;
    ++write_errors_;
    s = ErrorNoThrow(": error: cannot fsync the evidence log", e, /*with_errno_text=*/true);
  }
  if (owns_fd_) ::close(fd_);
  fd_ = -1;
  return s;
}

}  // namespace aimsgate::evidence
