// Parsing and checking ONE line of the evidence log in isolation: JSON, canonical form,
// required members and its own hash. Chain checks (seq, prev, checkpoints) are the
// verifier's job (verifier.h).
//
//   evidence::Entry e;
//   if (!evidence::ParseEntry(line, &e)) std::cerr << e.error;   // e.g. "hash mismatch"
//   e.type; e.seq; e.prev; e.hash; e.doc["results"] ...
//
// Thread-safety: pure function. Cost: one parse, one canonical serialisation, one SHA-256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {

struct Entry {
  aimsgate::JsonDocument doc;
  std::string type;   // "decision" | "checkpoint" | "start"
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
  std::string error;  // set when ParseEntry returns false
};

// `line` without its trailing newline.
bool ParseEntry(std::string_view line, Entry* out);

// Canonical form of the top-level object without the members named `skip1`/`skip2`.
std::string CanonicalWithout(const aimsgate::JsonValue& object, std::string_view skip1,
                             std::string_view skip2 = {});

// String member or "" when absent / not a string.
std::string GetString(const aimsgate::JsonValue& object, const char* key);

}  // namespace aimsgate::evidence
