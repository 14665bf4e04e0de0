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
// A last line without newline is an error (torn or truncated). Records after the last
// checkpoint are reported as the unsigned tail; with require_closed the log must end with
// a checkpoint (a cleanly closed writer always leaves one).
//
// Thread-safety: independent calls may run in parallel. Cost: one JSON parse, one
// canonical serialisation and one SHA-256 per line; memory bounded by the longest line.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/evidence/crypto.h"
#include "evaluator/evidence/entry.h"

namespace aimsgate::evidence {

struct VerifyOptions {
  std::vector<VerifyKey> keys;  // empty: signatures not verified
  bool require_closed = false;  // the last entry must be a checkpoint
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
  bool closed = false;         // the log ends with a checkpoint
  std::string first_time, last_time;  // of decision records (min / max)
  std::set<std::string> key_ids;      // signers seen in checkpoints
  std::string last_hash;

  std::string ErrorLine() const;  // "FILE:LINE: error: ..." (or "FILE: error: ...")
  std::string Summary() const;    // one line for people
};

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
  uint64_t last_seq_ = 0;
  std::string last_hash_;
  bool last_was_checkpoint_ = false;
};

}  // namespace aimsgate::evidence
