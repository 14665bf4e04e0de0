// Helpers shared by the evidence tests: temporary directories, sample evaluations,
// whole-file reads and writes.
#pragma once

#include <string>
#include <vector>

#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/decision/decision.h"

namespace aimsgate::evidence::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& data);
std::vector<std::string> SplitLines(const std::string& data);  // without '\n'
std::string JoinLines(const std::vector<std::string>& lines);  // each + '\n'

// Deployment `name` in `ns`, two rules (one pass, one fail/deny), optional waiver.
ResourceEvaluation SampleEvaluation(const std::string& ns, const std::string& name,
                                    bool fail = true, bool waived = false);
std::vector<PackRef> SamplePacks();

// Writes `records` records with the given options (path, key, checkpoint cadence).
Status WriteSampleLog(const WriterOptions& options, int records);

}  // namespace aimsgate::evidence::testing
