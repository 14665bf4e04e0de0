// `--format github`: GitHub Actions workflow commands, which the runner turns
// into annotations on the pull request's changed files:
//
//   ::error file=deploy/a.yaml,line=7,title=iso42001/owner-assigned [A.3.2]::AI system ... %0AFix: ...
//
// error = a failed deny rule or a rule that could not be evaluated (and input
// errors); warning = a failed warn rule; notice = a failed audit rule or a
// waived failure.  Escaping as the runner expects (actions/toolkit command.ts):
// in the message `%` `\r` `\n` become %25 %0D %0A; in properties `:` and `,`
// also become %3A %2C; other control characters are written as \x1b, \u0085.  GitHub shows at most 10 errors and 10 warnings per
// step as annotations; every line is still in the log.
#include <unistd.h>

#include <climits>
#include <string>

#include "cli/report.h"
#include "cli/report_util.h"

namespace aimsgate::cli {
namespace {

// Line breaks are the runner's to encode; other control characters (a
// manifest's ESC sequences) are written as escapes the runner leaves alone.
std::string EscapeData(const std::string& raw) {
  std::string out;
  for (char c : EscapeControls(raw, "\r\n")) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeProperty(const std::string& raw) {
  std::string out;
  for (char c : EscapeData(raw)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

// GitHub resolves `file=` against the repository root (the working directory
// of the step): absolute paths under the working directory are made relative.
std::string RepoPath(const std::string& file) {
  if (file.empty() || file[0] != '/') return file.compare(0, 2, "./") == 0 ? file.substr(2) : file;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof(cwd))) return file;
  std::string base(cwd);
  if (base != "/" && file.size() > base.size() + 1 && file.compare(0, base.size(), base) == 0 &&
      file[base.size()] == '/') {
    return file.substr(base.size() + 1);
  }
  return file;
}

void Command(std::ostream& os, const char* level, const std::string& file, int line, int column,
             const std::string& title, const std::string& message) {
  os << "::" << level;
  std::string props;
  if (!file.empty() && file != kStdinSource && file[0] != '-') props += "file=" + EscapeProperty(RepoPath(file));
  if (!props.empty() && line > 0) props += ",line=" + std::to_string(line);
  if (!props.empty() && line > 0 && column > 0) props += ",col=" + std::to_string(column);
  if (!title.empty()) props += (props.empty() ? "" : ",") + std::string("title=") + EscapeProperty(title);
  if (!props.empty()) os << " " << props;
  os << "::" << EscapeData(message) << "\n";
}

// Workflow commands need no totals: each decision's are written as it comes.
class GithubSink : public DecisionSink {
 public:
  GithubSink(const ReportOptions& o, std::ostream& os) : o_(o), os_(os) {}

  bool Add(const ResourceEvaluation& e) override {
    std::ostream& os = os_;
    for (const auto& r : e.results) {
      const char* level = nullptr;
      std::string message;
      switch (r.result) {
        case Outcome::kPass:
        case Outcome::kSkip:
          continue;
        case Outcome::kFail:
          level = r.action == Action::kDeny ? "error" : r.action == Action::kWarn ? "warning" : "notice";
          message = r.message;
          if (!r.remediation().empty()) message += "\nFix: " + r.remediation();
          if (r.expired_waiver) message += "\nWaiver " + r.expired_waiver->name + " has expired and no longer applies";
          break;
        case Outcome::kWaived:
          level = "notice";
          message = "Waived: " + r.message + "\nWaiver " + r.waiver->name + " (approved by " + r.waiver->approved_by +
                    ", expires " + r.waiver->expires + "): " + r.waiver->justification;
          break;
        case Outcome::kError:
          level = "error";
          message = "Rule could not be evaluated: " + r.message;
          break;
      }
      std::string controls;
      for (const auto& c : r.controls()) controls += (controls.empty() ? "" : " ") + c;
      message += "\n" + QualifiedName(e.resource) + " · " + ToString(r.severity()) + " · " + ToString(r.action) +
                 (controls.empty() ? "" : " · ISO/IEC 42001 " + controls);
      std::string title = r.rule() + (controls.empty() ? "" : " [" + controls + "]");
      Command(os, level, std::string(e.resource.source()), ResultLine(e, r), 0, title, message);
    }
    return true;
  }

  bool Finish(const ScanResult& scan) override {
    for (const auto& err : scan.errors) {
      Command(os_, "error", err.source, err.line, err.column, "aimsgate input error", err.message);
    }
    for (const auto& n : o_.notices) Command(os_, "notice", n.source, n.line, 0, "aimsgate", n.message);
    return true;
  }

 private:
  const ReportOptions o_;
  std::ostream& os_;
};

}  // namespace

std::unique_ptr<DecisionSink> MakeGithubSink(const ReportOptions& options, std::ostream& out) {
  return std::make_unique<GithubSink>(options, out);
}

}  // namespace aimsgate::cli
