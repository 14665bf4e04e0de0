// Helpers shared by the report writers of `aimsgate check` (report_*.cc).
//
//   std::string s = SanitizeUtf8(path);          // invalid bytes -> U+FFFD
//   std::string t = EscapeControls(name);        // "a\nb\x1b" for the text report
//   int line = ResultLine(evaluation, result);   // field line, else resource line
//   std::string uri = SourceUri(source, &relative); // SARIF artifactLocation.uri
//
// Thread-safety: pure functions.  Cost: linear in the input.
#pragma once

#include <string>
#include <string_view>

#include "evaluator/decision/decision.h"
#include "evaluator/kernel/utf8.h"

namespace aimsgate::cli {

// The source name the scanner gives stdin.
inline constexpr const char* kStdinSource = "<stdin>";

// "1 file", "2 files": a count with its noun in the right number (regular
// English plurals only: the noun gets an "s").
inline std::string Plural(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

// Replaces every invalid UTF-8 sequence (and overlong forms, surrogates) by
// U+FFFD so JSON and XML writers always emit valid text.
std::string SanitizeUtf8(std::string_view s);

// Text escaped for XML 1.0 element content (attribute = false) or a quoted
// attribute; characters XML cannot carry (C0 controls but tab and line breaks,
// U+FFFE, U+FFFF) or asks to avoid (DEL, C1 controls, other noncharacters)
// become U+FFFD (JUnit writers).
std::string XmlEscape(const std::string& raw, bool attribute);

// Text for a terminal or a log (kernel/utf8.h): control characters escaped.
using kernel::EscapeControls;

// Where a result points: the offending field's line when known, else the
// resource's first line (0 = unknown).
int ResultLine(const ResourceEvaluation& e, const RuleResult& r);

// "namespace/Kind/name" (namespace omitted when empty, "<unnamed>" for no name).
std::string QualifiedName(const ResourceRef& r);

// A URI reference for a file path: relative paths stay relative (leading "./"
// removed; `*relative` = true); absolute paths under the working directory are
// made relative to it; other absolute paths become file:// URIs.  Reserved
// characters are percent-encoded.
std::string SourceUri(std::string_view path, bool* relative);

}  // namespace aimsgate::cli
