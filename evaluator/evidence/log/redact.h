// Masking of secret values in evidence messages.
//
//   evidence::Redactor r;
//   Status s = evidence::Redactor::Create({"metadata.annotations['example.com/token']",
//                                          "spec.template.spec.containers[*].env[*].value"}, &r);
//   std::vector<std::string> secrets = r.CollectValues(object);   // values found at the paths
//   bool changed = evidence::MaskValues(secrets, &message);          // "token abc" -> "token ***"
//
// What is masked (docs/evidence.md, "Redaction"): for each rule message in a record, every
// occurrence of every value found in the evaluated object at a configured path is replaced
// with "***". A path naming an object or a list masks every scalar beneath it. Scalars are
// compared in their JSON text form without quotes (strings as is, numbers and booleans as
// written by JSON). Empty values are ignored. For a core `v1` Secret every value under `data`
// (and its base64-decoded text) and under `stringData` is always masked, whatever the paths.
//
// Path syntax: an optional leading `$`, then segments `.name`, `['name']` or `["name"]`
// (for keys with dots or slashes), `[N]` (list index) and `[*]` / `.*` (every element or
// member). Examples: `$.metadata.annotations['aimsgate.io/api-key']`, `data.*`.
//
// Thread-safety: a Redactor is immutable after Create; use it from many threads.
// Cost: CollectValues walks only the configured paths; MaskValues is O(values × message).
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/evidence/log/status.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {

class Redactor {
 public:
  static Status Create(const std::vector<std::string>& paths, Redactor* out);
  // Values to mask for this object (configured paths + Secret data), longest first.
  std::vector<std::string> CollectValues(const aimsgate::JsonValue& object) const;
  bool empty() const { return paths_.empty(); }

  struct Segment {
    enum Kind { kKey, kIndex, kAny } kind = kKey;
    std::string key;
    size_t index = 0;
  };

 private:
  std::vector<std::vector<Segment>> paths_;
};

// Parses one path; false with `*error` set when malformed.
bool ParseRedactPath(const std::string& path, std::vector<Redactor::Segment>* out,
                     std::string* error);

// Replaces every occurrence of each value in `*text` with "***". True if anything changed.
bool MaskValues(const std::vector<std::string>& values, std::string* text);

}  // namespace aimsgate::evidence
