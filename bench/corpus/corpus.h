// A deterministic corpus of Kubernetes manifests for the benchmarks and the
// bench-equivalence test: Deployments, StatefulSets, KServe InferenceServices
// and Pods of 2-6 KB, most of them AI workloads carrying the aimsgate.io
// vocabulary; about a third violate 1-3 rules (missing annotations, unpinned
// images, privileged containers, no limits, too many replicas, a system
// namespace), so both the built-in ISO pack and bench/micro/typical10.yaml see
// passes and failures.
//
//   bench::CorpusOptions o;  o.seed = 42;
//   std::string json = bench::GenerateManifest(o, 17, bench::Format::kJson);
//   std::string yaml = bench::GenerateManifest(o, 17, bench::Format::kYaml);
//
// The same (seed, index) always gives the same object; JSON and YAML forms of
// one index describe the same object.  Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::bench {

enum class Format { kJson, kYaml };

struct CorpusOptions {
  uint64_t seed = 42;
  // Share of manifests that violate 1-3 rules, in percent.
  int violating_percent = 33;
};

// Builds manifest number `index` into `doc` (which owns the allocator).
void GenerateObject(const CorpusOptions& options, uint64_t index, aimsgate::JsonDocument* doc);

std::string GenerateManifest(const CorpusOptions& options, uint64_t index, Format format);

// Block-style YAML of a JSON value (strings double-quoted, so every scalar
// reads back with its JSON type).
std::string ToYaml(const aimsgate::JsonValue& value);

}  // namespace aimsgate::bench
