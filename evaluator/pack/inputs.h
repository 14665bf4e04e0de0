// The organisation's inputs beside the rule packs: the AI-system inventory
// (SPEC §6) and risk-acceptance waivers (SPEC §5).
//
//   std::vector<Diagnostic> diags;
//   auto inventory = LoadInventory("inventory.yaml", &diags);   // null on error
//   auto waivers = LoadWaivers("waivers/", &diags);              // file or directory
//   const rapidjson::Value* entry = inventory->Find("fraud-scorer");
//   const Waiver* w = waivers->Find("iso42001/owner-assigned", ref, now_seconds, &expired);  // const Waiver* expired = nullptr
//
// Thread-safety: immutable after loading; shared between threads by shared_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/decision/decision.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/rfc3339.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/kernel/diagnostic.h"

namespace aimsgate {

class Inventory {
 public:
  // The whole register as JSON (`inventoryAll`), and an entry by system id.
  const aimsgate::JsonValue& document() const { return *document_; }
  const aimsgate::JsonValue* Find(const std::string& system_id) const;
  size_t size() const { return by_id_.size(); }

 private:
  friend std::shared_ptr<const Inventory> LoadInventory(const std::string&, std::vector<Diagnostic>*);
  const aimsgate::JsonValue* document_ = nullptr;
  std::shared_ptr<const manifest::LoadedDocument> owner_;  // keeps *document_ alive
  std::unordered_map<std::string, const aimsgate::JsonValue*> by_id_;
};

// Reads `kind: Inventory` (YAML or JSON).  Returns null with diagnostics on error.
std::shared_ptr<const Inventory> LoadInventory(const std::string& path, std::vector<Diagnostic>* diagnostics);

// A waiver as loaded; its WaiverRef part (name, justification, approver, expiry)
// is what a waived result points at.
struct Waiver : WaiverRef {
  std::vector<std::string> rules;       // full rule ids; globs allowed ("iso42001/*")
  std::vector<std::string> namespaces;  // globs; empty = any
  std::vector<std::string> names;       // globs; empty = any
  std::vector<std::string> kinds;       // kind names; empty = any
  int64_t expires_unix = 0;
  std::string source;
  int line = 0;
};

class WaiverSet {
 public:
  // The first waiver covering (rule, resource).  `*expired` receives the first
  // matching but expired waiver when no unexpired one matches (else stays null).
  const Waiver* Find(const std::string& rule, const ResourceRef& resource, int64_t now_unix,
                     const Waiver** expired) const;
  const std::vector<Waiver>& waivers() const { return waivers_; }

 private:
  friend std::shared_ptr<const WaiverSet> LoadWaivers(const std::vector<std::string>&, std::vector<Diagnostic>*);
  std::vector<Waiver> waivers_;
};

// Reads Waiver documents from files or directories (every *.yaml/*.yml/*.json).
// A waiver without approvedBy, expires or justification is a load error.
std::shared_ptr<const WaiverSet> LoadWaivers(const std::vector<std::string>& paths,
                                             std::vector<Diagnostic>* diagnostics);

// RFC 3339 or a bare date (midnight UTC) → seconds since the epoch; false when malformed
// (kernel/rfc3339.h is the one parser).
inline bool ParseRfc3339(std::string_view text, int64_t* seconds) {
  kernel::Rfc3339Options date_or_time;
  date_or_time.allow_date_only = true;
  int32_t nanos;
  return kernel::ParseRfc3339(text, seconds, &nanos, date_or_time);
}
inline std::string FormatRfc3339(int64_t seconds) { return kernel::FormatRfc3339(seconds); }

// Shell-style glob with '*' and '?' (no path semantics).
bool GlobMatch(std::string_view pattern, std::string_view text);

// Files under `path` (recursively when a directory) with one of the extensions,
// sorted; `path` itself when it is a file.  Sets *error when unreadable.
std::vector<std::string> ListFiles(const std::string& path, const std::vector<std::string>& extensions,
                                   std::string* error);

}  // namespace aimsgate
