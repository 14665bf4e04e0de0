#include "evaluator/evidence/log/verifier.h"

#include "evaluator/evidence/log/line_reader.h"
#include "evaluator/evidence/log/record.h"

namespace aimsgate::evidence {

std::string VerifyResult::ErrorLine() const {
  if (error_line > 0) return file + ":" + std::to_string(error_line) + ": error: " + error;
  return file + ": error: " + error;
}

std::string IntegrityStatus(const std::vector<VerifyResult>& results) {
  bool ok = true, any_unsigned = false, any_unchecked = false;
  uint64_t signatures = 0, tail = 0;
  for (const VerifyResult& r : results) {
    ok = ok && r.ok;
    any_unsigned = any_unsigned || r.signed_checkpoints == 0;
    any_unchecked = any_unchecked || !r.signatures_verified;
    signatures += r.signed_checkpoints;
    tail += r.unsigned_tail;
  }
  if (!ok) return "FAILED";
  if (results.empty() || any_unsigned) return "hash chain intact, NOT signed";
  std::string s = any_unchecked ? "hash chain intact, signatures NOT verified (no public key)"
                                : "hash chain intact, signed (" + std::to_string(signatures) + " signature" +
                                      (signatures == 1 ? "" : "s") + " verified)";
  if (tail > 0) s += ", " + std::to_string(tail) + " records after the last checkpoint not yet signed";
  return s;
}

bool SignedAndVerified(const std::vector<VerifyResult>& results) {
  for (const VerifyResult& r : results) {
    if (!r.ok || r.signed_checkpoints == 0 || !r.signatures_verified) return false;
  }
  return !results.empty();
}

std::string VerifyResult::Summary() const {
  std::string s = file + ": " + (ok ? "OK, " + IntegrityStatus({*this}) : "FAILED") + ": " + std::to_string(records) +
                  " records, " + std::to_string(checkpoints) + " checkpoints (" +
                  std::to_string(signed_checkpoints) + " signed)";
  if (!first_time.empty()) s += ", " + first_time + " .. " + last_time;
  for (const std::string& k : key_ids) s += ", signer keyId " + k;
  s += ", unsigned tail: " + std::to_string(unsigned_tail) + " records";
  if (!closed && lines > 0) s += " (log does not end with a closing checkpoint)";
  if (sessions > 0) s += ", " + std::to_string(sessions) + " writer session(s), last " + session;
  if (head_found) s += ", anchored head found";
  if (!last_hash.empty()) s += ", head " + last_hash;
  return s;
}

ChainVerifier::ChainVerifier(const VerifyOptions& options, std::string file)
    : options_(options), last_hash_(GenesisHash()) {
  result_.file = std::move(file);
  result_.signatures_verified = !options.keys.empty();
}

bool ChainVerifier::Fail(uint64_t line, std::string message) {
  if (!result_.ok) return false;
  result_.ok = false;
  result_.error_line = line;
  result_.error = std::move(message);
  result_.signatures_verified = result_.signatures_verified && result_.ok;
  return false;
}

namespace {

bool IsHex32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool ChainVerifier::CheckStart(const Entry& e, uint64_t line) {
  std::string session = GetString(e.doc, "session");
  if (!IsHex32(session)) return Fail(line, "start record without a valid session id");
  ++result_.sessions;
  result_.session = session;
  closing_line_ = 0;
  return true;
}

bool ChainVerifier::CheckCheckpoint(const Entry& e, uint64_t line) {
  if (GetString(e.doc, "session") != result_.session) {
    return Fail(line, "checkpoint of session '" + GetString(e.doc, "session") +
                          "' inside session " + result_.session + " (moved from another log?)");
  }
  auto closing = e.doc.FindMember("closing");
  if (closing != e.doc.MemberEnd()) {
    if (!closing->value.IsTrue()) return Fail(line, "checkpoint 'closing' is not true");
    closing_line_ = line;
  }
  auto count = e.doc.FindMember("count");
  if (count == e.doc.MemberEnd() || !count->value.IsUint64() ||
      count->value.GetUint64() != e.seq - 1) {
    return Fail(line, "checkpoint count does not match the " + std::to_string(e.seq - 1) +
                          " entries before it");
  }
  if (GetString(e.doc, "lastHash") != e.prev) {
    return Fail(line, "checkpoint lastHash does not match the hash of line " +
                          std::to_string(line - 1));
  }
  std::string key_id = GetString(e.doc, "keyId");
  std::string signature = GetString(e.doc, "signature");
  bool is_signed = !signature.empty() || !key_id.empty();
  if (is_signed) {
    if (key_id.empty() || signature.empty()) {
      return Fail(line, "checkpoint has a keyId without signature or a signature without keyId");
    }
    ++result_.signed_checkpoints;
    result_.key_ids.insert(key_id);
  }
  if (options_.keys.empty()) return true;
  if (!is_signed) return Fail(line, "checkpoint is not signed, but a public key was given");
  const VerifyKey* key = nullptr;
  for (const VerifyKey& k : options_.keys) {
    if (k.key_id() == key_id) key = &k;
  }
  if (key == nullptr) {
    return Fail(line, "checkpoint signed by keyId " + key_id + ", which is not a given public key");
  }
  if (!key->VerifyBase64(CanonicalWithout(e.doc, "signature", "hash"), signature)) {
    return Fail(line, "checkpoint signature does not verify (forged or altered)");
  }
  auto window = options_.key_windows.find(key_id);
  if (window != options_.key_windows.end()) {
    std::chrono::system_clock::time_point t;
    std::string time = GetString(e.doc, "time");
    if (!ParseTime(time, &t)) return Fail(line, "checkpoint time '" + time + "' is not RFC 3339");
    if ((window->second.from && t < *window->second.from) ||
        (window->second.until && t >= *window->second.until)) {
      return Fail(line, "checkpoint signed at " + time + " by keyId " + key_id +
                            " outside that key's validity window (a retired or not yet valid key)");
    }
  }
  return true;
}

bool ChainVerifier::Feed(std::string_view line, uint64_t n, bool terminated, Entry* e) {
  if (!result_.ok) return false;
  result_.lines = n;
  bool parsed = ParseEntry(line, e);
  if (!terminated) {
    return Fail(n, "last line has no newline: torn or truncated record");
  }
  if (!parsed) return Fail(n, e->error);
  if (e->seq != last_seq_ + 1) {
    return Fail(n, "seq " + std::to_string(e->seq) + ", expected " + std::to_string(last_seq_ + 1) +
                       " (a record was inserted, deleted or reordered)");
  }
  if (e->prev != last_hash_) {
    return Fail(n, last_seq_ == 0
                       ? "prev of the first record is not the genesis hash (the head was removed)"
                       : "prev does not match the hash of line " + std::to_string(n - 1) +
                             " (a record was replaced, deleted or reordered)");
  }
  if (last_seq_ == 0 && e->type != "start") {
    return Fail(n, "the first line is not a start record (the head of the log was removed, or "
                   "an aimsgate without writer sessions wrote it)");
  }
  if (closing_line_ > 0 && e->type != "start") {
    return Fail(n, "a " + e->type + " after the closing checkpoint of session " + result_.session +
                       " on line " + std::to_string(closing_line_) +
                       " (appended to a closed session)");
  }
  if (!options_.expect_head.empty() && e->hash == options_.expect_head) result_.head_found = true;
  if (e->type == "start") {
    if (!CheckStart(*e, n)) return false;
    last_was_checkpoint_ = false;
  } else if (e->type == "checkpoint") {
    if (!CheckCheckpoint(*e, n)) return false;
    ++result_.checkpoints;
    result_.unsigned_tail = 0;
    last_was_checkpoint_ = true;
  } else {
    ++result_.records;
    ++result_.unsigned_tail;
    last_was_checkpoint_ = false;
    std::string t = GetString(e->doc, "time");
    if (!t.empty()) {
      if (result_.first_time.empty() || t < result_.first_time) result_.first_time = t;
      if (result_.last_time.empty() || t > result_.last_time) result_.last_time = t;
    }
  }
  last_seq_ = e->seq;
  last_hash_ = e->hash;
  result_.last_hash = e->hash;
  return true;
}

void ChainVerifier::Finish() {
  result_.closed = last_was_checkpoint_ && closing_line_ == result_.lines;
  if (result_.ok && options_.require_closed && !result_.closed) {
    Fail(result_.lines + 1,
         result_.lines == 0 ? std::string("empty log: no closing checkpoint")
         : last_was_checkpoint_
             ? "log ends at a checkpoint that is not its session's closing checkpoint: cut at an "
               "earlier checkpoint after line " + std::to_string(result_.lines) +
               " (or its writer is still running, or crashed)"
             : "log does not end with a closing checkpoint (truncated after line " +
                   std::to_string(result_.lines) + "?)");
  }
  if (result_.ok && !options_.expect_head.empty() && !result_.head_found) {
    Fail(result_.lines + 1, "the anchored head " + options_.expect_head +
                                " is not in the log: it was cut before that line, or rewritten");
  }
  // With a public key, a log with records and not one signed checkpoint proves
  // nothing: it may be the head of a truncated log whose checkpoints were cut.
  if (result_.ok && !options_.keys.empty() && result_.records > 0 && result_.signed_checkpoints == 0) {
    Fail(result_.lines + 1, "no signed checkpoint in " + std::to_string(result_.records) +
                                " records: nothing proves the log complete (truncated after line " +
                                std::to_string(result_.lines) + "?)");
  }
  if (!result_.ok) result_.signatures_verified = false;
}

VerifyResult VerifyFile(const std::string& path, const VerifyOptions& options,
                        const EntryCallback& on_entry) {
  ChainVerifier v(options, path);
  LineReader reader;
  if (!reader.Open(path)) {
    VerifyResult r = v.result();
    r.ok = false;
    r.io_error = true;
    r.error = reader.error().substr(reader.error().find("error: ") + 7);
    return r;
  }
  std::string_view line;
  Entry entry;
  bool chain_ok = true;
  while (reader.Next(&line)) {
    if (chain_ok) {
      chain_ok = v.Feed(line, reader.line_number(), reader.terminated(), &entry);
      if (on_entry && chain_ok) on_entry(entry, reader.line_number(), true);
      else if (on_entry && !entry.doc.HasParseError() && entry.doc.IsObject() && !entry.type.empty())
        on_entry(entry, reader.line_number(), false);
    } else if (on_entry) {
      if (ParseEntry(line, &entry) || (!entry.doc.HasParseError() && entry.doc.IsObject())) {
        entry.type = GetString(entry.doc, "type");
        on_entry(entry, reader.line_number(), false);
      }
    } else {
      break;  // nothing more to learn after the first broken position
    }
  }
  VerifyResult r;
  if (!reader.error().empty()) {
    r = v.result();
    r.ok = false;
    r.io_error = true;
    r.error_line = 0;
    r.error = reader.error().substr(reader.error().find("error: ") + 7);
    return r;
  }
  v.Finish();
  return v.result();
}

}  // namespace aimsgate::evidence
