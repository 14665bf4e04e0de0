#include "evaluator/pack/framework_catalog.h"

#include <cctype>
#include <iostream>

#include "evaluator/pack/embedded_files.h"
#include "evaluator/pack/lite_yaml.h"

namespace aimsgate {
namespace {

// Read as a LiteTree, the tree the build parsed (EmbeddedLiteTree): parsing the
// catalogues at start-up cost 8.0 M instructions with the manifest loader (libyaml
// and a JSON DOM), a sixth of `check`'s start-up, and 45 M with yaml-cpp.
Framework LoadCatalogue(const std::string& id) {
  Framework f;
  f.id = id;
  const std::string path = "rules/frameworks/" + id + ".yaml";
  auto source = EmbeddedSource(path);
  LiteTree tree;
  // The catalogues are part of the build and checked by tests/pack; a broken one
  // is a build defect, reported once rather than crashing the CLI.
  if (!source || !(EmbeddedLiteTree(path, source->text(), &tree) || ParseLiteYaml(source->text(), &tree)) ||
      tree.documents().size() != 1 || !tree.documents().front().IsMap()) {
    std::cerr << "aimsgate: internal error: framework catalogue " << id << ": not one YAML mapping\n";
    return f;
  }
  const LiteNode doc = tree.documents().front();
  auto str = [](const LiteNode& map, const char* key) {
    const LiteNode v = map.IsMap() ? map[key] : LiteNode();
    return v.IsScalar() ? v.Scalar() : std::string();
  };
  const LiteNode metadata = doc["metadata"];
  f.title = str(metadata, "title");
  f.description = str(metadata, "description");
  const LiteNode spec = doc["spec"];
  const LiteNode controls = spec.IsMap() ? spec["controls"] : LiteNode();
  for (size_t i = 0; controls.IsSequence() && i < controls.size(); ++i) {
    const LiteNode c = controls[i];
    f.controls.push_back({str(c, "id"), str(c, "group"), str(c, "title"), str(c, "summary"), str(c, "check"),
                          str(c, "why"), str(c, "appliesFrom")});
  }
  return f;
}

// Splits an id into text and number runs so numbers compare as numbers.
std::vector<std::pair<std::string, long>> Tokens(const std::string& s) {
  std::vector<std::pair<std::string, long>> out;
  size_t i = 0;
  while (i < s.size()) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      long n = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) n = n * 10 + (s[i++] - '0');
      out.push_back({"", n});
    } else {
      std::string t;
      while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i]))) t += s[i++];
      out.push_back({t, -1});
    }
  }
  return out;
}

}  // namespace

const FrameworkControl* Framework::Find(const std::string& control_id) const {
  for (const auto& c : controls) {
    if (c.id == control_id) return &c;
  }
  return nullptr;
}

// The catalogues' ids, in Frameworks() order.
constexpr const char* kFrameworkIds[] = {"iso42001", "eu-ai-act", "nist-ai-rmf"};

const std::vector<Framework>& Frameworks() {
  static const std::vector<Framework> kFrameworks = [] {
    std::vector<Framework> out;
    for (const char* id : kFrameworkIds) out.push_back(LoadCatalogue(id));
    return out;
  }();
  return kFrameworks;
}

bool IsKnownFramework(const std::string& id) {
  for (const char* known : kFrameworkIds) {
    if (id == known) return true;
  }
  return false;
}

const Framework* FindFramework(const std::string& id) {
  for (const auto& f : Frameworks()) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

std::string FrameworkIdList() {
  std::string out;
  for (const char* id : kFrameworkIds) out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

bool ControlIdLess(const std::string& a, const std::string& b) {
  auto ta = Tokens(a), tb = Tokens(b);
  return ta < tb;
}

}  // namespace aimsgate
