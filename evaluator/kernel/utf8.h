// The one UTF-8 validator (RFC 3629): CEL source text, CEL bytes-to-string, evidence lines
// and the canonical JSON writer all accept exactly the same byte sequences.
//
//   if (kernel::FindInvalidUtf8(text) != std::string_view::npos) …   // reject
//   std::string safe = kernel::ToValidUtf8(text);                      // or repair
//   std::cerr << kernel::EscapeControls(file_name);                    // "a\\nb\\x1b" for a terminal
//
// Thread-safety: stateless. Cost: linear in the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace aimsgate::kernel {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t ValidUtf8Length(std::string_view s, size_t i);
// Offset of the first byte of `s` that is not well-formed UTF-8 (no overlong forms, no
// surrogates D800-DFFF, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(std::string_view s);
// `s` with every such byte replaced by U+FFFD (for keys, before they are sorted).
std::string ToValidUtf8(std::string_view s);

// Text for a terminal or a log, where an input's strings must neither start lines of
// their own (a CI runner reads "::error::" at a line's start as a command) nor drive
// the terminal: invalid UTF-8 becomes U+FFFD and control characters (C0, DEL, C1)
// escapes: \n \r \t, \x1b, \u0085.  `keep`: ASCII control characters left as they are.
std::string EscapeControls(std::string_view raw, std::string_view keep = {});
// The same text with each control character (but those in `keep`) and each invalid byte
// replaced by one U+FFFD, so that columns counted in code points stay where they were.
std::string ReplaceControls(std::string_view raw, std::string_view keep = {});

}  // namespace aimsgate::kernel
