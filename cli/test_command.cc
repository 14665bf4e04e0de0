// aimsgate test DIR...: rule-pack test suites (docs/rule-packs.md).  Each
// aimsgate-test.yaml names packs, resources and inputs and the expected result
// per (resource, rule); the command prints every mismatch and exits 1 on any.
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/scan.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate::cli {
namespace {

namespace fs = std::filesystem;

struct TestOptions {
  std::vector<std::string> dirs;
  bool verbose = false;
};

struct Expectation {
  std::string rule, kind, name, ns, result;
  int line = 0;
};

struct Counts {
  int passed = 0, failed = 0, suites = 0;
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

// Returns false on a suite that cannot run (reported as an error, exit 2).
bool RunSuite(const std::string& file, const YAML::Node& doc, const TestOptions& o, Counts* counts) {
  fs::path base = fs::path(file).parent_path();
  std::string name = doc["metadata"] && doc["metadata"]["name"] ? doc["metadata"]["name"].Scalar() : file;
  YAML::Node spec = doc["spec"];
  auto fail_load = [&](const YAML::Node& at, const std::string& msg) {
    SourcePos p = PosOf(at);
    std::cerr << file << ":" << p.line << ":" << p.column << ": error: " << msg << "\n";
    return false;
  };
  if (!spec || !spec.IsMap()) return fail_load(doc, "RulePackTest without spec");
  for (const auto& kv : spec) {
    static const char* kKnown[] = {"packs", "resources", "inventory", "waivers", "params", "modelCard", "bom", "now", "results"};
    std::string k = kv.first.Scalar();
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* s) { return k == s; })) {
      return fail_load(kv.first, "unknown field '" + k + "' in RulePackTest spec");
    }
  }
  EngineOptions eo;
  for (const auto& p : Strings(spec["packs"])) eo.rule_paths.push_back(Resolve(base, p));
  if (spec["inventory"]) eo.inventory_path = Resolve(base, spec["inventory"].Scalar());
  for (const auto& w : Strings(spec["waivers"])) eo.waiver_paths.push_back(Resolve(base, w));
  if (spec["modelCard"]) eo.model_card_path = Resolve(base, spec["modelCard"].Scalar());
  if (spec["bom"]) eo.bom_path = Resolve(base, spec["bom"].Scalar());
  if (YAML::Node params = spec["params"]) {
    for (const auto& kv : params) {
      YAML::Emitter e;
      e << YAML::Flow << kv.second;
      eo.param_overrides.push_back(kv.first.Scalar() + "=" + e.c_str());
    }
  }
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(eo, &diags);
  PrintDiagnostics(diags);
  if (!engine) return fail_load(doc, "suite '" + name + "': packs or inputs do not load");
  ScanOptions so;
  so.jobs = 1;
  so.admission_reviews = true;
  for (const auto& r : Strings(spec["resources"])) so.paths.push_back(Resolve(base, r));
  if (spec["now"] && !ParseRfc3339(spec["now"].Scalar(), &so.now_unix)) {
    return fail_load(spec["now"], "now is not an RFC 3339 date-time");
  }
  ScanResult scan = Scan(*engine, so);
  for (const auto& e : scan.errors) std::cerr << e.ToString() << "\n";
  if (!scan.errors.empty()) return fail_load(doc, "suite '" + name + "': resources do not load");

  // (kind, namespace, name, rule) -> result
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::string> actual;
  for (const auto& ev : scan.evaluations) {
    for (const auto& r : ev.results) {
      actual[{ev.resource.kind, ev.resource.namespace_, ev.resource.name, r.rule}] = ToString(r.result);
    }
  }
  ++counts->suites;
  int mismatches = 0;
  YAML::Node results = spec["results"];
  if (!results || !results.IsSequence() || results.size() == 0) return fail_load(spec, "suite '" + name + "' expects no results");
  for (const auto& item : results) {
    Expectation x;
    x.line = PosOf(item).line;
    x.rule = item["rule"] ? item["rule"].Scalar() : "";
    x.kind = item["kind"] ? item["kind"].Scalar() : "";
    x.name = item["name"] ? item["name"].Scalar() : "";
    x.ns = item["namespace"] ? item["namespace"].Scalar() : "";
    x.result = item["result"] ? item["result"].Scalar() : "";
    static const char* kResults[] = {"pass", "fail", "skip", "waived", "error"};
    if (x.rule.empty() || x.kind.empty() || x.name.empty() ||
        std::none_of(std::begin(kResults), std::end(kResults), [&](const char* s) { return x.result == s; })) {
      return fail_load(item, "each expected result needs rule, kind, name and result (pass|fail|skip|waived|error)");
    }
    auto it = actual.find({x.kind, x.ns, x.name, x.rule});
    std::string got = it == actual.end() ? "no result" : it->second;
    if (got == x.result) {
      ++counts->passed;
      if (o.verbose) std::cout << "  ok   " << name << "  " << x.rule << "  " << x.kind << " " << x.name << " = " << got << "\n";
      continue;
    }
    ++counts->failed;
    ++mismatches;
    std::cout << file << ":" << x.line << ": FAIL " << name << "  " << x.rule << "  " << x.kind << " "
              << (x.ns.empty() ? "" : x.ns + "/") << x.name << ": expected " << x.result << ", got " << got << "\n";
  }
  std::cout << (mismatches ? "FAIL " : "ok   ") << name << " (" << file << "): " << results.size() - mismatches << "/"
            << results.size() << " expectations met\n";
  return true;
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
  Counts counts;
  bool load_errors = false;
  for (const auto& file : files) {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAllFromFile(file);
      for (const auto& doc : docs) {
        if (doc.IsNull()) continue;
        if (!doc.IsMap() || !doc["kind"] || doc["kind"].Scalar() != "RulePackTest") {
          SourcePos p = PosOf(doc);
          std::cerr << file << ":" << p.line << ":" << p.column << ": error: document is not a RulePackTest\n";
          load_errors = true;
          continue;
        }
        if (!RunSuite(file, doc, o, &counts)) load_errors = true;
      }
    } catch (const YAML::Exception& e) {
      std::cerr << file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": error: " << e.msg << "\n";
      load_errors = true;
    }
  }
  std::cout << counts.suites << " suites\n" << counts.passed << " passed, " << counts.failed << " failed\n";
  if (load_errors) return 2;
  return counts.failed ? 1 : 0;
}

}  // namespace

void AddTestCommand(CLI::App& root, CommandList* commands) {
  auto o = std::make_shared<TestOptions>();
  CLI::App* app = root.add_subcommand("test", "Run rule-pack test suites (aimsgate-test.yaml); exit 1 on any mismatch");
  app->add_option("dirs", o->dirs, "Directories searched recursively for aimsgate-test.yaml (or suite files)");
  app->add_flag("-v,--verbose", o->verbose, "Print every expectation, not only mismatches");
  commands->push_back({app, [o] { return RunTest(*o); }});
}

}  // namespace aimsgate::cli
