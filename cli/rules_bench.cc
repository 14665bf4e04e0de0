// aimsgate rules bench: per-rule evaluation time and CEL cost over a corpus (rules_bench.h).
//
// Each rule gets its own Engine (EngineOptions::only_rule), so a measurement is
// what one rule costs through the real evaluation path: matching, `when`,
// `assert`, the message of a failure.  Only the resources a rule's match selects
// (kinds, namespaces, selectors) are timed; a rule that selects none has no
// figures.  Times are wall-clock per Evaluate call (steady_clock), one thread.
#include "cli/rules_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <re2/re2.h>

#include "cli/engine_flags.h"
#include "cli/json_out.h"
#include "cli/scan.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/read_file.h"
#include "evaluator/manifest/admission_review.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::cli {
namespace {

struct BenchOptions {
  EngineOptions engine;
  std::vector<std::string> paths;
  int iterations = 0;
  std::string duration;
  std::string format = "text";
  std::string baseline;
  std::string max_regression;
};

struct RuleFigures {
  std::string rule;
  size_t candidates = 0;  // resources the rule's match selects (a result, skip included)
  size_t matched = 0;     // of those, resources the rule applied to (pass, fail, error, waived)
  size_t failed = 0;
  size_t evaluations = 0;
  int64_t p50 = 0, p95 = 0, p99 = 0, total_ns = 0;
  double cost_units = 0;  // CEL cost units per evaluation
  double share = 0;
  // Baseline comparison (when a baseline names the rule).
  bool compared = false;
  int64_t baseline_p50 = 0;
  double change = 0;  // (p50 - baseline) / baseline
  bool regressed = false;
};

// "500ms", "2s", "1.5s", "1m" -> nanoseconds; 0 on a bad value.
int64_t ParseDuration(const std::string& text) {
  double value = 0;
  std::string unit;
  if (!RE2::FullMatch(text, R"(([0-9]+(?:\.[0-9]+)?)(ms|s|m))", &value, &unit) || value <= 0) return 0;
  const double scale = unit == "ms" ? 1e6 : unit == "s" ? 1e9 : 60e9;
  return static_cast<int64_t>(value * scale);
}

// "20%" or "20" -> 0.20; negative on a bad value.
double ParsePercent(const std::string& text) {
  double value = 0;
  if (!RE2::FullMatch(text, R"(([0-9]+(?:\.[0-9]+)?)%?)", &value)) return -1;
  return value / 100.0;
}

std::string FormatNs(int64_t ns) {
  char buf[32];
  if (ns < 1000) std::snprintf(buf, sizeof buf, "%lldns", static_cast<long long>(ns));
  else if (ns < 1000000) std::snprintf(buf, sizeof buf, "%.2fµs", ns / 1e3);
  else std::snprintf(buf, sizeof buf, "%.2fms", ns / 1e6);
  return buf;
}

// Nearest-rank percentile of sorted samples.
int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

// One resource to evaluate: a manifest, or the object of a captured AdmissionReview
// with its request (read as `check` and `serve` read them).
struct BenchInput {
  manifest::Resource resource;
  const aimsgate::JsonValue* object = nullptr;      // what the rules evaluate
  const aimsgate::JsonValue* request = nullptr;     // the review's request, or null
  const aimsgate::JsonValue* old_object = nullptr;  // the review's request.oldObject, or null
};

bool ReadResources(const std::vector<std::string>& paths, std::vector<BenchInput>* out) {
  std::vector<Diagnostic> errors;
  std::vector<std::string> files = ExpandInputs(paths, &errors);
  for (const auto& file : files) {
    std::string data, why;
    if (!kernel::ReadWholeFile(file == "-" ? "/dev/stdin" : file, kernel::kMaxInputFileBytes, &data, &why)) {
      errors.push_back({file == "-" ? "<stdin>" : file, 0, 0, "cannot read the file: " + why});
      continue;
    }
    manifest::LoadResult loaded = manifest::LoadBytes(data, file == "-" ? "<stdin>" : file);
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
    for (auto& r : loaded.resources) {
      BenchInput input;
      input.object = r.object;
      if (manifest::IsAdmissionReview(*r.object)) {
        manifest::AdmissionReview review;
        std::string problem = manifest::ReadCapturedAdmissionReview(*r.object, &review);
        if (!problem.empty()) {
          errors.push_back({r.source, r.line, r.column, "AdmissionReview: " + problem});
          continue;
        }
        input.object = review.target;
        input.request = review.request;
        input.old_object = review.old_object;
      }
      input.resource = std::move(r);  // keeps the document the pointers above point into
      out->push_back(std::move(input));
    }
  }
  for (const auto& e : errors) std::cerr << e.ToString() << "\n";
  if (!errors.empty()) return false;
  if (out->empty()) {
    std::cerr << "aimsgate rules bench: error: no Kubernetes objects found in the given paths\n";
    return false;
  }
  return true;
}

// Reads a `--format json` report of an earlier run: rule id -> p50 in ns.
bool ReadBaseline(const std::string& path, std::map<std::string, int64_t>* p50) {
  std::string text, why;
  if (!kernel::ReadWholeFile(path, kernel::kMaxInputFileBytes, &text, &why)) {
    std::cerr << path << ": error: cannot read the baseline: " << why << "\n";
    return false;
  }
  aimsgate::JsonDocument doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < doc.GetErrorOffset() && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, col = 1;
      else ++col;
    }
    std::cerr << path << ":" << line << ":" << col << ": error: " << rapidjson::GetParseError_En(doc.GetParseError()) << "\n";
    return false;
  }
  auto rules = doc.IsObject() ? doc.FindMember("rules") : doc.MemberEnd();
  if (!doc.IsObject() || rules == doc.MemberEnd() || !rules->value.IsArray()) {
    std::cerr << path << ": error: not a `rules bench --format json` report (no \"rules\" list)\n";
    return false;
  }
  for (const auto& r : rules->value.GetArray()) {
    auto id = r.IsObject() ? r.FindMember("rule") : r.MemberEnd();
    auto p = r.IsObject() ? r.FindMember("p50_ns") : r.MemberEnd();
    if (!r.IsObject() || id == r.MemberEnd() || !id->value.IsString() || p == r.MemberEnd() || !p->value.IsNumber()) {
      std::cerr << path << ": error: every entry of \"rules\" needs \"rule\" (string) and \"p50_ns\" (number)\n";
      return false;
    }
    (*p50)[id->value.GetString()] = static_cast<int64_t>(p->value.GetDouble());
  }
  return true;
}

RuleFigures BenchRule(const Engine& engine, const std::string& rule, const std::vector<BenchInput>& resources,
                      int iterations, int64_t duration_ns, int64_t now) {
  RuleFigures f;
  f.rule = rule;
  cel::EvalState scratch;
  auto request_for = [&](const BenchInput& input) {
    const manifest::Resource& r = input.resource;
    EvalRequest req;
    req.request = input.request;
    req.old_object = input.old_object;
    req.now_unix = now;
    req.source = r.source;
    req.line = r.line;
    req.document_index = r.document_index;
    req.item_index = r.item_index;
    return req;
  };
  // One untimed pass: which resources the rule selects, what it decides, its cost.
  std::vector<const BenchInput*> selected;
  int64_t cost_before = cel::Program::TotalCost(scratch);
  for (const auto& r : resources) {
    ResourceEvaluation e = engine.Evaluate(*r.object, request_for(r), &scratch);
    if (e.results.empty()) continue;
    selected.push_back(&r);
    const Outcome o = e.results.front().result;
    if (o != Outcome::kSkip) ++f.matched;
    if (o == Outcome::kFail) ++f.failed;
  }
  f.candidates = selected.size();
  if (selected.empty()) return f;
  f.cost_units = static_cast<double>(cel::Program::TotalCost(scratch) - cost_before) / static_cast<double>(selected.size());
  std::vector<EvalRequest> requests;
  requests.reserve(selected.size());
  for (const auto* r : selected) requests.push_back(request_for(*r));
  std::vector<int64_t> samples;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  for (int pass = 0;; ++pass) {
    if (duration_ns > 0 ? pass > 0 && (Clock::now() - start).count() >= duration_ns : pass >= iterations) break;
    for (size_t i = 0; i < selected.size(); ++i) {
      const auto t0 = Clock::now();
      ResourceEvaluation e = engine.Evaluate(*selected[i]->object, requests[i], &scratch);
      const auto t1 = Clock::now();
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
  }
  std::sort(samples.begin(), samples.end());
  f.evaluations = samples.size();
  f.p50 = Percentile(samples, 0.50);
  f.p95 = Percentile(samples, 0.95);
  f.p99 = Percentile(samples, 0.99);
  for (int64_t s : samples) f.total_ns += s;
  return f;
}

void PrintText(const std::vector<RuleFigures>& figures, size_t resources, const std::string& passes, double max_regression) {
  size_t width = 4;
  for (const auto& f : figures) width = std::max(width, f.rule.size());
  std::printf("%-*s %8s %10s %10s %10s %10s %8s %6s\n", static_cast<int>(width), "RULE", "MATCHED", "EVALS", "P50", "P95",
              "P99", "COST", "SHARE");
  for (const auto& f : figures) {
    std::string matched = std::to_string(f.matched) + "/" + std::to_string(f.candidates);
    if (f.evaluations == 0) {
      std::printf("%-*s %8s %10s %10s %10s %10s %8s %6s\n", static_cast<int>(width), f.rule.c_str(), matched.c_str(), "0",
                  "-", "-", "-", "-", "-");
      continue;
    }
    char share[16];
    std::snprintf(share, sizeof share, "%.1f%%", f.share * 100);
    std::printf("%-*s %8s %10zu %10s %10s %10s %8.1f %6s", static_cast<int>(width), f.rule.c_str(), matched.c_str(),
                f.evaluations, FormatNs(f.p50).c_str(), FormatNs(f.p95).c_str(), FormatNs(f.p99).c_str(), f.cost_units,
                share);
    if (f.compared) std::printf("  %+.0f%% vs baseline %s%s", f.change * 100, FormatNs(f.baseline_p50).c_str(), f.regressed ? "  REGRESSED" : "");
    std::printf("\n");
  }
  std::printf("%zu rules over %zu resources, %s; MATCHED = applied/selected, COST = CEL cost units per evaluation\n",
              figures.size(), resources, passes.c_str());
  if (max_regression >= 0) {
    size_t regressed = std::count_if(figures.begin(), figures.end(), [](const RuleFigures& f) { return f.regressed; });
    std::printf("%zu rules slower than the baseline by more than %.0f%% (p50)\n", regressed, max_regression * 100);
  }
}

void PrintJson(const std::vector<RuleFigures>& figures, size_t resources, int iterations, int64_t duration_ns,
               const std::string& baseline, double max_regression) {
  JsonOut out(std::cout);
  aimsgate::JsonPrettyWriter<JsonOut> w(out);
  w.StartObject();
  w.Key("resources");
  w.Uint64(resources);
  if (duration_ns > 0) {
    w.Key("duration_ns");
    w.Int64(duration_ns);
  } else {
    w.Key("iterations");
    w.Int(iterations);
  }
  int64_t total = 0;
  for (const auto& f : figures) total += f.total_ns;
  w.Key("total_ns");
  w.Int64(total);
  w.Key("rules");
  w.StartArray();
  for (const auto& f : figures) {
    w.StartObject();
    w.Key("rule");
    w.String(f.rule.c_str());
    w.Key("selected");
    w.Uint64(f.candidates);
    w.Key("matched");
    w.Uint64(f.matched);
    w.Key("failed");
    w.Uint64(f.failed);
    w.Key("evaluations");
    w.Uint64(f.evaluations);
    w.Key("p50_ns");
    w.Int64(f.p50);
    w.Key("p95_ns");
    w.Int64(f.p95);
    w.Key("p99_ns");
    w.Int64(f.p99);
    w.Key("cost_units");
    w.Double(std::round(f.cost_units * 10) / 10);
    w.Key("share");
    w.Double(std::round(f.share * 10000) / 10000);
    if (f.compared) {
      w.Key("baseline_p50_ns");
      w.Int64(f.baseline_p50);
      w.Key("change");
      w.Double(std::round(f.change * 10000) / 10000);
      w.Key("regressed");
      w.Bool(f.regressed);
    }
    w.EndObject();
  }
  w.EndArray();
  if (!baseline.empty()) {
    w.Key("baseline");
    w.StartObject();
    w.Key("file");
    w.String(baseline.c_str());
    w.Key("max_regression");
    w.Double(max_regression);
    w.Key("regressed");
    w.StartArray();
    for (const auto& f : figures) {
      if (f.regressed) w.String(f.rule.c_str());
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  out.Put('\n');
  out.Flush();
}

int RunBench(const BenchOptions& o) {
  if (o.paths.empty()) {
    std::cerr << "aimsgate rules bench: error: give the files or directories of resources to evaluate\n";
    return 2;
  }
  if (o.iterations != 0 && !o.duration.empty()) {
    std::cerr << "aimsgate rules bench: error: --iterations and --duration exclude each other\n";
    return 2;
  }
  if (o.iterations < 0 || o.iterations > 1000000) {
    std::cerr << "--iterations: expected a count from 1 to 1000000, got " << o.iterations << "\n";
    return 2;
  }
  int64_t duration_ns = 0;
  if (!o.duration.empty() && (duration_ns = ParseDuration(o.duration)) == 0) {
    std::cerr << "--duration: expected a time per rule such as 500ms, 2s or 1m, got '" << o.duration << "'\n";
    return 2;
  }
  const int iterations = o.iterations > 0 ? o.iterations : 100;
  double max_regression = -1;
  if (!o.max_regression.empty()) {
    if (o.baseline.empty()) {
      std::cerr << "--max-regression: needs --baseline FILE to compare with\n";
      return 2;
    }
    if ((max_regression = ParsePercent(o.max_regression)) < 0) {
      std::cerr << "--max-regression: expected a percentage such as 20%, got '" << o.max_regression << "'\n";
      return 2;
    }
  } else if (!o.baseline.empty()) {
    max_regression = 0.20;
  }
  std::map<std::string, int64_t> baseline;
  if (!o.baseline.empty() && !ReadBaseline(o.baseline, &baseline)) return 2;

  std::vector<Diagnostic> diags;
  auto all = Engine::Load(o.engine, &diags);
  PrintDiagnostics(diags);
  if (!all) return 2;
  std::vector<BenchInput> resources;
  if (!ReadResources(o.paths, &resources)) return 2;
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();

  std::vector<RuleFigures> figures;
  for (const auto& info : all->rules()) {
    EngineOptions one = o.engine;
    one.only_rule = info.full_id;
    diags.clear();
    auto engine = Engine::Load(one, &diags);
    if (!engine) {
      PrintDiagnostics(diags);
      return 2;
    }
    figures.push_back(BenchRule(*engine, info.full_id, resources, iterations, duration_ns, now));
  }
  int64_t total = 0;
  for (const auto& f : figures) total += f.total_ns;
  bool regressed = false;
  for (auto& f : figures) {
    f.share = total > 0 ? static_cast<double>(f.total_ns) / static_cast<double>(total) : 0;
    auto b = baseline.find(f.rule);
    if (b == baseline.end() || b->second <= 0 || f.evaluations == 0) continue;
    f.compared = true;
    f.baseline_p50 = b->second;
    f.change = static_cast<double>(f.p50 - b->second) / static_cast<double>(b->second);
    f.regressed = f.change > max_regression;
    regressed |= f.regressed;
  }
  if (o.format == "json") {
    PrintJson(figures, resources.size(), iterations, duration_ns, o.baseline, max_regression);
  } else {
    PrintText(figures, resources.size(), duration_ns > 0 ? o.duration + " per rule" : std::to_string(iterations) + " passes",
              o.baseline.empty() ? -1 : max_regression);
  }
  for (const auto& f : figures) {
    if (!f.regressed) continue;
    std::cerr << "regression: " << f.rule << " p50 " << FormatNs(f.p50) << " vs baseline " << FormatNs(f.baseline_p50)
              << " (" << (f.change >= 0 ? "+" : "") << static_cast<int>(std::lround(f.change * 100)) << "%, allowed "
              << static_cast<int>(std::lround(max_regression * 100)) << "%)\n";
  }
  return regressed ? 1 : 0;
}

}  // namespace

void AddRulesBenchCommand(CLI::App* rules, CommandList* commands) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* app = rules->add_subcommand("bench", "Time each rule over resources: p50/p95/p99, CEL cost, share; compare with a baseline");
  app->add_option("paths", o->paths, "Files or directories of resources (\"-\" for stdin)");
  app->add_option("--iterations", o->iterations, "Passes over the resources per rule (default 100)");
  app->add_option("--duration", o->duration, "Time per rule instead of a pass count: 500ms, 2s, 1m");
  app->add_option("--format", o->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  app->add_option("--baseline", o->baseline, "A `rules bench --format json` report to compare p50s with");
  app->add_option("--max-regression", o->max_regression,
                  "With --baseline: exit 1 when a rule's p50 grew by more than this (default 20%)");
  AddEngineFlags(app, &o->engine, true);
  commands->push_back({app, [o] { return RunBench(*o); }});
}

}  // namespace aimsgate::cli
