// Canonical JSON, the one writer: the byte sequence the evidence hash chain is computed over, and
// what object and pack digests hash (manifest::CanonicalJson, Sha256Hex).
//
//   rapidjson::Document d; d.Parse(line);
//   std::string canon = kernel::CanonicalJson(d);   // keys sorted, no whitespace
//   bool same = canon == line;                        // evidence lines are canonical
//
// Rules (docs/evidence.md, "Canonical form"):
//   * object members sorted by key, byte-wise (UTF-8 code units); duplicate keys are kept
//     in their original relative order (the verifier rejects them separately);
//   * no whitespace between tokens;
//   * strings: `"` and `\` escaped with a backslash, U+0008/09/0A/0C/0D as \b \t \n \f \r,
//     other code points below U+0020 as \u00XX (lower-case hex), everything else (including
//     U+007F and non-ASCII UTF-8) written as is; bytes that are not UTF-8 as U+FFFD;
//   * integers in plain decimal; other numbers as RapidJSON's shortest round-trip form
//     (evidence records never contain non-integers); NaN and infinities, which only a YAML
//     object can hold, as NaN, Infinity and -Infinity (object digests; never in a record);
//   * true, false, null.
//
// Thread-safety: pure functions. Cost: linear in the size of the value plus the sort of
// each object's keys.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/utf8.h"

namespace aimsgate::kernel {

// Appends the canonical form of `value` to `*out`.
void AppendCanonicalJson(const aimsgate::JsonValue& value, std::string* out);
std::string CanonicalJson(const aimsgate::JsonValue& value);

// Appends `s` as a canonical JSON string literal (with quotes). Bytes that are not
// well-formed UTF-8 (stray bytes, overlong forms, encoded UTF-16 surrogates) are written
// as U+FFFD, one per byte, so a writer can never emit a line the verifier rejects.
void AppendCanonicalString(std::string_view s, std::string* out);

// True when some object inside `value` (at any depth) has a repeated key.
bool HasDuplicateKeys(const aimsgate::JsonValue& value);

}  // namespace aimsgate::kernel
