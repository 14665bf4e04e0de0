// Micro-benchmarks of the evaluator (issue 6): CEL compile, evaluation per rule,
// whole packs per manifest beside hand-written C++, rule-count sweeps, the kind
// index, and manifest loading.  bench/run prints the ratios; see bench/README.md.
//
//   build-bench/bench/aimsgate_micro --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "bench/corpus/corpus.h"
#include "bench/micro/native_rules.h"
#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::bench {
namespace {

constexpr int kCorpusSize = 256;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const std::vector<std::unique_ptr<aimsgate::JsonDocument>>& Corpus() {
  static const auto* docs = [] {
    auto* v = new std::vector<std::unique_ptr<aimsgate::JsonDocument>>();
    CorpusOptions o;
    for (int i = 0; i < kCorpusSize; ++i) {
      v->push_back(std::make_unique<aimsgate::JsonDocument>());
      GenerateObject(o, static_cast<uint64_t>(i), v->back().get());
    }
    return v;
  }();
  return *docs;
}

std::shared_ptr<const Engine> LoadEngine(const std::vector<std::string>& paths) {
  EngineOptions o;
  o.rule_paths = paths;
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  if (!engine) {
    for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    std::abort();
  }
  return engine;
}

// Loads a generated pack through a temporary file, removed once loaded (the
// engine keeps no handle on it), so repeated runs leave nothing in /tmp.
std::shared_ptr<const Engine> LoadEngineFromText(const std::string& text) {
  char path[] = "/tmp/aimsgate-bench-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  if (fd < 0) {
    std::perror("mkstemps");
    std::abort();
  }
  close(fd);
  std::ofstream(path) << text;
  auto engine = LoadEngine({path});
  unlink(path);
  return engine;
}

const std::string& Typical10Path() {
  static const std::string path = std::string(AIMSGATE_SOURCE_DIR) + "/bench/micro/typical10.yaml";
  return path;
}

// typical10.yaml with its rules repeated (ids suffixed) up to `rules`, plus
// `unmatched` copies that only match ConfigMaps (the kind index must skip them).
std::string SweepPack(int rules, int unmatched, int only_rule = -1) {
  YAML::Node pack = YAML::Load(ReadFile(Typical10Path()));
  YAML::Node base = pack["spec"]["rules"];
  YAML::Node out(YAML::NodeType::Sequence);
  const int n = static_cast<int>(base.size());
  for (int i = 0; i < rules; ++i) {
    const int k = only_rule >= 0 ? only_rule : i % n;
    YAML::Node r = YAML::Clone(base[k]);
    r["id"] = base[k]["id"].as<std::string>() + "-" + std::to_string(i);
    out.push_back(r);
  }
  for (int i = 0; i < unmatched; ++i) {
    YAML::Node r = YAML::Clone(base[i % n]);
    r["id"] = "unmatched-" + std::to_string(i);
    r["match"]["kinds"] = std::vector<std::string>{"v1/ConfigMap"};
    out.push_back(r);
  }
  pack["spec"]["rules"] = out;
  pack["metadata"]["name"] = "sweep";
  YAML::Emitter e;
  e << pack;
  return e.c_str();
}

void EvaluateCorpus(benchmark::State& state, const Engine& engine) {
  const auto& docs = Corpus();
  cel::EvalState scratch;
  EvalRequest req;
  req.now_unix = 1790000000;
  size_t i = 0, results = 0;
  for (auto _ : state) {
    ResourceEvaluation r = engine.Evaluate(*docs[i++ % docs.size()], req, &scratch);
    results += r.results.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rules/manifest"] = static_cast<double>(results) / static_cast<double>(state.iterations());
}

// ---- whole packs per manifest ---------------------------------------------------

void BM_Typical10_Native(benchmark::State& state) {
  const auto& docs = Corpus();
  std::vector<NativeResult> out;
  size_t i = 0, results = 0;
  for (auto _ : state) {
    out.clear();
    EvaluateTypical10(*docs[i++ % docs.size()], &out);
    results += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["rules/manifest"] = static_cast<double>(results) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Typical10_Native);

void BM_Typical10_Engine(benchmark::State& state) {
  static auto engine = LoadEngine({Typical10Path()});
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_Typical10_Engine);

void BM_IsoPack_Engine(benchmark::State& state) {
  static auto engine = LoadEngine({});
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_IsoPack_Engine);

// Fixed iteration counts (one pass over the corpus x10) for instruction counts
// under callgrind, which must divide by a known number of manifests:
//   valgrind --tool=callgrind --toggle-collect='aimsgate::Engine::Evaluate*'
//       build-bench/bench/aimsgate_micro --benchmark_filter=Profile/Typical10_Engine
//   then divide the instruction count by 2560.
BENCHMARK(BM_Typical10_Native)->Name("Profile/Typical10_Native")->Iterations(10 * kCorpusSize);
BENCHMARK(BM_Typical10_Engine)->Name("Profile/Typical10_Engine")->Iterations(10 * kCorpusSize);
BENCHMARK(BM_IsoPack_Engine)->Name("Profile/IsoPack_Engine")->Iterations(10 * kCorpusSize);

// ---- compile ---------------------------------------------------------------------

void BM_IsoPack_Compile(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LoadEngine({}));
}
BENCHMARK(BM_IsoPack_Compile)->Unit(benchmark::kMillisecond);

const char* const kExpressions[] = {
    "has(object.metadata.labels) && 'team' in object.metadata.labels",
    "object.metadata.labels['env'] in ['dev', 'staging', 'prod']",
    "object.metadata.annotations['example.com/owner'].matches('^[a-z0-9.-]+@example\\\\.com$')",
    "object.spec.template.spec.containers.all(c, c.image.matches('@sha256:[0-9a-f]{64}$'))",
    "object.spec.template.spec.containers.all(c, has(c.resources.limits) && 'cpu' in c.resources.limits)",
    "!has(object.spec.replicas) || object.spec.replicas <= 10",
};

void BM_Cel_ParseCompile(benchmark::State& state) {
  cel::Env env;
  env.DeclareVariable("object");
  const std::string expr = kExpressions[state.range(0)];
  for (auto _ : state) {
    cel::CompileResult c = env.Compile(expr);
    if (!c.ok()) state.SkipWithError("compile failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetLabel(expr.substr(0, 48));
}
BENCHMARK(BM_Cel_ParseCompile)->DenseRange(0, 5);

// ---- constant-pattern matches (match_memo.h) --------------------------------------

// `image.matches(digest pattern)` on range(0) distinct image names of ~110 bytes,
// in turn: with 16 the memo answers after the first pass; with 4,096 (more than
// its slots, each evicted before it comes back) every match misses, the memo's
// worst case: its cost over RE2's.
void BM_Cel_Matches(benchmark::State& state) {
  cel::Env env;
  const int s = env.DeclareVariable("image");
  cel::CompileResult c = env.Compile("image.matches('@sha256:[0-9a-f]{64}$')");
  if (!c.ok()) {
    state.SkipWithError("compile failed");
    return;
  }
  std::vector<std::string> images;
  for (int64_t i = 0; i < state.range(0); ++i) {
    char digest[65];
    for (int d = 0; d < 64; ++d) digest[d] = "0123456789abcdef"[(i * 31 + d * 7) % 16];
    digest[64] = '\0';
    images.push_back("registry.example.com/team-" + std::to_string(i % 97) + "/service-" + std::to_string(i) + ":1." +
                     std::to_string(i % 13) + ".0@sha256:" + digest);
  }
  cel::EvalState scratch;
  cel::Activation act(env);
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    act.Set(s, cel::Value::String(images[i++ % images.size()]));
    matched += c.program->Evaluate(act, &scratch).BoolValue();
  }
  benchmark::DoNotOptimize(matched);
}
BENCHMARK(BM_Cel_Matches)->Arg(16)->Arg(4096);
// Instructions per match under callgrind (divide by 40,960):
//   valgrind --tool=callgrind --toggle-collect='aimsgate::cel::(anonymous namespace)::ProgramImpl::Evaluate(*'
//       build/bench/aimsgate_micro --benchmark_filter='Profile/Cel_Matches/4096/'
BENCHMARK(BM_Cel_Matches)->Name("Profile/Cel_Matches")->Arg(16)->Arg(4096)->Iterations(40960);

// ---- one rule at a time ----------------------------------------------------------

void BM_Rule_Engine(benchmark::State& state) {
  const int rule = static_cast<int>(state.range(0));
  auto engine = LoadEngineFromText(SweepPack(1, 0, rule));
  state.SetLabel(kTypical10Ids[rule]);
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_Rule_Engine)->DenseRange(0, 9);

// ---- sweeps ----------------------------------------------------------------------

void BM_RuleSweep(benchmark::State& state) {
  auto engine = LoadEngineFromText(SweepPack(static_cast<int>(state.range(0)), 0));
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_RuleSweep)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_RuleSweep)->Name("Profile/RuleSweep")->Arg(10)->Arg(100)->Arg(1000)->Iterations(kCorpusSize);

// 10 matching rules and N rules for another kind: the kind index should make
// the N rules free.
void BM_KindIndex(benchmark::State& state) {
  auto engine = LoadEngineFromText(SweepPack(10, static_cast<int>(state.range(0))));
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_KindIndex)->Arg(0)->Arg(1000);

// ---- the matching step (issue 14 item 6) ----------------------------------------

// A pack of `rules` rules whose match blocks reject every corpus object (other
// kinds, wildcard kinds with a label selector, namespaces, every selector
// operator), so Evaluate is the object's bookkeeping plus the matching step alone.
std::string MatchOnlyPack(int rules) {
  static const char* const kMatches[] = {
      R"({kinds: ["v1/ConfigMap", "v1/Service"]})",
      R"({kinds: ["batch/v1/Job"]})",
      R"({kinds: ["*"], labelSelector: {matchLabels: {tier: frontend}}})",
      R"({kinds: ["apps/*/*"], labelSelector: {matchExpressions: [{key: env, operator: In, values: [dev]}]}})",
      R"({kinds: ["apps/v1/Deployment", "apps/v1/StatefulSet", "v1/Pod"], namespaces: ["prod-*", "payments"]})",
      R"({kinds: ["apps/v1/Deployment", "v1/Pod"], namespaces: {exclude: ["ml-*", "kube-system"]}})",
      R"({kinds: ["Deployment", "StatefulSet", "Pod", "InferenceService"], labelSelector: {matchExpressions: [{key: tier, operator: Exists}]}})",
      R"({kinds: ["apps/v1/Deployment", "apps/v1/StatefulSet"], labelSelector: {matchExpressions: [{key: app.kubernetes.io/part-of, operator: NotIn, values: [ml-platform, web]}]}})",
      R"({kinds: ["*/*/Deployment", "v1/Pod"], labelSelector: {matchExpressions: [{key: app.kubernetes.io/name, operator: DoesNotExist}]}})",
      R"({kinds: ["serving.kserve.io/v1beta1/InferenceService"], labelSelector: {matchLabels: {env: dev, team: none}}})",
  };
  std::string out = "apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: matchonly, version: 1.0.0}\nspec:\n  rules:\n";
  for (int i = 0; i < rules; ++i) {
    out += "  - id: r" + std::to_string(i) + "\n    match: " + kMatches[i % 10] + "\n    assert: \"true\"\n    message: m\n";
  }
  return out;
}

void BM_MatchOnly(benchmark::State& state) {
  auto engine = LoadEngineFromText(MatchOnlyPack(static_cast<int>(state.range(0))));
  EvaluateCorpus(state, *engine);
}
BENCHMARK(BM_MatchOnly)->Arg(1)->Arg(100);
// Instructions per object under callgrind (divide by 2560, subtract /1 from /100):
//   valgrind --tool=callgrind --toggle-collect='aimsgate::Engine::Evaluate*'
//       build/bench/aimsgate_micro --benchmark_filter='Profile/MatchOnly/100/'
BENCHMARK(BM_MatchOnly)->Name("Profile/MatchOnly")->Arg(1)->Arg(100)->Iterations(10 * kCorpusSize);

// ---- manifest loading ------------------------------------------------------------

const std::vector<std::string>& Texts(Format format) {
  static std::vector<std::string> yaml, json;
  auto& v = format == Format::kYaml ? yaml : json;
  if (v.empty()) {
    CorpusOptions o;
    for (int i = 0; i < kCorpusSize; ++i) v.push_back(GenerateManifest(o, static_cast<uint64_t>(i), format));
  }
  return v;
}

void Load(benchmark::State& state, Format format) {
  const auto& texts = Texts(format);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& t = texts[i++ % texts.size()];
    manifest::LoadResult r = format == Format::kYaml ? manifest::LoadYaml(t, "bench.yaml") : manifest::LoadJson(t, "bench.json");
    if (r.resources.size() != 1) state.SkipWithError("load failed");
    bytes += t.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
void BM_Load_Yaml_aimsgate(benchmark::State& state) { Load(state, Format::kYaml); }
void BM_Load_Json_aimsgate(benchmark::State& state) { Load(state, Format::kJson); }
BENCHMARK(BM_Load_Yaml_aimsgate);
BENCHMARK(BM_Load_Json_aimsgate);

// Each manifest's parse and then the ISO pack on it, as `check` and the webhook run
// them: the pack reads a document that is still in cache. BM_IsoPack_Engine cycles
// through 256 documents parsed long before, so its first reads of each miss; this
// minus BM_Load_Json_aimsgate is the pack's cost in place.
void BM_Load_Json_IsoPack(benchmark::State& state) {
  static auto engine = LoadEngine({});
  const auto& texts = Texts(Format::kJson);
  cel::EvalState scratch;
  EvalRequest req;
  req.now_unix = 1790000000;
  size_t i = 0, results = 0;
  for (auto _ : state) {
    manifest::LoadResult r = manifest::LoadJson(texts[i++ % texts.size()], "bench.json");
    if (r.resources.size() != 1) state.SkipWithError("load failed");
    ResourceEvaluation e = engine->Evaluate(*r.resources[0].object, req, &scratch);
    results += e.results.size();
    benchmark::DoNotOptimize(e);
  }
  state.counters["rules/manifest"] = static_cast<double>(results) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Load_Json_IsoPack);

void BM_Load_Yaml_yamlcpp(benchmark::State& state) {
  const auto& texts = Texts(Format::kYaml);
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& t = texts[i++ % texts.size()];
    YAML::Node n = YAML::Load(t);
    bytes += t.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Load_Yaml_yamlcpp);

}  // namespace
}  // namespace aimsgate::bench

BENCHMARK_MAIN();
