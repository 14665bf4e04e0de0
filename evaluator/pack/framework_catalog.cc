#include "evaluator/pack/framework_catalog.h"

#include <cctype>
#include <iostream>

#include <yaml-cpp/yaml.h>

#include "evaluator/pack/embedded_files.h"

namespace aimsgate {
namespace {

std::string Str(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  return v && v.IsScalar() ? v.Scalar() : std::string();
}

Framework LoadCatalogue(const std::string& id) {
  Framework f;
  f.id = id;
  auto source = EmbeddedSource("rules/frameworks/" + id + ".yaml");
  // The catalogues are part of the build and checked by tests/pack; a broken one
  // is a build defect, reported once rather than crashing the CLI.
  try {
    YAML::Node doc = YAML::Load(source ? source->text() : std::string());
    f.title = Str(doc["metadata"], "title");
    f.description = Str(doc["metadata"], "description");
    for (const auto& c : doc["spec"]["controls"]) {
      f.controls.push_back({Str(c, "id"), Str(c, "group"), Str(c, "title"), Str(c, "summary"), Str(c, "check"),
                            Str(c, "why"), Str(c, "appliesFrom")});
    }
  } catch (const YAML::Exception& e) {
    std::cerr << "aimsgate: internal error: framework catalogue " << id << ": " << e.what() << "\n";
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

const std::vector<Framework>& Frameworks() {
  static const std::vector<Framework> kFrameworks{LoadCatalogue("iso42001"), LoadCatalogue("eu-ai-act"),
                                                  LoadCatalogue("nist-ai-rmf")};
  return kFrameworks;
}

const Framework* FindFramework(const std::string& id) {
  for (const auto& f : Frameworks()) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

std::string FrameworkIdList() {
  std::string out;
  for (const auto& f : Frameworks()) out += (out.empty() ? "" : ", ") + f.id;
  return out;
}

bool ControlIdLess(const std::string& a, const std::string& b) {
  auto ta = Tokens(a), tb = Tokens(b);
  return ta < tb;
}

}  // namespace aimsgate
