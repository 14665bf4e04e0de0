// Reading manifests from paths and evaluating them with an Engine, in
// parallel, with a deterministic order of results (file, then document).
//
//   ScanOptions opts; opts.paths = {"deploy/"}; opts.jobs = 2;
//   ScanResult r = Scan(*engine, opts);
//   r.evaluations (sorted by source, document, item), r.errors (input errors)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

struct InputError {
  std::string source;
  int line = 0;
  int column = 0;
  std::string message;
  std::string ToString() const;
};

struct ScanOptions {
  std::vector<std::string> paths;  // files, directories (recursive), "-" for stdin
  int jobs = 0;                     // 0 = number of cores
  int64_t now_unix = 0;             // 0 = current time
  int64_t max_file_bytes = 64ll << 20;
  bool digest_objects = false;      // evidence needs the objects' SHA-256
};

struct ScanResult {
  std::vector<ResourceEvaluation> evaluations;
  std::vector<InputError> errors;
  size_t files = 0;
  uint64_t bytes = 0;
};

// Expands paths into the ordered list of manifest files (.yaml, .yml, .json);
// "-" stays "-".  Missing paths become input errors.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& paths, std::vector<InputError>* errors);

ScanResult Scan(const Engine& engine, const ScanOptions& options);

}  // namespace aimsgate::cli
