// The evidence log writer: appends hash-chained JSON Lines records and signed checkpoints.
//
//   evidence::WriterOptions opts;
//   opts.path = "/var/log/aimsgate/evidence-" + pod_name + ".jsonl";  // "-" = stdout
//   opts.key_path = "/etc/aimsgate/evidence-signing.key";  // empty: checkpoints unsigned
//   opts.fsync = evidence::FsyncPolicy::kCheckpoint;
//   opts.redact_paths = {"metadata.annotations['example.com/token']"};
//   evidence::EvidenceWriter writer;
//   evidence::Status s = writer.Open(opts);         // continues an existing chain
//   for (const std::string& w : writer.open_warnings()) std::cerr << w << "\n";  // torn line
//   s = writer.Append(input);                        // see record.h
//   if (!s.ok()) { /* check: exit 2; serve: deny (--evidence-failure) */ }
//   s = writer.Close();                              // closing checkpoint, fsync
//
// Guarantees:
//   * each record is ONE write(2) of the whole line on an O_APPEND descriptor; a failed or
//     short write is rolled back (ftruncate to the last complete line), counted in
//     write_errors() and returned as an error; seq/prev do not advance, so the chain stays
//     intact and the next Append retries;
//   * Open of an existing file reads only its tail: it continues seq and prev from the
//     last complete record; a torn last line (no trailing newline, or unparsable) is moved
//     to PATH.torn-<UTC timestamp> and the log truncated to its last complete line (named
//     in open_warnings()); a last record whose hash does not verify is an error (run
//     `aimsgate evidence verify`);
//     (or, with rotate_unverifiable_log, the file is moved to PATH.rejected-<UTC timestamp>
//     and a new chain starts, its start record naming the kept file);
//   * the path is opened with O_NOFOLLOW: a symlink is refused before anything is read;
//   * every Open writes a start record with a fresh random session id; a checkpoint is
//     appended every `checkpoint_every_records` records, every `checkpoint_every_seconds`
//     seconds when records arrived since the last one (a background thread), and Close()
//     always writes the session's closing checkpoint ("closing":true, signed with the rest);
//   * Append succeeds once its record is written (and, with FsyncPolicy::kAlways, synced):
//     a checkpoint it triggers that fails is counted in write_errors() and retried later,
//     never reported as an unrecorded decision.
//
// One file is one chain with one writer. Several processes (webhook replicas) must write
// several files: by convention evidence-<pod name>.jsonl, which `evidence report` merges.
//
// Thread-safety: Append, Checkpoint and the accessors may be called from many threads;
// writes are serialised by an internal mutex (record building and redaction run outside it).
// Open and Close must not race with other calls. Cost per Append: one SHA-256 over the
// record, one write(2), plus fdatasync with FsyncPolicy::kAlways.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/redact.h"
#include "evaluator/evidence/log/status.h"

namespace aimsgate::evidence {

enum class FsyncPolicy {
  kAlways,      // fdatasync after every record and checkpoint
  kCheckpoint,  // fsync after every checkpoint (default)
  kNever,       // leave it to the kernel
};
// "always" | "checkpoint" | "never"; false for anything else.
bool ParseFsyncPolicy(std::string_view text, FsyncPolicy* out);

struct WriterOptions {
  std::string path;                        // log file; "-" writes to stdout (no tail read)
  std::string key_path;                    // Ed25519 PEM private key; empty = unsigned checkpoints
  std::shared_ptr<const SigningKey> key;   // alternative to key_path (already loaded)
  FsyncPolicy fsync = FsyncPolicy::kCheckpoint;
  uint64_t checkpoint_every_records = 1000;  // 0 disables the count trigger
  int checkpoint_every_seconds = 60;         // 0 disables the timer
  std::vector<std::string> redact_paths;     // see redact.h
  int file_mode = 0640;                      // for a newly created log
  // A last line that is JSON but fails its checks: false = Open fails (check); true = the
  // file is moved aside and a new one started (serve, which must not crash-loop).
  bool rotate_unverifiable_log = false;
  // Append writes nothing (and returns OK) for a decision no rule applied to (Unmatched in
  // record.h); false = it gets a minimal record.  `check --evidence-skip-unmatched`.
  bool skip_unmatched = false;
};

class EvidenceWriter {
 public:
  EvidenceWriter();
  ~EvidenceWriter();  // Close()
  EvidenceWriter(const EvidenceWriter&) = delete;
  EvidenceWriter& operator=(const EvidenceWriter&) = delete;

  Status Open(const WriterOptions& options);
  // Appends one decision record (none for an unmatched decision under skip_unmatched).
  // Error: nothing was recorded (or, when the message says so, the record was written but
  // the checkpoint it triggered was not).
  Status Append(const RecordInput& input);
  // Appends a checkpoint now if records arrived since the last one.
  Status Checkpoint();
  // Stops the timer, writes the closing checkpoint if needed, fsyncs, closes. Idempotent.
  Status Close();

  bool signing() const { return key_ != nullptr; }
  uint64_t write_errors() const { return write_errors_.load(); }
  uint64_t records_written() const { return records_written_.load(); }
  uint64_t checkpoints_written() const { return checkpoints_written_.load(); }
  uint64_t last_seq() const;
  std::string last_hash() const;
  const std::string& session() const { return session_; }  // of the open (or last) session
  const std::vector<std::string>& open_warnings() const { return open_warnings_; }

 private:
  Status OpenFile();
  Status RotateAndReopen(const Status& why);
  Status RecoverTail();
  Status WriteLineLocked(const std::string& line, bool is_checkpoint);
  Status CheckpointLocked(bool closing);
  bool TryCheckpointLocked();
  Status ErrorNoThrow(std::string_view what, int error_number, bool with_errno_text = false) const noexcept;
  void TimerLoop();

  WriterOptions options_;
  std::shared_ptr<const SigningKey> key_;
  Redactor redactor_;
  std::vector<std::string> open_warnings_;
  std::string session_;
  std::string rotated_from_;
  bool tail_unverifiable_ = false;

  mutable std::mutex mu_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool regular_file_ = false;
  uint64_t file_size_ = 0;
  uint64_t seq_ = 0;                // seq of the last line in the file
  std::string prev_;                // hash of the last line in the file
  uint64_t since_checkpoint_ = 0;   // decision records after the last checkpoint
  std::chrono::steady_clock::time_point last_checkpoint_;

  std::condition_variable cv_;
  bool stop_ = false;
  std::thread timer_;

  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> checkpoints_written_{0};
};

// Build the checkpoint / start line (canonical JSON, no newline) that follows the line
// with `last_seq`/`last_hash`. Exposed for tests and tools.
std::string BuildCheckpointLine(uint64_t last_seq, const std::string& last_hash,
                                std::chrono::system_clock::time_point now, const SigningKey* key,
                                const std::string& session = "", bool closing = false);
std::string BuildStartLine(uint64_t last_seq, const std::string& last_hash,
                           std::chrono::system_clock::time_point now, const std::string& session,
                           const std::string& key_id, const std::string& rotated_from);

}  // namespace aimsgate::evidence
