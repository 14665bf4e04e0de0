// Data files compiled into the binary (embed_files.cmake): the built-in rule
// packs (rules/<name>/pack.yaml) and the framework catalogues
// (rules/frameworks/<id>.yaml), so `aimsgate check DIR` needs no files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
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

class LiteTree;

// The tree the build parsed from the embedded file at `path` (lite_yaml.h), when
// `text` is that file's text byte for byte: a file of the same name read from
// disk may have been edited.  False when they differ, when the build wrote no
// tree (the lite reader refused the file) and when the tree does not read back.
bool EmbeddedLiteTree(const std::string& path, std::string_view text, LiteTree* out);

}  // namespace aimsgate
