// aimsgate test DIR...: rule-pack test suites (docs/rule-packs.md).  Each
// aimsgate-test.yaml names packs, resources and inputs and the expected result
// per (resource, rule); the command reports every expectation (text, JSON or
// JUnit XML) and exits 1 on a mismatch, 2 when a suite could not run or names
// a rule no loaded pack declares (after running every other suite).
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include <rapidjson/prettywriter.h>
#include <yaml-cpp/yaml.h>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/json_out.h"
#include "cli/report_util.h"
#include "cli/scan.h"
#include "cli/waiver_checks.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/read_file.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate::cli {
namespace {

namespace fs = std::filesystem;

struct TestOptions {
  std::vector<std::string> dirs;
  std::string format = "text";
  bool verbose = false;
};

struct Expectation {
  std::string rule, kind, name, ns, expected, actual;
  bool decision = false;  // expects the resource's verdict (allow|audit|warn|deny), not a rule's result
  int line = 0, column = 0;
  bool ok = false;
  bool error = false;  // names a rule no loaded pack declares
};

struct SuiteReport {
  std::string name, file;
  int line = 0;
  std::string status = "pass";  // pass | fail | error
  std::string error;            // why the suite could not run (status error)
  std::vector<Expectation> expectations;
  std::vector<std::string> notices;  // "path:line: waiver 'x' expires in 5 days (...)", as `check` prints them
};

std::string Resolve(const fs::path& base, const std::string& path) {
  if (path.rfind("builtin:", 0) == 0 || fs::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsScalar()) out.push_back(n.Scalar());
  if (n && n.IsSequence()) {
    for (const auto& i : n) out.push_back(i.Scalar());
  }
  return out;
}

// Every message goes to stderr once: suites loading the same broken pack
// would otherwise repeat its compile error once per suite.
class ErrorPrinter {
 public:
  void Print(const std::vector<Diagnostic>& diags) {
    std::vector<Diagnostic> fresh;
    for (const auto& d : diags) {
      if (seen_.insert(d.ToString()).second) fresh.push_back(d);
    }
    PrintDiagnostics(fresh);
  }
  // One line: file names and quoted keys in it are escaped (kernel::EscapeControls), so
  // none starts a line of its own on stderr (a CI runner reads "::error::" there).
  void Print(const std::string& line) {
    if (seen_.insert(line).second) std::cerr << EscapeControls(line) << "\n";
  }

 private:
  std::set<std::string> seen_;
};

std::string Located(const std::string& file, const YAML::Node& at, const std::string& msg) {
  SourcePos p = PosOf(at);
  return file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": error: " + msg;
}

// Runs one suite into *report; on a suite that cannot run, report->status is
// "error" and the reason has been printed.
void RunSuite(const std::string& file, const YAML::Node& doc, ErrorPrinter* errors, SuiteReport* report) {
  fs::path base = fs::path(file).parent_path();
  report->file = file;
  report->line = PosOf(doc).line;
  report->name = doc["metadata"] && doc["metadata"]["name"] ? doc["metadata"]["name"].Scalar() : file;
  const std::string& name = report->name;
  auto fail_load = [&](const YAML::Node& at, const std::string& msg) {
    errors->Print(Located(file, at, msg));
    report->status = "error";
    report->error = msg;
  };
  YAML::Node spec = doc["spec"];
  if (!spec || !spec.IsMap()) return fail_load(doc, "RulePackTest without spec");
  for (const auto& kv : spec) {
    static const char* kKnown[] = {"packs", "resources", "inventory", "waivers", "params", "modelCard", "bom", "now", "results",
                                   "modelDir", "modelSignature", "modelPubkey", "modelCa", "modelCertChain", "models",
                                   "enforcement"};
    std::string k = kv.first.Scalar();
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* s) { return k == s; })) {
      return fail_load(kv.first, "unknown field '" + k + "' in RulePackTest spec");
    }
  }
  YAML::Node results = spec["results"];
  if (!results || !results.IsSequence() || results.size() == 0) return fail_load(spec, "suite '" + name + "' expects no results");
  EngineOptions eo;
  for (const auto& p : Strings(spec["packs"])) eo.rule_paths.push_back(Resolve(base, p));
  if (spec["inventory"]) eo.inventory_path = Resolve(base, spec["inventory"].Scalar());
  for (const auto& w : Strings(spec["waivers"])) eo.waiver_paths.push_back(Resolve(base, w));
  if (spec["modelCard"]) eo.model_card_path = Resolve(base, spec["modelCard"].Scalar());
  if (spec["bom"]) eo.bom_path = Resolve(base, spec["bom"].Scalar());
  auto path_of = [&](const char* key) { return spec[key] ? Resolve(base, spec[key].Scalar()) : std::string(); };
  eo.model_signature = {path_of("modelDir"), path_of("modelSignature"), path_of("modelPubkey"),
                        path_of("modelCertChain"), path_of("modelCa"), 0};
  eo.models_path = path_of("models");
  if (YAML::Node params = spec["params"]) {
    if (!params.IsMap()) return fail_load(params, "params must be a mapping of parameter: value");
    for (const auto& kv : params) {
      YAML::Emitter e;
      e << YAML::Flow << kv.second;
      eo.param_overrides.push_back(kv.first.Scalar() + "=" + e.c_str());
      eo.param_override_origins.push_back({file, PosOf(kv.first)});
    }
  }
  for (const auto& e : Strings(spec["enforcement"])) {
    std::string error;
    if (!eo.enforcement.Add(e, &error)) return fail_load(spec["enforcement"], error.substr(error.find(':') + 2));
  }
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(eo, &diags);
  errors->Print(diags);
  if (!engine) return fail_load(doc, "suite '" + name + "': packs or inputs do not load");
  ScanOptions so;
  so.jobs = 1;
  so.admission_reviews = true;
  for (const auto& r : Strings(spec["resources"])) so.paths.push_back(Resolve(base, r));
  if (spec["now"] && !ParseRfc3339(spec["now"].Scalar(), &so.now_unix)) {
    return fail_load(spec["now"], "now is not an RFC 3339 date-time");
  }
  // Waivers expiring within the notice window, as of the suite's clock (issue 19 item 8); the
  // lifetime and justification checks are `check`'s, which gates the real run.
  for (const auto& n : ReviewWaivers(*engine, WaiverPolicy(), so.now_unix != 0 ? so.now_unix : time(nullptr)).notices) {
    report->notices.push_back(n.source + ":" + std::to_string(n.line) + ": " + n.message);
  }
  CollectedScan scan = ScanAll(*engine, so);  // a suite is small: its decisions are compared as a whole
  for (const auto& e : scan.errors) errors->Print(e.ToString());
  if (!scan.errors.empty()) return fail_load(doc, "suite '" + name + "': resources do not load");

  std::set<std::string> known_rules;
  for (const auto& r : engine->rules()) known_rules.insert(r.full_id);
  // (kind, namespace, name, rule) -> result; rule "" -> the resource's verdict (the engine's)
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::string> actual;
  for (const auto& ev : scan.evaluations) {
    const std::string kind(ev.resource.kind()), ns(ev.resource.namespace_()), resource_name(ev.resource.name());
    actual[{kind, ns, resource_name, ""}] = ToString(ev.verdict);
    for (const auto& r : ev.results) {
      actual[{kind, ns, resource_name, r.rule()}] = ToString(r.result);
    }
  }
  for (const auto& item : results) {
    Expectation x;
    SourcePos pos = PosOf(item);
    x.line = pos.line;
    x.column = pos.column;
    auto field = [&](const char* key) { return item.IsMap() && item[key] && item[key].IsScalar() ? item[key].Scalar() : ""; };
    x.rule = field("rule");
    x.kind = field("kind");
    x.name = field("name");
    x.ns = field("namespace");
    x.expected = field("result");
    static const char* kResults[] = {"pass", "fail", "skip", "waived", "error"};
    const bool has_decision = item.IsMap() && item["decision"];
    Verdict verdict;
    if (has_decision) {
      x.decision = true;
      x.expected = field("decision");
      if (!x.rule.empty() || !field("result").empty() || x.kind.empty() || x.name.empty() ||
          !ParseVerdict(x.expected, &verdict)) {
        report->expectations.clear();
        return fail_load(item, "an expected decision needs kind, name and decision (allow|audit|warn|deny), and no rule or result");
      }
    } else if (x.rule.empty() || x.kind.empty() || x.name.empty() ||
               std::none_of(std::begin(kResults), std::end(kResults), [&](const char* s) { return x.expected == s; })) {
      report->expectations.clear();
      return fail_load(item, "each expected result needs rule, kind, name and result (pass|fail|skip|waived|error)");
    }
    if (!x.decision && !known_rules.count(x.rule)) {
      x.error = true;
      x.actual = "unknown rule";
      errors->Print(Located(file, item["rule"], "unknown rule '" + x.rule + "'"));
      report->status = "error";
    } else {
      auto it = actual.find({x.kind, x.ns, x.name, x.rule});
      x.actual = it == actual.end() ? "no result" : it->second;
      x.ok = x.actual == x.expected;
      if (!x.ok && report->status == "pass") report->status = "fail";
    }
    report->expectations.push_back(std::move(x));
  }
}

struct Summary {
  size_t suites = 0, expectations = 0, passed = 0, failed = 0, errors = 0;
};

Summary Summarize(const std::vector<SuiteReport>& suites) {
  Summary s;
  s.suites = suites.size();
  for (const auto& suite : suites) {
    if (suite.status == "error" && suite.expectations.empty()) ++s.errors;
    for (const auto& x : suite.expectations) {
      ++s.expectations;
      if (x.error) ++s.errors;
      else if (x.ok) ++s.passed;
      else ++s.failed;
    }
  }
  return s;
}

std::string Who(const Expectation& x) { return x.kind + " " + (x.ns.empty() ? "" : x.ns + "/") + x.name; }
// What an expectation is about: a rule's id, or "decision" for the resource's verdict.
std::string What(const Expectation& x) { return x.decision ? "decision" : x.rule; }

void WriteText(const std::vector<SuiteReport>& suites, const Summary& s, bool verbose) {
  // Names, files and values come from the suites and the packs: escaped, one line each.
  auto line = [](const std::string& text) { std::cout << EscapeControls(text) << "\n"; };
  for (const auto& suite : suites) {
    if (suite.status == "error" && suite.expectations.empty()) {
      line("ERROR " + suite.name + " (" + suite.file + "): " + suite.error);
      continue;
    }
    size_t met = 0;
    for (const auto& x : suite.expectations) {
      if (x.ok) ++met;
      if (x.ok && !verbose) continue;
      const char* tag = x.ok ? "ok  " : x.error ? "ERROR" : "FAIL";
      std::string text = suite.file + ":" + std::to_string(x.line) + ": " + tag + " " + suite.name + "  " + What(x) +
                         "  " + Who(x);
      if (x.ok) text += " = " + x.actual;
      else if (x.error) text += ": unknown rule '" + x.rule + "'";
      else text += ": expected " + x.expected + ", got " + x.actual;
      line(text);
    }
    line(std::string(suite.status == "pass" ? "ok   " : suite.status == "fail" ? "FAIL " : "ERROR ") + suite.name + " (" +
         suite.file + "): " + std::to_string(met) + "/" + std::to_string(suite.expectations.size()) +
         " expectations met");
    for (const auto& n : suite.notices) line("      note: " + n);
  }
  std::cout << s.suites << " suites, " << s.expectations << " expectations\n"
            << s.passed << " passed, " << s.failed << " failed, " << s.errors << " errors\n";
}

void WriteJson(const std::vector<SuiteReport>& suites, const Summary& s) {
  JsonOut out(std::cout);
  aimsgate::JsonPrettyWriter<JsonOut> w(out);
  w.SetIndent(' ', 2);
  auto str = [&](const std::string& v) {
    const std::string clean = SanitizeUtf8(v);
    w.String(clean.c_str(), static_cast<rapidjson::SizeType>(clean.size()));
  };
  w.StartObject();
  w.Key("suites");
  w.StartArray();
  for (const auto& suite : suites) {
    w.StartObject();
    w.Key("name"); str(suite.name);
    w.Key("file"); str(suite.file);
    w.Key("line"); w.Int(suite.line);
    w.Key("status"); str(suite.status);
    w.Key("error");
    if (suite.error.empty()) w.Null(); else str(suite.error);
    w.Key("notices");
    w.StartArray();
    for (const auto& n : suite.notices) str(n);
    w.EndArray();
    w.Key("expectations");
    w.StartArray();
    for (const auto& x : suite.expectations) {
      w.StartObject();
      if (x.decision) {
        w.Key("decision"); w.Bool(true);
      } else {
        w.Key("rule"); str(x.rule);
      }
      w.Key("kind"); str(x.kind);
      w.Key("namespace"); str(x.ns);
      w.Key("name"); str(x.name);
      w.Key("expected"); str(x.expected);
      w.Key("actual"); str(x.actual);
      w.Key("ok"); w.Bool(x.ok);
      w.Key("line"); w.Int(x.line);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("summary");
  w.StartObject();
  w.Key("suites"); w.Uint64(s.suites);
  w.Key("expectations"); w.Uint64(s.expectations);
  w.Key("passed"); w.Uint64(s.passed);
  w.Key("failed"); w.Uint64(s.failed);
  w.Key("errors"); w.Uint64(s.errors);
  w.EndObject();
  w.EndObject();
  out.Flush();
  std::cout << "\n";
}

// One <testsuite> per suite, one <testcase> per expectation; a suite that
// could not run is one testcase with an <error>.  No timestamps: reproducible.
void WriteJunit(const std::vector<SuiteReport>& suites, const Summary& s) {
  auto a = [](const std::string& v) { return XmlEscape(v, true); };
  std::cout << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  size_t broken_suites = 0;
  for (const auto& suite : suites) broken_suites += suite.status == "error" && suite.expectations.empty();
  std::cout << "<testsuites name=\"aimsgate test\" tests=\"" << s.expectations + broken_suites << "\" failures=\"" << s.failed
            << "\" errors=\"" << s.errors << "\">\n";
  for (const auto& suite : suites) {
    size_t failures = 0, errors = 0;
    for (const auto& x : suite.expectations) {
      failures += !x.ok && !x.error;
      errors += x.error;
    }
    const bool broken = suite.status == "error" && suite.expectations.empty();
    std::cout << "  <testsuite name=\"" << a(suite.name) << "\" file=\"" << a(suite.file) << "\" tests=\""
              << (broken ? 1 : suite.expectations.size()) << "\" failures=\"" << failures << "\" errors=\""
              << (broken ? 1 : errors) << "\">\n";
    if (broken) {
      std::cout << "    <testcase name=\"load\" classname=\"" << a(suite.name) << "\" file=\"" << a(suite.file)
                << "\" line=\"" << suite.line << "\">\n      <error message=\"" << a(suite.error)
                << "\" type=\"load\"/>\n    </testcase>\n";
    }
    for (const auto& x : suite.expectations) {
      std::cout << "    <testcase name=\"" << a(What(x) + " " + Who(x)) << "\" classname=\"" << a(suite.name) << "\" file=\""
                << a(suite.file) << "\" line=\"" << x.line << "\"";
      if (x.ok) {
        std::cout << "/>\n";
        continue;
      }
      std::cout << ">\n";
      if (x.error) {
        std::cout << "      <error message=\"" << a("unknown rule '" + x.rule + "'") << "\" type=\"unknown-rule\"/>\n";
      } else {
        std::cout << "      <failure message=\"" << a("expected " + x.expected + ", got " + x.actual)
                  << "\" type=\"mismatch\"/>\n";
      }
      std::cout << "    </testcase>\n";
    }
    if (!suite.notices.empty()) {  // waiver notices: not tests, the suite's output
      std::cout << "    <system-out>";
      for (const auto& n : suite.notices) std::cout << XmlEscape(n, false) << "\n";
      std::cout << "</system-out>\n";
    }
    std::cout << "  </testsuite>\n";
  }
  std::cout << "</testsuites>\n";
}

int RunTest(const TestOptions& o) {
  std::vector<std::string> files;
  for (const auto& d : o.dirs.empty() ? std::vector<std::string>{"."} : o.dirs) {
    std::error_code ec;
    if (fs::is_regular_file(d, ec)) {
      files.push_back(d);
      continue;
    }
    if (!fs::is_directory(d, ec)) {
      std::cerr << d << ": error: no such directory\n";
      return 2;
    }
    for (auto it = fs::recursive_directory_iterator(d, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() == "aimsgate-test.yaml") files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "aimsgate test: error: no aimsgate-test.yaml found\n";
    return 2;
  }
  ErrorPrinter errors;
  std::vector<SuiteReport> suites;
  for (const auto& file : files) {
    std::string text, why;
    if (!kernel::ReadWholeFile(file, kernel::kMaxInputFileBytes, &text, &why)) {
      SuiteReport& report = suites.emplace_back();
      report.name = report.file = file;
      report.status = "error";
      report.error = "cannot read the test suite: " + why;
      errors.Print(file + ": error: " + report.error);
      continue;
    }
    try {
      std::vector<YAML::Node> docs = LoadAllYamlChecked(text);
      for (const auto& doc : docs) {
        if (doc.IsNull()) continue;
        SuiteReport& report = suites.emplace_back();
        if (!doc.IsMap() || !doc["kind"] || doc["kind"].Scalar() != "RulePackTest") {
          report.name = report.file = file;
          report.line = PosOf(doc).line;
          report.status = "error";
          report.error = "document is not a RulePackTest";
          errors.Print(Located(file, doc, report.error));
          continue;
        }
        RunSuite(file, doc, &errors, &report);
      }
    } catch (const YAML::Exception& e) {
      SuiteReport& report = suites.emplace_back();
      report.name = report.file = file;
      report.line = e.mark.line + 1;
      report.status = "error";
      report.error = e.msg;
      errors.Print(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": error: " + e.msg);
    }
  }
  Summary summary = Summarize(suites);
  if (o.format == "json") WriteJson(suites, summary);
  else if (o.format == "junit") WriteJunit(suites, summary);
  else WriteText(suites, summary, o.verbose);
  if (summary.errors) return 2;
  return summary.failed ? 1 : 0;
}

}  // namespace

void AddTestCommand(CLI::App& root, CommandList* commands) {
  auto o = std::make_shared<TestOptions>();
  CLI::App* app = root.add_subcommand("test", "Run rule-pack test suites (aimsgate-test.yaml); exit 1 on any mismatch");
  app->add_option("dirs", o->dirs, "Directories searched recursively for aimsgate-test.yaml (or suite files)");
  app->add_option("--format", o->format, "text (default), json or junit")
      ->check(CLI::IsMember({"text", "json", "junit"}))
      ->allow_extra_args(false);
  app->add_flag("-v,--verbose", o->verbose, "Print every expectation, not only mismatches");
  commands->push_back({app, [o] { return RunTest(*o); }});
}

}  // namespace aimsgate::cli
