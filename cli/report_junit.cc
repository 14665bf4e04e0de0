// `--format junit`: JUnit XML as GitLab (artifacts:reports:junit), Jenkins
// (junit step) and most CI test viewers read it.
//
//   <testsuites name="aimsgate" tests failures errors skipped>
//     <testsuite name="<pack>" ...>          one per loaded pack, in load order
//       <testcase name="<rule id>" classname="<file>/<Kind>/<name>" file= line=>
//         <failure message= type="deny|warn|audit">message, fix, controls</failure>
//         <skipped message="waived by ..."/>
//         <error message= type="evaluation">...</error>
//     <testsuite name="aimsgate.inputs">      input errors, one <error> each
//
// One testcase per (resource, rule) pair that was checked (pass included, so the
// counts are the real number of checks). A rule whose match.when is false was
// not checked: it is left out, as SARIF leaves it out (155 "skipped" testcases for
// examples/ buried the real ones); a waived failure stays, as <skipped>.
// Text is escaped for XML 1.0 and characters XML cannot carry (C0 controls
// other than tab/LF/CR, invalid UTF-8) become U+FFFD.  No timestamps or durations: output is reproducible.
#include <string>
#include <vector>

#include "cli/report.h"
#include "cli/report_util.h"
#include "evaluator/kernel/spool.h"

namespace aimsgate::cli {
namespace {

std::string Attr(const std::string& s) { return XmlEscape(s, true); }
std::string Text(const std::string& s) { return XmlEscape(s, false); }

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

bool Checked(const RuleResult& r) { return r.result != Outcome::kSkip; }

void Tally(const RuleResult& r, Counts* c) {
  if (!Checked(r)) return;
  ++c->tests;
  if (r.result == Outcome::kFail) ++c->failures;
  if (r.result == Outcome::kError) ++c->errors;
  if (r.result == Outcome::kWaived) ++c->skipped;
}

std::string CountAttrs(const Counts& c) {
  return " tests=\"" + std::to_string(c.tests) + "\" failures=\"" + std::to_string(c.failures) + "\" errors=\"" +
         std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.skipped) + "\" time=\"0\"";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// What WriteCase writes a test case to before it is spooled.
struct CaseText {
  std::string s;
};
CaseText& operator<<(CaseText& o, const std::string& t) { return o.s += t, o; }
CaseText& operator<<(CaseText& o, const char* t) { return o.s += t, o; }
CaseText& operator<<(CaseText& o, int n) { return o.s += std::to_string(n), o; }

template <typename Out>
void WriteCase(const ResourceEvaluation& e, const RuleResult& r, Out& os) {
  std::string file(e.resource.source());
  std::string classname = file + "/";
  classname.append(e.resource.kind()) += '/';
  classname += e.resource.name().empty() ? "<unnamed>" : e.resource.name();
  int line = ResultLine(e, r);
  os << "    <testcase name=\"" << Attr(r.rule()) << "\" classname=\"" << Attr(classname) << "\" file=\"" << Attr(file)
     << "\"";
  if (line > 0) os << " line=\"" << line << "\"";
  os << " time=\"0\"";
  std::string where = file + (line > 0 ? ":" + std::to_string(line) : "");
  std::string details = "Resource: " + QualifiedName(e.resource) + " (" + where + ")\nRule: " + r.rule() +
                        (r.title().empty() ? "" : " - " + r.title()) + "\nISO/IEC 42001 controls: " +
                        (r.controls().empty() ? "-" : Join(r.controls())) + "\nSeverity: " + ToString(r.severity()) +
                        "; action: " + ToString(r.action);
  switch (r.result) {
    case Outcome::kPass:
      os << "/>\n";
      return;
    case Outcome::kSkip:
      os << ">\n      <skipped message=\"match.when is false: the rule does not apply\"/>\n    </testcase>\n";
      return;
    case Outcome::kWaived:
      os << ">\n      <skipped message=\""
         << Attr("waived by " + r.waiver->name + " (approved by " + r.waiver->approved_by + ", expires " +
                 r.waiver->expires + "): " + r.waiver->justification)
         << "\"/>\n    </testcase>\n";
      return;
    case Outcome::kFail: {
      std::string body = r.message + "\n";
      if (!r.remediation().empty()) body += "Fix: " + r.remediation() + "\n";
      if (r.expired_waiver) body += "Waiver " + r.expired_waiver->name + " has expired and no longer applies\n";
      body += details + "\n";
      os << ">\n      <failure message=\"" << Attr(r.message) << "\" type=\"" << ToString(r.action) << "\">"
         << Text(body) << "</failure>\n    </testcase>\n";
      return;
    }
    case Outcome::kError:
      os << ">\n      <error message=\"" << Attr(r.message) << "\" type=\"evaluation\">"
         << Text("Rule could not be evaluated: " + r.message + "\n" + details + "\n") << "</error>\n    </testcase>\n";
      return;
  }
}

// Each pack's suite opens with its counts, so its test cases are spooled (one
// spool per pack, kernel/spool.h) and copied in at Finish.
class JunitSink : public DecisionSink {
 public:
  JunitSink(const Engine& engine, std::ostream& os, const ReportOptions& o)
      : o_(o), os_(os), packs_(engine.packs()), per_pack_(packs_.size()), cases_(packs_.size()) {}

  bool Add(const ResourceEvaluation& e) override {
    for (const auto& r : e.results) {
      int i = PackIndex(r.pack());
      Tally(r, &total_);
      if (i < 0) continue;
      Tally(r, &per_pack_[i]);
      if (!Checked(r)) continue;
      CaseText text;
      WriteCase(e, r, text);
      cases_[i].Write(text.s);
    }
    for (const auto& spool : cases_) {
      if (!spool.ok()) {
        error_ = spool.error();
        return false;
      }
    }
    return true;
  }

  bool Finish(const ScanResult& scan) override;

 private:
  int PackIndex(const std::string& name) const {
    for (size_t i = 0; i < packs_.size(); ++i) {
      if (packs_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  const ReportOptions o_;
  std::ostream& os_;
  std::vector<PackRef> packs_;
  std::vector<Counts> per_pack_;
  Counts total_;
  std::vector<kernel::Spool> cases_;
};

bool JunitSink::Finish(const ScanResult& scan) {
  std::ostream& os = os_;
  Counts total = total_, inputs;
  inputs.tests = inputs.errors = scan.errors.size();
  total.tests += inputs.tests;
  total.errors += inputs.errors;

  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"aimsgate\"" << CountAttrs(total) << ">\n";
  for (size_t i = 0; i < packs_.size(); ++i) {
    os << "  <testsuite name=\"" << Attr(packs_[i].name) << "\"" << CountAttrs(per_pack_[i]) << ">\n";
    os << "    <properties>\n";
    os << "      <property name=\"version\" value=\"" << Attr(packs_[i].version) << "\"/>\n";
    os << "      <property name=\"digest\" value=\"" << Attr(packs_[i].digest) << "\"/>\n";
    os << "    </properties>\n";
    if (!cases_[i].CopyTo(os)) {
      error_ = cases_[i].error();
      return false;
    }
    os << "  </testsuite>\n";
  }
  if (!scan.errors.empty()) {
    os << "  <testsuite name=\"aimsgate.inputs\"" << CountAttrs(inputs) << ">\n";
    for (const auto& err : scan.errors) {
      os << "    <testcase name=\"" << Attr(err.source + (err.line > 0 ? ":" + std::to_string(err.line) : ""))
         << "\" classname=\"" << Attr(err.source) << "\" file=\"" << Attr(err.source) << "\"";
      if (err.line > 0) os << " line=\"" << err.line << "\"";
      os << " time=\"0\">\n      <error message=\"" << Attr(err.message) << "\" type=\"input\">"
         << Text(err.ToString() + "\n") << "</error>\n    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  if (!o_.notices.empty()) {
    // Not a test: notices ride in a suite of their own with no testcase, as system-out.
    os << "  <testsuite name=\"aimsgate.notices\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
       << "    <system-out>";
    for (const auto& n : o_.notices) {
      os << Text(n.source + (n.line > 0 ? ":" + std::to_string(n.line) : "") + ": note: " + n.message + "\n");
    }
    os << "</system-out>\n  </testsuite>\n";
  }
  os << "</testsuites>\n";
  return true;
}

}  // namespace

std::unique_ptr<DecisionSink> MakeJunitSink(const Engine& engine, const ReportOptions& options, std::ostream& out) {
  return std::make_unique<JunitSink>(engine, out, options);
}

}  // namespace aimsgate::cli
