// Decoding of the body of CEL string and bytes literals (the text between the
// quotes), following the escape rules of the CEL language definition:
//
//   std::string out; UnescapeError err;
//   if (!Unescape("a\\n\\x41", /*bytes=*/false, &out, &err)) report(err.offset, err.message);
//
// Strings: every escape denotes a code point (\x and octal included) that is
// appended UTF-8 encoded; surrogates and values above U+10FFFF are rejected.
// Bytes: \x and octal escapes are raw octets; \u and \U are not allowed (the
// spec: "valid only for string literals"); other characters are copied as
// their UTF-8 bytes.
//
// Thread-safety: pure functions.  Cost: linear in the body length.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimsgate::cel::parser {

struct UnescapeError {
  int32_t offset = 0;  // byte offset of the offending escape within `body`
  std::string message;
};

bool Unescape(std::string_view body, bool bytes, std::string* out, UnescapeError* error);

// Appends the UTF-8 encoding of a valid code point.
void AppendUtf8(uint32_t code_point, std::string* out);

}  // namespace aimsgate::cel::parser
