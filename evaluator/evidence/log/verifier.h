// Verifying an evidence log: streams the file once, in bounded memory.
//
//   evidence::VerifyOptions opts;
//   evidence::VerifyKey pub;  evidence::VerifyKey::LoadPem("evidence-signing.pub", &pub);
//   opts.keys.push_back(pub);                 // several keys: rotation (chosen by keyId)
//   evidence::VerifyResult r = evidence::VerifyFile("evidence.jsonl", opts);
//   if (!r.ok) std::cerr << r.ErrorLine() << "\n";   // "evidence.jsonl:57: error: ..."
//   else std::cout << r.Summary() << "\n";
//
// Checks, stopping at the first broken position: every line is canonical JSON with a valid
// own hash; seq starts at 1 and grows by exactly 1; prev is the previous line's hash (the
// first line's prev is 64 zeros); each checkpoint's count equals the entries before it and
// its lastHash their last hash; with keys, every checkpoint is signed by one of them and
// the signature verifies. Without keys, signatures are not checked (said in the summary).
// A last line without newline is an error (torn or truncated). The first line is a start
// record, and every writer session (start record .. its checkpoints) carries its own
// session id; after a session's closing checkpoint only a new start record may follow.
// Records after the last checkpoint are reported as the unsigned tail; with
// require_closed the log must end with a closing checkpoint (a cleanly closed writer
// always leaves one, a cut at any earlier checkpoint does not). With expect_head, a line
// with that hash (an anchored checkpoint) must be in the log: this also catches a cut at
// an earlier session's closing checkpoint. With key_windows, a checkpoint's time must lie
// in its signer's validity window.
//
// Thread-safety: independent calls may run in parallel. Cost: one JSON parse, one
// canonical serialisation and one SHA-256 per line; memory bounded by the longest line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/entry.h"

namespace aimsgate::evidence {

// When a key may sign: checkpoints of that keyId must have from <= time < until.
struct KeyWindow {
  std::optional<std::chrono::system_clock::time_point> from, until;
};

struct VerifyOptions {
  std::vector<VerifyKey> keys;  // empty: signatures not verified
  bool require_closed = false;  // the last entry must be a closing checkpoint
  std::string expect_head;      // non-empty: a line with this hash must be in the log
  std::map<std::string, KeyWindow> key_windows;  // keyId -> validity
};

struct VerifyResult {
  std::string file;
  bool ok = true;
  bool io_error = false;       // unreadable file (exit 2 rather than 1)
  uint64_t error_line = 0;     // 1-based; 0 = not tied to a line
  std::string error;
  uint64_t lines = 0;
  uint64_t records = 0;        // decision records
  uint64_t checkpoints = 0;
  uint64_t signed_checkpoints = 0;
  uint64_t unsigned_tail = 0;  // decision records after the last checkpoint
  bool signatures_verified = false;
  bool closed = false;         // the log ends with a closing checkpoint
  uint64_t sessions = 0;       // start records
  std::string session;         // id of the last session
  bool head_found = false;     // expect_head was found
  std::string first_time, last_time;  // of decision records (min / max)
  std::set<std::string> key_ids;      // signers seen in checkpoints
  std::string last_hash;

  std::string ErrorLine() const;  // "FILE:LINE: error: ..." (or "FILE: error: ...")
  std::string Summary() const;    // one line for people
};

// What an intact chain proves, in the same words in `verify` and every report
// format, so that "verified" never reads as "signed":
//   "FAILED"                                         a file does not verify
//   "hash chain intact, NOT signed"                  no signed checkpoint (no --evidence-key)
//   "hash chain intact, signatures NOT verified (no public key)"  signed, no --pubkey given
//   "hash chain intact, signed (N signatures verified)"
// The last two add ", N records after the last checkpoint not yet signed" for an
// unsigned tail. Several files: the weakest of them.
std::string IntegrityStatus(const std::vector<VerifyResult>& results);
// True when every file verified, is signed and its signatures were checked.
bool SignedAndVerified(const std::vector<VerifyResult>& results);

// Called for every line that parses as an entry, in order. `verified` is false once the
// chain has broken (the report still shows later records, marked unverified).
using EntryCallback = std::function<void(const Entry& entry, uint64_t line, bool verified)>;

VerifyResult VerifyFile(const std::string& path, const VerifyOptions& options,
                        const EntryCallback& on_entry = nullptr);

// The chain state machine VerifyFile runs; exposed so tools can verify other streams.
class ChainVerifier {
 public:
  ChainVerifier(const VerifyOptions& options, std::string file);
  // One line (without '\n'). Returns false once the chain is broken.
  bool Feed(std::string_view line, uint64_t line_number, bool terminated, Entry* entry);
  void Finish();
  const VerifyResult& result() const { return result_; }

 private:
  bool Fail(uint64_t line, std::string message);
  bool CheckCheckpoint(const Entry& e, uint64_t line);

  const VerifyOptions& options_;
  VerifyResult result_;
  bool CheckStart(const Entry& e, uint64_t line);

  uint64_t last_seq_ = 0;
  std::string last_hash_;
  bool last_was_checkpoint_ = false;
  uint64_t closing_line_ = 0;  // the current session's closing checkpoint, 0 = none yet
};

}  // namespace aimsgate::evidence
