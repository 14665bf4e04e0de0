// The aimsgate side of bench/peers/run: the ten typical rules
// (bench/micro/typical10.yaml) on every JSON manifest of a directory, timed
// like the JavaScript side (celjs_typical10.mjs): evaluation alone on parsed
// manifests, and parse + evaluation from the file bytes. The parse keeps no
// field positions, like JSON.parse on the JavaScript side and like the webhook's
// parse of an AdmissionReview; `check` keeps them for its reports, and
// parse_eval_positions_per_s is that figure.
//
//   aimsgate_peer_typical10 PACK DIR [PASSES]
//   -> {"eval_us": 2.1, "parse_eval_per_s": 61000, "parse_eval_positions_per_s": 52000,
//       "manifests": 2000, "fails": {"typical10/...": n}}
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"

using namespace aimsgate;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PACK DIR [PASSES]\n", argv[0]);
    return 2;
  }
  const int passes = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  EngineOptions o;
  o.rule_paths = {argv[1]};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  if (!engine) {
    for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return 2;
  }
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(argv[2])) {
    if (e.path().extension() == ".json") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> texts;
  for (const auto& p : paths) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    texts.push_back(ss.str());
  }
  std::vector<manifest::LoadResult> loaded;
  for (size_t i = 0; i < texts.size(); ++i) {
    loaded.push_back(manifest::LoadJson(texts[i], paths[i]));
    if (loaded.back().resources.size() != 1) {
      std::fprintf(stderr, "%s: not one manifest\n", paths[i].c_str());
      return 2;
    }
  }
  cel::EvalState scratch;
  EvalRequest req;
  req.now_unix = 1790000000;
  std::map<std::string, int> fails;
  for (const auto& l : loaded) {  // verdicts, and a warm-up pass
    for (const auto& r : engine->Evaluate(*l.resources[0].object, req, &scratch).results) {
      if (r.result == Outcome::kFail) ++fails[r.rule()];
    }
  }
  using Clock = std::chrono::steady_clock;
  size_t sink = 0;
  auto t0 = Clock::now();
  for (int p = 0; p < passes; ++p) {
    for (const auto& l : loaded) sink += engine->Evaluate(*l.resources[0].object, req, &scratch).results.size();
  }
  const double eval_s = std::chrono::duration<double>(Clock::now() - t0).count();
  auto parse_and_evaluate = [&](const manifest::Limits& limits) {
    const auto start = Clock::now();
    for (int p = 0; p < passes; ++p) {
      for (size_t i = 0; i < texts.size(); ++i) {
        manifest::LoadResult l = manifest::LoadJson(texts[i], paths[i], limits);
        sink += engine->Evaluate(*l.resources[0].object, req, &scratch).results.size();
      }
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  manifest::Limits no_positions;
  no_positions.record_field_lines = false;
  const double both_s = parse_and_evaluate(no_positions);
  const double positions_s = parse_and_evaluate(manifest::Limits());
  const double n = static_cast<double>(texts.size()) * passes;
  std::printf(
      "{\"eval_us\": %.3f, \"parse_eval_per_s\": %.0f, \"parse_eval_positions_per_s\": %.0f, \"manifests\": %zu, "
      "\"sink\": %zu, \"fails\": {",
      1e6 * eval_s / n, n / both_s, n / positions_s, texts.size(), sink);
  bool first = true;
  for (const auto& [rule, count] : fails) {
    std::printf("%s\"%s\": %d", first ? "" : ", ", rule.c_str(), count);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}
