#include "evaluator/pack/framework_catalog.h"

#include <cctype>
#include <iostream>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/embedded_files.h"

namespace aimsgate {
namespace {

// Parsed with the manifest loader (libyaml), not yaml-cpp: nothing here needs
// yaml-cpp's node positions, and yaml-cpp took 45 M instructions for the three
// catalogues, a quarter of `check`'s start-up.
Framework LoadCatalogue(const std::string& id) {
  Framework f;
  f.id = id;
  const std::string path = "rules/frameworks/" + id + ".yaml";
  auto source = EmbeddedSource(path);
  // The catalogues are part of the build and checked by tests/pack; a broken one
  // is a build defect, reported once rather than crashing the CLI.
  manifest::LoadResult loaded = manifest::LoadBytes(source ? source->text() : std::string_view(), path);
  if (loaded.resources.size() != 1 || !loaded.errors.empty()) {
    std::cerr << "aimsgate: internal error: framework catalogue " << id << ": "
              << (loaded.errors.empty() ? std::string("not one document") : loaded.errors.front().ToString()) << "\n";
    return f;
  }
  const aimsgate::JsonValue& doc = *loaded.resources.front().object;
  auto str = [](const aimsgate::JsonValue* v, const char* key) {
    return v ? std::string(kernel::StringMember(*v, key)) : std::string();
  };
  const aimsgate::JsonValue* metadata = kernel::Member(doc, "metadata");
  f.title = str(metadata, "title");
  f.description = str(metadata, "description");
  const aimsgate::JsonValue* spec = kernel::Member(doc, "spec");
  const aimsgate::JsonValue* controls = spec ? kernel::Member(*spec, "controls") : nullptr;
  if (controls && controls->IsArray()) {
    for (const aimsgate::JsonValue& c : controls->GetArray()) {
      f.controls.push_back({str(&c, "id"), str(&c, "group"), str(&c, "title"), str(&c, "summary"), str(&c, "check"),
                            str(&c, "why"), str(&c, "appliesFrom")});
    }
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
