#include "evaluator/evidence/log/merged_log.h"

#include "evaluator/evidence/log/line_reader.h"

namespace aimsgate::evidence {

struct MergedLog::Cursor {
  Cursor(const VerifyOptions& options, const std::string& file) : verifier(options, file) {}
  LineReader reader;
  ChainVerifier verifier;
  Entry entry;
  std::string time;
  bool has = false;
  bool verified = true;
  bool open_failed = false;
  std::string open_error;
};

MergedLog::MergedLog(const std::vector<std::string>& files, const VerifyOptions& options) {
  for (const std::string& f : files) {
    auto c = std::make_unique<Cursor>(options, f);
    if (!c->reader.Open(f)) {
      c->open_failed = true;
      c->open_error = c->reader.error();
    }
    cursors_.push_back(std::move(c));
  }
}

MergedLog::~MergedLog() = default;

bool MergedLog::Advance(Cursor* c) {
  c->has = false;
  if (c->open_failed) return false;
  std::string_view line;
  while (c->reader.Next(&line)) {
    if (c->verified) {
      c->verified = c->verifier.Feed(line, c->reader.line_number(), c->reader.terminated(), &c->entry);
      if (!c->verified && (c->entry.doc.HasParseError() || !c->entry.doc.IsObject())) continue;
    } else if (!ParseEntry(line, &c->entry) &&
               (c->entry.doc.HasParseError() || !c->entry.doc.IsObject())) {
      continue;
    }
    if (GetString(c->entry.doc, "type") != "decision") continue;
    c->time = GetString(c->entry.doc, "time");
    c->has = true;
    return true;
  }
  return false;
}

bool MergedLog::Next(const Entry** entry, size_t* file_index, bool* verified) {
  if (!started_) {
    started_ = true;
    for (auto& c : cursors_) Advance(c.get());
  } else if (current_ != nullptr) {
    Advance(current_);
  }
  current_ = nullptr;
  size_t best = 0;
  for (size_t i = 0; i < cursors_.size(); ++i) {
    Cursor* c = cursors_[i].get();
    if (c->has && (current_ == nullptr || c->time < current_->time)) {
      current_ = c;
      best = i;
    }
  }
  if (current_ == nullptr) return false;
  *entry = &current_->entry;
  *file_index = best;
  *verified = current_->verified;
  return true;
}

std::vector<VerifyResult> MergedLog::Finish() {
  std::vector<VerifyResult> out;
  for (auto& c : cursors_) {
    if (c->open_failed) {
      VerifyResult r = c->verifier.result();
      r.ok = false;
      r.io_error = true;
      r.error = c->open_error.substr(c->open_error.find("error: ") + 7);
      out.push_back(r);
      continue;
    }
    // Drain what is left (checkpoints after the last record) so the result is complete.
    while (Advance(c.get())) {
    }
    if (!c->reader.error().empty()) {
      VerifyResult r = c->verifier.result();
      r.ok = false;
      r.io_error = true;
      r.error = c->reader.error();
      out.push_back(r);
      continue;
    }
    c->verifier.Finish();
    out.push_back(c->verifier.result());
  }
  return out;
}

}  // namespace aimsgate::evidence
