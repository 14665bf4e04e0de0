// Data files compiled into the binary (embed_files.cmake): the built-in rule
// packs (rules/<name>/pack.yaml) and the framework catalogues
// (rules/frameworks/<id>.yaml), so `aimsgate check DIR` needs no files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/kernel/diagnostic.h"

namespace aimsgate {

struct EmbeddedFile {
  const char* path;  // repository path, e.g. "rules/iso42001/pack.yaml"
  const char* data;
  size_t size;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

// The embedded file at `path` as a SourceFile (one instance per path), or null.
std::shared_ptr<const SourceFile> EmbeddedSource(const std::string& path);

}  // namespace aimsgate
