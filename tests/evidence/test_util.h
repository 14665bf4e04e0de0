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

// Results point at their rule's metadata and at their waiver, which the compiled pack
// and the waiver set own in a real run; these give tests such objects, kept for the
// life of the test binary.  The pack is the id's part before '/'.
const RuleInfo* TestRule(const std::string& id, std::vector<std::string> controls = {},
                         Severity severity = Severity::kMedium);
const WaiverRef* TestWaiver(std::string name, std::string justification, std::string approved_by,
                            std::string expires);

// Writes `records` records with the given options (path, key, checkpoint cadence).
Status WriteSampleLog(const WriterOptions& options, int records);

}  // namespace aimsgate::evidence::testing
