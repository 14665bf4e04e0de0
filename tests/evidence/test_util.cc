#include "tests/evidence/test_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace aimsgate::evidence::testing {

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/evidence-test-XXXXXX";
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::vector<std::string> SplitLines(const std::string& data) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) {
      lines.push_back(data.substr(pos));
      break;
    }
    lines.push_back(data.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

ResourceEvaluation SampleEvaluation(const std::string& ns, const std::string& name, bool fail,
                                    bool waived) {
  ResourceEvaluation ev;
  ev.resource.set_api_version("apps/v1");
  ev.resource.set_kind("Deployment");
  ev.resource.set_namespace_(ns);
  ev.resource.set_name(name);
  ev.resource.set_source("deploy/" + name + ".yaml");
  ev.resource.line = 1;
  ev.resource.set_system_id("sys-" + name);
  ev.object_sha256 = std::string(64, 'a');
  RuleResult owner;
  owner.info = TestRule("iso42001/owner-assigned", {"A.3.2"}, Severity::kHigh);
  owner.action = Action::kDeny;
  owner.result = Outcome::kPass;
  ev.results.push_back(owner);
  RuleResult risk;
  risk.info = TestRule("iso42001/risk-tier-declared", {"A.5.2", "6.1.2"});
  risk.action = Action::kDeny;
  risk.result = waived ? Outcome::kWaived : fail ? Outcome::kFail : Outcome::kPass;
  if (fail || waived) risk.message = "AI system '" + name + "' declares no risk tier";
  if (waived) {
    risk.waiver = TestWaiver("legacy-" + name, "Assessment scheduled", "ciso@example.com",
                             "2027-03-01T00:00:00Z");
  }
  ev.results.push_back(risk);
  Settle(&ev);  // deny when the risk rule failed unwaived, as the engine decides
  return ev;
}

namespace {
// Tests build results from several threads (Chain.ConcurrentAppendsFormOneChain).
std::mutex test_store_mu;
}  // namespace

const RuleInfo* TestRule(const std::string& id, std::vector<std::string> controls, Severity severity) {
  static std::deque<RuleInfo> rules;  // a deque: addresses stay valid as it grows
  std::lock_guard<std::mutex> lock(test_store_mu);
  RuleInfo& info = rules.emplace_back();
  info.id = id;
  info.pack = id.substr(0, id.find('/'));
  info.controls = std::move(controls);
  info.severity = severity;
  return &info;
}

const WaiverRef* TestWaiver(std::string name, std::string justification, std::string approved_by,
                            std::string expires) {
  static std::deque<WaiverRef> waivers;
  std::lock_guard<std::mutex> lock(test_store_mu);
  return &waivers.emplace_back(
      WaiverRef{std::move(name), std::move(justification), std::move(approved_by), std::move(expires)});
}

std::vector<PackRef> SamplePacks() {
  return {{"iso42001", "1.0.0", "sha256:" + std::string(64, 'b')}};
}

Status WriteSampleLog(const WriterOptions& options, int records) {
  EvidenceWriter w;
  Status s = w.Open(options);
  if (!s.ok()) return s;
  auto packs = SamplePacks();
  for (int i = 0; i < records; ++i) {
    auto ev = SampleEvaluation(i % 2 ? "ml" : "fraud", "model-" + std::to_string(i), i % 3 == 0);
    RecordInput in;
    in.evaluation = &ev;
    in.packs = &packs;
    s = w.Append(in);
    if (!s.ok()) return s;
  }
  return w.Close();
}

}  // namespace aimsgate::evidence::testing
