#include "evaluator/pack/embedded_files.h"
#include "evaluator/pack/pack_loader.h"

#include <cstring>
#include <map>
#include <mutex>

#include "evaluator/pack/lite_yaml.h"

namespace aimsgate {

std::shared_ptr<const SourceFile> EmbeddedSource(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const SourceFile>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  for (const auto& f : EmbeddedFiles()) {
    if (path == f.path) return cache[path] = SourceFile::FromString(f.path, std::string(f.data, f.size));
  }
  return nullptr;
}

bool EmbeddedLiteTree(const std::string& path, std::string_view text, LiteTree* out) {
  const EmbeddedFile* file = nullptr;
  const EmbeddedFile* tree = nullptr;
  const std::string tree_path = path + ".lite";
  for (const auto& f : EmbeddedFiles()) {
    if (path == f.path) file = &f;
    if (tree_path == f.path) tree = &f;
  }
  if (file == nullptr || tree == nullptr || text.size() != file->size ||
      std::memcmp(text.data(), file->data, file->size) != 0) {
    return false;
  }
  return ReadLiteTree(std::string_view(tree->data, tree->size), out);
}

const char kBuiltinPackName[] = "iso42001";

std::shared_ptr<const SourceFile> BuiltinPackSource() { return BuiltinPackSource(kBuiltinPackName); }

std::shared_ptr<const SourceFile> BuiltinPackSource(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return nullptr;
  return EmbeddedSource("rules/" + name + "/pack.yaml");
}

std::vector<std::string> BuiltinPackNames() {
  std::vector<std::string> names;
  for (const auto& f : EmbeddedFiles()) {
    std::string path = f.path;
    const std::string suffix = "/pack.yaml";
    if (path.rfind("rules/", 0) == 0 && path.size() > suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      names.push_back(path.substr(6, path.size() - 6 - suffix.size()));
    }
  }
  return names;
}

}  // namespace aimsgate
