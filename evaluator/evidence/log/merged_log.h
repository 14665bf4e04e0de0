// Reads several evidence logs (one per webhook replica) as one stream of decision
// records in time order, verifying each file's chain on the way.
//
//   evidence::MergedLog log({"evidence-pod-a.jsonl", "evidence-pod-b.jsonl"}, verify_options);
//   const evidence::Entry* e; size_t file; bool verified;
//   while (log.Next(&e, &file, &verified)) { e->doc["decision"] ... }
//   for (const evidence::VerifyResult& r : log.Finish()) ...   // one per file
//
// Order: a k-way merge on the records' `time` strings (RFC 3339 UTC as the writer
// writes them, so byte order is time order); ties keep file order. Records after a
// file's first broken position are still returned, with verified == false.
// Memory: one line per file. Thread-safety: one MergedLog per thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/verifier.h"

namespace aimsgate::evidence {

class MergedLog {
 public:
  MergedLog(const std::vector<std::string>& files, const VerifyOptions& options);
  ~MergedLog();
  bool Next(const Entry** entry, size_t* file_index, bool* verified);
  // Verification results, one per file, once Next has returned false.
  std::vector<VerifyResult> Finish();

 private:
  struct Cursor;
  bool Advance(Cursor* c);
  std::vector<std::unique_ptr<Cursor>> cursors_;
  Cursor* current_ = nullptr;
  bool started_ = false;
};

}  // namespace aimsgate::evidence
