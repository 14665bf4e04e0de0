#include "evaluator/model/model_signature.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <set>

#include "evaluator/kernel/json.h"
#include "evaluator/model/metadata_util.h"
#include "evaluator/model/model_files.h"
#include "evaluator/model/oms_bundle.h"
#include "evaluator/model/oms_statement.h"

namespace aimsgate::model {
namespace {

// A claims.jsonl with many attestations of a large model stays well under this.
constexpr size_t kMaxSignatureBytes = 64u << 20;

struct Shard {
  uint64_t begin = 0, end = 0;
  std::string digest;
  bool operator<(const Shard& o) const { return begin < o.begin || (begin == o.begin && end < o.end); }
};

// "dir/file:0:1048576" -> path, begin, end.  The path may itself hold ':'.
bool SplitShardName(const std::string& name, std::string* path, uint64_t* begin, uint64_t* end) {
  size_t second = name.rfind(':');
  if (second == std::string::npos || second == 0) return false;
  size_t first = name.rfind(':', second - 1);
  if (first == std::string::npos || first == 0) return false;
  auto number = [](const std::string& s, uint64_t* v) {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    *v = std::stoull(s);
    return true;
  };
  *path = name.substr(0, first);
  return number(name.substr(first + 1, second - first - 1), begin) && number(name.substr(second + 1), end) &&
         *begin < *end;
}

// The shards the reference serializer cuts a file of `size` bytes into (none when empty).
std::vector<std::pair<uint64_t, uint64_t>> ShardsOf(uint64_t size, uint64_t shard_size) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t begin = 0; begin < size; begin += shard_size) out.emplace_back(begin, std::min(size, begin + shard_size));
  return out;
}

// Path of `file` relative to `dir` when it lies inside it, else "".
std::string RelativeInside(const std::string& dir, const std::string& file) {
  char dir_real[PATH_MAX], file_real[PATH_MAX];
  if (realpath(dir.c_str(), dir_real) == nullptr || realpath(file.c_str(), file_real) == nullptr) return "";
  std::string d(dir_real), f(file_real);
  if (d != "/") d += "/";
  return f.compare(0, d.size(), d) == 0 ? f.substr(d.size()) : "";
}

bool UnderOrEqual(const std::string& name, const std::string& prefix) {
  return name == prefix || (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
                            name[prefix.size()] == '/');
}

VerifyFailureKind FromTrust(TrustProblem p) {
  switch (p) {
    case TrustProblem::kKeyMismatch: return VerifyFailureKind::kKeyMismatch;
    case TrustProblem::kCertificate:
    case TrustProblem::kNoMaterial: return VerifyFailureKind::kCertificate;
    default: return VerifyFailureKind::kSignature;
  }
}

VerifyFailureKind FromStatement(StatementProblem p) {
  switch (p) {
    case StatementProblem::kWrongType: return VerifyFailureKind::kStatementType;
    case StatementProblem::kWrongPredicate: return VerifyFailureKind::kPredicateType;
    case StatementProblem::kRootDigest: return VerifyFailureKind::kRootDigest;
    default: return VerifyFailureKind::kStatement;
  }
}

class Verification {
 public:
  Verification(const std::string& dir, const std::string& signature_path, const ModelVerifyOptions& o,
               ModelSignatureResult* r)
      : dir_(dir), signature_path_(signature_path), options_(o), r_(r) {}

  void Run() {
    const SigstoreBundle* bundle = Authenticate();
    if (bundle == nullptr) return;
    if (bundle->payload_type != kInTotoPayloadType) {
      return Fail(VerifyFailureKind::kPayloadType, "", "the DSSE payloadType is '" + bundle->payload_type +
                                                           "', expected '" + kInTotoPayloadType + "'");
    }
    std::string problem;
    StatementProblem kind = StatementProblem::kNone;
    if (!ParseOmsStatement(bundle->payload, &manifest_, &problem, &kind)) return Fail(FromStatement(kind), "", problem);
    r_->root_digest = "sha256:" + manifest_.root_digest;
    r_->model_name = manifest_.model_name;
    r_->method = manifest_.method;
    r_->resources = manifest_.resources.size();
    if (!IndexManifest()) return;
    CheckFiles();
    std::sort(r_->failures.begin(), r_->failures.end(), [](const VerifyFailure& a, const VerifyFailure& b) {
      return a.kind != b.kind ? a.kind < b.kind : a.path < b.path;
    });
    r_->verified = r_->failures.empty() && r_->errors.empty();
  }

 private:
  void Fail(VerifyFailureKind kind, const std::string& path, std::string message) {
    r_->failures.push_back({kind, path, std::move(message)});
  }

  // The newest bundle the trust accepts, or nullptr with the reason.
  const SigstoreBundle* Authenticate() {
    std::string text;
    if (!ReadInputFile(signature_path_, &text, &r_->errors, kMaxSignatureBytes)) return nullptr;
    if (!ParseSigstoreBundles(text, signature_path_, &bundles_, &r_->errors)) return nullptr;
    r_->claims = bundles_.size();
    if (!SignatureTrust::Load(options_.trust, &trust_, &r_->errors)) return nullptr;
    TrustCheck newest;
    for (size_t i = bundles_.size(); i-- > 0;) {
      TrustCheck c = trust_.Check(bundles_[i]);
      if (i + 1 == bundles_.size()) newest = c;
      if (c.ok) {
        r_->mode = c.mode;
        r_->signer = c.signer;
        return &bundles_[i];
      }
    }
    r_->mode = newest.mode;
    std::string message = newest.problem;
    if (bundles_.size() > 1) {
      message = "none of the " + std::to_string(bundles_.size()) + " claims is signed by the given " +
                (newest.mode == "key" ? "key" : "roots") + "; the newest: " + message;
    }
    Fail(FromTrust(newest.kind), "", message);
    return nullptr;
  }

  bool IndexManifest() {
    for (const OmsResource& res : manifest_.resources) {
      if (manifest_.method == "files") {
        files_[res.name] = res.digest;
        continue;
      }
      std::string path;
      Shard s;
      if (!SplitShardName(res.name, &path, &s.begin, &s.end)) {
        Fail(VerifyFailureKind::kStatement, "", "shard resource '" + res.name + "' is not PATH:START:END");
        return false;
      }
      s.digest = res.digest;
      shards_[path].insert(s);
    }
    auto add_dirs = [&](const std::string& name) {
      for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
        dirs_.insert(name.substr(0, slash));
      }
    };
    for (const auto& f : files_) add_dirs(f.first);
    for (const auto& f : shards_) add_dirs(f.first);
    return true;
  }

  bool Listed(const std::string& name) const { return files_.count(name) != 0 || shards_.count(name) != 0; }

  // Unlisted paths the signer left out on purpose are not "extra".
  bool Ignored(const std::string& name, bool is_dir) const {
    if (is_dir ? dirs_.count(name) != 0 : Listed(name)) return false;
    if (!signature_rel_.empty() && name == signature_rel_) return true;
    for (const std::string& n : options_.ignore_unlisted) {
      if (!is_dir && name == n) return true;
    }
    for (const char* git : {".git", ".gitattributes", ".github", ".gitignore"}) {
      if (UnderOrEqual(name, git)) return true;
    }
    for (const std::string& p : manifest_.ignore_paths) {
      std::string prefix = p;
      while (prefix.size() > 2 && prefix.compare(0, 2, "./") == 0) prefix.erase(0, 2);
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      if (!prefix.empty() && UnderOrEqual(name, prefix)) return true;
    }
    return false;
  }

  void CheckFiles() {
    signature_rel_ = RelativeInside(dir_, signature_path_);
    std::vector<ModelFile> files;
    std::vector<TreeProblem> problems;
    std::string error;
    if (!ListModelFiles(dir_, manifest_.allow_symlinks, [&](const std::string& n, bool d) { return Ignored(n, d); },
                        &files, &problems, &error)) {
      AddError(&r_->errors, dir_, 0, 0, error);
      return;
    }
    std::set<std::string> seen;
    for (const TreeProblem& p : problems) {
      seen.insert(p.name);
      Fail(p.symlink ? VerifyFailureKind::kSymlink : VerifyFailureKind::kNotRegular, p.name, p.message);
    }
    std::vector<HashTask> tasks;
    std::vector<std::string> task_files, task_shards, expected;
    for (const ModelFile& f : files) {
      seen.insert(f.name);
      // The shard serializer cuts an empty file into no shards: nothing to list.
      if (!Listed(f.name) && manifest_.method == "shards" && f.size == 0) continue;
      if (!Listed(f.name)) {
        Fail(VerifyFailureKind::kExtra, f.name, "extra file: on disk but not in the signature");
        continue;
      }
      ++r_->files;
      if (manifest_.method == "files") {
        tasks.push_back({&f.path, 0, f.size, "", ""});
        task_files.push_back(f.name);
        task_shards.emplace_back();
        expected.push_back(files_[f.name]);
        continue;
      }
      const std::set<Shard>& signed_shards = shards_[f.name];
      auto cuts = ShardsOf(f.size, manifest_.shard_size);
      bool same_cuts = cuts.size() == signed_shards.size();
      auto it = signed_shards.begin();
      for (size_t i = 0; same_cuts && i < cuts.size(); ++i, ++it) same_cuts = cuts[i].first == it->begin && cuts[i].second == it->end;
      if (!same_cuts) {
        uint64_t signed_size = signed_shards.empty() ? 0 : signed_shards.rbegin()->end;
        Fail(VerifyFailureKind::kChanged, f.name,
             "changed: the file has " + std::to_string(f.size) + " bytes, the signature's shards cover " +
                 std::to_string(signed_size));
        continue;
      }
      for (const Shard& s : signed_shards) {
        tasks.push_back({&f.path, s.begin, s.end, "", ""});
        task_files.push_back(f.name);
        task_shards.push_back(std::to_string(s.begin) + "-" + std::to_string(s.end));
        expected.push_back(s.digest);
      }
    }
    for (const auto& f : files_) {
      if (!seen.count(f.first)) Fail(VerifyFailureKind::kMissing, f.first, "missing: listed in the signature, not in the directory");
    }
    for (const auto& f : shards_) {
      if (!seen.count(f.first)) Fail(VerifyFailureKind::kMissing, f.first, "missing: listed in the signature, not in the directory");
    }
    HashRanges(&tasks, options_.jobs);
    std::set<std::string> changed;
    for (size_t i = 0; i < tasks.size(); ++i) {
      const HashTask& t = tasks[i];
      const std::string& file = task_files[i];
      if (!t.error.empty()) {
        AddError(&r_->errors, *t.path, 0, 0, t.error);
      } else if (t.digest != expected[i] && changed.insert(file).second) {
        Fail(VerifyFailureKind::kChanged, file,
              task_shards[i].empty() ? "changed: SHA-256 " + t.digest + ", the signature says " + expected[i]
                                    : "changed: bytes " + task_shards[i] + " have SHA-256 " + t.digest +
                                          ", the signature says " + expected[i]);
      }
    }
  }

  const std::string& dir_;
  const std::string& signature_path_;
  const ModelVerifyOptions& options_;
  ModelSignatureResult* r_;
  std::vector<SigstoreBundle> bundles_;
  SignatureTrust trust_;
  OmsManifest manifest_;
  std::map<std::string, std::string> files_;          // files mode: name -> digest
  std::map<std::string, std::set<Shard>> shards_;     // shards mode: path -> shards
  std::set<std::string> dirs_;                        // directories holding listed files
  std::string signature_rel_;
};

}  // namespace

std::string VerifyFailure::ToString() const {
  return path.empty() ? "error: " + message : "error: " + path + ": " + message;
}

ModelSignatureResult VerifyModelSignature(const std::string& dir, const std::string& signature_path,
                                          const ModelVerifyOptions& options) {
  ModelSignatureResult r;
  Verification(dir, signature_path, options, &r).Run();
  return r;
}

void ModelSignatureToJson(const ModelSignatureResult& r, aimsgate::JsonValue* out,
                          aimsgate::JsonPool& a) {
  auto str = [&](const std::string& s) {
    aimsgate::JsonValue v;
    v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
    return v;
  };
  out->SetObject();
  out->AddMember("verified", r.verified, a);
  out->AddMember("signer", str(r.signer), a);
  out->AddMember("mode", str(r.mode), a);
  out->AddMember("rootDigest", str(r.root_digest), a);
  out->AddMember("files", static_cast<uint64_t>(r.files), a);
  aimsgate::JsonValue errors(rapidjson::kArrayType);
  for (const auto& e : r.errors) errors.PushBack(str(e.ToString()), a);
  for (const auto& f : r.failures) errors.PushBack(str(f.ToString()), a);
  out->AddMember("errors", errors, a);
}

}  // namespace aimsgate::model
