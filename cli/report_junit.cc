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

void WriteCase(const ResourceEvaluation& e, const RuleResult& r, std::ostream& os) {
  std::string file = e.resource.source;
  std::string classname = file + "/" + e.resource.kind + "/" + (e.resource.name.empty() ? "<unnamed>" : e.resource.name);
  int line = ResultLine(e, r);
  os << "    <testcase name=\"" << Attr(r.rule) << "\" classname=\"" << Attr(classname) << "\" file=\"" << Attr(file)
     << "\"";
  if (line > 0) os << " line=\"" << line << "\"";
  os << " time=\"0\"";
  std::string where = file + (line > 0 ? ":" + std::to_string(line) : "");
  std::string details = "Resource: " + QualifiedName(e.resource) + " (" + where + ")\nRule: " + r.rule +
                        (r.title.empty() ? "" : " - " + r.title) + "\nISO/IEC 42001 controls: " +
                        (r.controls.empty() ? "-" : Join(r.controls)) + "\nSeverity: " + ToString(r.severity) +
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
         << Attr("waived by " + r.waiver.name + " (approved by " + r.waiver.approved_by + ", expires " +
                 r.waiver.expires + "): " + r.waiver.justification)
         << "\"/>\n    </testcase>\n";
      return;
    case Outcome::kFail: {
      std::string body = r.message + "\n";
      if (!r.remediation.empty()) body += "Fix: " + r.remediation + "\n";
      if (!r.expired_waiver.empty()) body += "Waiver " + r.expired_waiver + " has expired and no longer applies\n";
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

}  // namespace

void WriteJunitReport(const ReportInput& in, std::ostream& os) {
  std::vector<PackRef> packs = in.engine.packs();
  std::vector<Counts> per_pack(packs.size());
  Counts total, inputs;
  auto pack_index = [&](const std::string& name) -> int {
    for (size_t i = 0; i < packs.size(); ++i) {
      if (packs[i].name == name) return static_cast<int>(i);
    }
    return -1;
  };
  for (const auto& e : in.scan.evaluations) {
    for (const auto& r : e.results) {
      int i = pack_index(r.pack);
      if (i >= 0) Tally(r, &per_pack[i]);
      Tally(r, &total);
    }
  }
  inputs.tests = inputs.errors = in.scan.errors.size();
  total.tests += inputs.tests;
  total.errors += inputs.errors;

  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"aimsgate\"" << CountAttrs(total) << ">\n";
  for (size_t i = 0; i < packs.size(); ++i) {
    os << "  <testsuite name=\"" << Attr(packs[i].name) << "\"" << CountAttrs(per_pack[i]) << ">\n";
    os << "    <properties>\n";
    os << "      <property name=\"version\" value=\"" << Attr(packs[i].version) << "\"/>\n";
    os << "      <property name=\"digest\" value=\"" << Attr(packs[i].digest) << "\"/>\n";
    os << "    </properties>\n";
    for (const auto& e : in.scan.evaluations) {
      for (const auto& r : e.results) {
        if (r.pack == packs[i].name && Checked(r)) WriteCase(e, r, os);
      }
    }
    os << "  </testsuite>\n";
  }
  if (!in.scan.errors.empty()) {
    os << "  <testsuite name=\"aimsgate.inputs\"" << CountAttrs(inputs) << ">\n";
    for (const auto& err : in.scan.errors) {
      os << "    <testcase name=\"" << Attr(err.source + (err.line > 0 ? ":" + std::to_string(err.line) : ""))
         << "\" classname=\"" << Attr(err.source) << "\" file=\"" << Attr(err.source) << "\"";
      if (err.line > 0) os << " line=\"" << err.line << "\"";
      os << " time=\"0\">\n      <error message=\"" << Attr(err.message) << "\" type=\"input\">"
         << Text(err.ToString() + "\n") << "</error>\n    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  if (!in.notices.empty()) {
    // Not a test: notices ride in a suite of their own with no testcase, as system-out.
    os << "  <testsuite name=\"aimsgate.notices\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
       << "    <system-out>";
    for (const auto& n : in.notices) {
      os << Text(n.source + (n.line > 0 ? ":" + std::to_string(n.line) : "") + ": note: " + n.message + "\n");
    }
    os << "</system-out>\n  </testsuite>\n";
  }
  os << "</testsuites>\n";
}

}  // namespace aimsgate::cli
