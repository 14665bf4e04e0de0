#include "evaluator/model/model_catalogue.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/yaml_checked.h"
#include "evaluator/model/metadata_util.h"
#include "evaluator/model/model_signature.h"

namespace aimsgate::model {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCard = "README.md";
constexpr const char* kBom = "bom.json";
constexpr const char* kSignature = "model.sig";
constexpr const char* kVerify = "verify.yaml";

// Hugging Face repository names: letters, digits, '-', '_', '.'; not starting with '.' or '-'.
bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 96 || id[0] == '-' || id[0] == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::string Resolve(const fs::path& folder, const std::string& path) {
  fs::path p(path);
  return (p.is_absolute() ? p : folder / p).lexically_normal().string();
}

struct VerifySettings {
  std::string public_key, cert_chain, ca, model_dir;
};

// verify.yaml: a mapping of publicKey | ca (+ certificateChain), optional modelDir.
bool ReadVerifySettings(const fs::path& folder, VerifySettings* out, std::vector<Diagnostic>* errors) {
  const std::string path = (folder / kVerify).string();
  std::string text;
  if (!ReadInputFile(path, &text, errors, 64 << 10)) return false;
  try {
    YAML::Node root = LoadYamlChecked(text);
    if (!root.IsMap()) {
      AddError(errors, path, 1, 1, "verify.yaml must be a mapping (publicKey or ca, certificateChain, modelDir)");
      return false;
    }
    bool ok = true;
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      const YAML::Mark m = kv.first.Mark();
      std::string* target = key == "publicKey" ? &out->public_key
                            : key == "ca" ? &out->ca
                            : key == "certificateChain" ? &out->cert_chain
                            : key == "modelDir" ? &out->model_dir
                                                : nullptr;
      if (target == nullptr) {
        AddError(errors, path, m.line + 1, m.column + 1,
                 "unknown key '" + key + "' (expected publicKey, ca, certificateChain, modelDir)");
        ok = false;
        continue;
      }
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        const YAML::Mark v = kv.second.Mark();
        AddError(errors, path, v.line + 1, v.column + 1, key + " must be a non-empty path");
        ok = false;
        continue;
      }
      *target = Resolve(folder, kv.second.Scalar());
    }
    if (ok && out->public_key.empty() == out->ca.empty()) {
      AddError(errors, path, 1, 1, "name exactly one of publicKey (key mode) and ca (certificate mode)");
      ok = false;
    }
    if (ok && !out->cert_chain.empty() && out->ca.empty()) {
      AddError(errors, path, 1, 1, "certificateChain needs ca");
      ok = false;
    }
    return ok;
  } catch (const YAML::Exception& e) {
    AddError(errors, path, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    return false;
  }
}

std::unique_ptr<CatalogueEntry> LoadEntry(const std::string& id, const fs::path& folder, const CatalogueOptions& o,
                                          std::vector<Diagnostic>* errors) {
  auto entry = std::make_unique<CatalogueEntry>();
  entry->id = id;
  entry->folder = folder.string();
  const bool card = IsFile(folder / kCard), bom = IsFile(folder / kBom), sig = IsFile(folder / kSignature);
  const bool verify = IsFile(folder / kVerify);
  if (sig != verify) {
    AddError(errors, (folder / (sig ? kSignature : kVerify)).string(), 0, 0,
             sig ? "model.sig needs verify.yaml beside it (publicKey or ca; docs/model-signing.md)"
                 : "verify.yaml without model.sig");
    return nullptr;
  }
  if (!card && !bom && !sig) {
    AddError(errors, entry->folder, 0, 0, "model folder holds none of README.md, bom.json, model.sig");
    return nullptr;
  }
  const size_t before = errors->size();
  if (!LoadModelMetadata(card ? (folder / kCard).string() : "", bom ? (folder / kBom).string() : "", &entry->model,
                         errors)) {
    return nullptr;
  }
  if (!entry->model.IsObject()) ModelMetadataToJson(ModelMetadata(), &entry->model);
  auto& a = entry->model.GetAllocator();
  entry->model.AddMember("id", aimsgate::JsonValue(id.c_str(), static_cast<rapidjson::SizeType>(id.size()), a), a);
  if (sig) {
    VerifySettings settings;
    if (!ReadVerifySettings(folder, &settings, errors)) return nullptr;
    ModelVerifyOptions vo;
    vo.trust = {settings.public_key, settings.cert_chain, settings.ca, o.now_unix};
    vo.jobs = o.jobs;
    const std::string model_dir = settings.model_dir.empty() ? entry->folder : settings.model_dir;
    if (settings.model_dir.empty()) {
      // The catalogue's own files beside the model files, and trust material kept in the
      // folder, are not "extra" unless the signature lists them.
      vo.ignore_unlisted = {kCard, kBom, kVerify};
      const std::string prefix = folder.lexically_normal().string() + "/";
      for (const std::string* p : {&settings.public_key, &settings.cert_chain, &settings.ca}) {
        if (p->size() > prefix.size() && p->compare(0, prefix.size(), prefix) == 0) {
          vo.ignore_unlisted.push_back(p->substr(prefix.size()));
        }
      }
    }
    ModelSignatureResult r = VerifyModelSignature(model_dir, (folder / kSignature).string(), vo);
    if (r.ExitCode() == 2) {
      errors->insert(errors->end(), r.errors.begin(), r.errors.end());
      return nullptr;
    }
    entry->root_digest = r.root_digest;
    aimsgate::JsonValue signature;
    ModelSignatureToJson(r, &signature, a);
    entry->model.AddMember("signature", signature, a);
  }
  return errors->size() == before ? std::move(entry) : nullptr;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

const CatalogueEntry* ModelCatalogue::Find(std::string_view id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ModelCatalogue::ids() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

const CatalogueEntry* ModelCatalogue::Resolve(std::string_view reference, std::string* reason) const {
  const size_t at = reference.find('@');
  if (at == std::string_view::npos) {
    if (const CatalogueEntry* e = Find(reference)) return e;
    std::string known;
    size_t n = 0;
    for (const auto& e : entries_) {
      if (n++ == 8) {
        known += ", …";
        break;
      }
      known += (known.empty() ? "" : ", ") + e.first;
    }
    *reason = "model '" + std::string(reference) + "' is not in the model catalogue " + root_ + " (" +
              (entries_.empty() ? std::string("it is empty") : "models: " + known) + ")";
    return nullptr;
  }
  const std::string_view name = reference.substr(0, at), digest = reference.substr(at + 1);
  if (digest.compare(0, 7, "sha256:") != 0 || !IsHex64(digest.substr(7))) {
    *reason = "'" + std::string(reference) + "' is not a model reference: expected ID or NAME@sha256:<64 lowercase hex>";
    return nullptr;
  }
  auto range = by_digest_.equal_range(digest);
  const CatalogueEntry* only = nullptr;
  size_t count = 0;
  for (auto it = range.first; it != range.second; ++it, ++count) {
    if (it->second->id == name) return it->second;
    only = it->second;
  }
  if (count == 1) return only;
  *reason = count == 0 ? "no model in the model catalogue " + root_ + " has the signed root digest " + std::string(digest) +
                             " (referenced as '" + std::string(reference) + "')"
                       : "the root digest " + std::string(digest) + " belongs to several catalogue models and '" +
                             std::string(name) + "' is none of them";
  return nullptr;
}

std::shared_ptr<const ModelCatalogue> LoadModelCatalogue(const std::string& dir, const CatalogueOptions& options,
                                                         std::vector<Diagnostic>* errors) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    AddError(errors, dir, 0, 0, ec ? "cannot read the model catalogue: " + ec.message()
                                   : "the model catalogue must be a directory of model folders (DIR/<id>/README.md …)");
    return nullptr;
  }
  std::vector<std::pair<std::string, fs::path>> folders;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // ..data, ..2026_… of a mounted ConfigMap; dotfiles
    std::error_code dec;
    if (!fs::is_directory(it->path(), dec)) continue;  // a README of the catalogue itself
    folders.emplace_back(name, it->path());
  }
  if (ec) {
    AddError(errors, dir, 0, 0, "cannot read the model catalogue: " + ec.message());
    return nullptr;
  }
  std::sort(folders.begin(), folders.end());
  std::shared_ptr<ModelCatalogue> catalogue(new ModelCatalogue());
  catalogue->root_ = dir;
  const size_t before = errors->size();
  for (const auto& [id, folder] : folders) {
    if (!ValidId(id)) {
      AddError(errors, folder.string(), 0, 0,
               "model id '" + id + "' (the folder name) may hold only letters, digits, '-', '_' and '.'");
      continue;
    }
    auto entry = LoadEntry(id, folder, options, errors);
    if (!entry) continue;
    CatalogueEntry* raw = entry.get();
    catalogue->entries_.emplace(id, std::move(entry));
    if (!raw->root_digest.empty()) catalogue->by_digest_.emplace(raw->root_digest, raw);
  }
  if (errors->size() != before) return nullptr;
  return catalogue;
}

}  // namespace aimsgate::model
