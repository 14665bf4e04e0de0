#include "evaluator/pack/inputs.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate {

namespace fs = std::filesystem;

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Globs of waivers and of match blocks (matcher.cc compares literal patterns itself).
  // A literal prefix that differs rejects at once; an all-literal pattern is
  // equality (no memchr per call: find_first_of cost more than it saved).
  for (size_t i = 0;; ++i) {
    if (i == pattern.size()) return i == text.size();
    const char c = pattern[i];
    if (c == '*' || c == '?') break;
    if (i == text.size() || c != text[i]) return false;
  }
  // Iterative matcher with single backtrack point: linear for practical patterns.
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> ListFiles(const std::string& path, const std::vector<std::string>& extensions,
                                   std::string* error) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    *error = "no such file or directory";
    return files;
  }
  if (!fs::is_directory(st)) {
    files.push_back(path);
    return files;
  }
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    // A mounted ConfigMap is ..<timestamp>/KEY, ..data -> ..<timestamp>, KEY -> ..data/KEY:
    // hidden entries are skipped so that each key is read once (not twice, as two packs).
    if (it->path().filename().string().rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) {
      files.push_back(it->path().string());
    }
  }
  if (ec) *error = ec.message();
  std::sort(files.begin(), files.end());
  return files;
}


const aimsgate::JsonValue* Inventory::Find(const std::string& system_id) const {
  auto it = by_id_.find(system_id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::shared_ptr<const Inventory> LoadInventory(const std::string& path, std::vector<Diagnostic>* diagnostics) {
  std::string error;
  auto file = SourceFile::Read(path, &error);
  if (!file) {
    diagnostics->push_back({path, 0, 0, "cannot read inventory: " + error});
    return nullptr;
  }
  manifest::Limits limits;
  manifest::LoadResult loaded = manifest::LoadBytes(file->text(), path, limits);
  diagnostics->insert(diagnostics->end(), loaded.errors.begin(), loaded.errors.end());
  if (!loaded.errors.empty()) return nullptr;
  if (loaded.resources.size() != 1) {
    diagnostics->push_back({path, 1, 1, "an inventory file holds exactly one document of kind Inventory"});
    return nullptr;
  }
  const manifest::Resource& res = loaded.resources[0];
  const aimsgate::JsonValue& obj = *res.object;
  auto fail = [&](int line, const std::string& message) {
    diagnostics->push_back({path, line, 1, message});
    return nullptr;
  };
  if (std::string(obj["kind"].IsString() ? obj["kind"].GetString() : "") != "Inventory") {
    return fail(res.line, "document is not of kind Inventory");
  }
  // The register is used in place: the loaded document stays alive with it.
  auto inventory = std::make_shared<Inventory>();
  inventory->document_ = res.object;
  inventory->owner_ = res.owner;
  const aimsgate::JsonValue& doc = obj;
  auto systems = doc.FindMember("systems");
  if (systems == doc.MemberEnd() || !systems->value.IsArray()) {
    return fail(res.line, "Inventory needs a 'systems' list");
  }
  for (const auto& system : systems->value.GetArray()) {
    int line = res.FieldLine(&system);
    if (!system.IsObject()) return fail(line, "each inventory system must be a mapping");
    auto id = system.FindMember("id");
    if (id == system.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) {
      return fail(line, "inventory system without an 'id'");
    }
    auto assessments = system.FindMember("impactAssessments");
    if (assessments != system.MemberEnd()) {
      if (!assessments->value.IsArray()) return fail(line, "impactAssessments must be a list");
      for (const auto& a : assessments->value.GetArray()) {
        auto exp = a.IsObject() ? a.FindMember("expires") : a.MemberEnd();
        int64_t ignored;
        if (a.IsObject() && exp != a.MemberEnd() &&
            (!exp->value.IsString() || !ParseRfc3339(exp->value.GetString(), &ignored))) {
          return fail(line, "impact assessment 'expires' must be an RFC 3339 date-time");
        }
      }
    }
    if (!inventory->by_id_.emplace(id->value.GetString(), &system).second) {
      return fail(line, std::string("duplicate inventory system id '") + id->value.GetString() + "'");
    }
  }
  return inventory;
}

namespace {

void LoadWaiverFile(const std::string& path, std::vector<Waiver>* out, std::vector<Diagnostic>* diags) {
  std::string error;
  auto file = SourceFile::Read(path, &error);
  if (!file) {
    diags->push_back({path, 0, 0, "cannot read waivers: " + error});
    return;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = LoadAllYamlChecked(file->text());
  } catch (const YAML::Exception& e) {
    diags->push_back({path, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return;
  }
  auto err = [&](const YAML::Node& n, const std::string& m) {
    SourcePos p = PosOf(n);
    diags->push_back({path, p.line, p.column, m});
  };
  auto strings = [&](const YAML::Node& n, std::vector<std::string>* v) {
    if (!n) return;
    if (n.IsScalar()) {
      v->push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (const auto& i : n) {
        if (i.IsScalar()) v->push_back(i.Scalar());
        else err(i, "expected a string");
      }
    } else {
      err(n, "expected a list of strings");
    }
  };
  for (const auto& doc : docs) {
    try {
      if (doc.IsNull()) continue;
      if (!doc.IsMap() || !doc["kind"] || doc["kind"].Scalar() != "Waiver") {
        err(doc, "document is not of kind Waiver");
        continue;
      }
      Waiver w;
      w.source = path;
      w.line = PosOf(doc).line;
      if (doc["metadata"] && doc["metadata"]["name"]) w.name = doc["metadata"]["name"].Scalar();
      if (w.name.empty()) err(doc, "waiver without metadata.name");
      YAML::Node spec = doc["spec"];
      if (!spec || !spec.IsMap()) {
        err(doc, "waiver '" + w.name + "' without spec");
        continue;
      }
      for (const auto& kv : spec) {
        std::string k = kv.first.Scalar();
        if (k != "rules" && k != "match" && k != "justification" && k != "approvedBy" && k != "expires") {
          err(kv.first, "unknown field '" + k + "' in waiver spec (expected rules, match, justification, approvedBy, expires)");
        }
      }
      strings(spec["rules"], &w.rules);
      if (w.rules.empty()) err(spec, "waiver '" + w.name + "' names no rules");
      if (YAML::Node m = spec["match"]) {
        strings(m["namespaces"], &w.namespaces);
        strings(m["names"], &w.names);
        strings(m["kinds"], &w.kinds);
      }
      if (spec["justification"]) w.justification = spec["justification"].Scalar();
      if (spec["approvedBy"]) w.approved_by = spec["approvedBy"].Scalar();
      if (spec["expires"]) w.expires = spec["expires"].Scalar();
      if (w.justification.empty()) err(spec, "waiver '" + w.name + "' has no justification");
      if (w.approved_by.empty()) err(spec, "waiver '" + w.name + "' has no approvedBy: risk acceptance needs an approver");
      if (w.expires.empty()) {
        err(spec, "waiver '" + w.name + "' has no expires: risk acceptance must be time-bound");
      } else if (!ParseRfc3339(w.expires, &w.expires_unix)) {
        err(spec["expires"], "waiver '" + w.name + "': expires '" + w.expires + "' is not an RFC 3339 date-time");
      }
      out->push_back(std::move(w));
    } catch (const YAML::Exception& e) {
      diags->push_back({path, e.mark.line + 1, e.mark.column + 1, e.msg});
    }
  }
}

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  if (patterns.empty()) return true;
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return GlobMatch(p, text); });
}

}  // namespace

std::shared_ptr<const WaiverSet> LoadWaivers(const std::vector<std::string>& paths,
                                             std::vector<Diagnostic>* diagnostics) {
  auto set = std::make_shared<WaiverSet>();
  size_t before = diagnostics->size();
  for (const auto& path : paths) {
    std::string error;
    for (const auto& file : ListFiles(path, {".yaml", ".yml", ".json"}, &error)) {
      LoadWaiverFile(file, &set->waivers_, diagnostics);
    }
    if (!error.empty()) diagnostics->push_back({path, 0, 0, "cannot read waivers: " + error});
  }
  if (diagnostics->size() != before) return nullptr;
  return set;
}

const Waiver* WaiverSet::Find(const std::string& rule, const ResourceRef& resource, int64_t now_unix,
                              const Waiver** expired) const {
  for (const auto& w : waivers_) {
    if (!AnyGlob(w.rules, rule) || !AnyGlob(w.namespaces, resource.namespace_()) ||
        !AnyGlob(w.names, resource.name()) || !AnyGlob(w.kinds, resource.kind())) {
      continue;
    }
    if (w.expires_unix > now_unix) return &w;
    if (*expired == nullptr) *expired = &w;
  }
  return nullptr;
}

}  // namespace aimsgate
