// JSON text appended to a std::string, byte for byte what rapidjson::Writer writes (no
// validation flags), without the Writer's per-byte stream calls and nesting stack: the
// admission answer and the log lines are flat, fixed shapes written once per request.
//
//   std::string out;
//   out += "{\"uid\":";
//   AppendJsonString(&out, uid);      // "\"…\"", escaped
//   out += ",\"code\":";
//   AppendJsonInt(&out, 403);
//   out += '}';
//
// Escaping (rapidjson::Writer's table): '"', '\\', and bytes below 0x20 — \b \t \n \f \r, the
// others as \u00XX with upper-case hex digits.  Every other byte is copied as it is: 0x7f,
// and the bytes of UTF-8 sequences, valid or not (the Writer validates nothing without
// kWriteValidateEncodingFlag).  Stateless; cost: about one instruction per plain byte
// (eight bytes are tested at a time), one append per run of plain bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimsgate::webhook {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view text);

// Appends `text` escaped, without the quotes: the pieces of one literal written in turn
// (escaping is byte by byte, so the pieces together read as their concatenation).
void AppendJsonEscaped(std::string* out, std::string_view text);

// Appends `value` in decimal, as rapidjson::Writer::Int64 does.
void AppendJsonInt(std::string* out, int64_t value);

// The bytes a JSON string must escape, and where a parser's scan of a string must stop:
// '"', '\\' and bytes below 0x20.  For eight bytes loaded from memory into `word`, a mask
// whose lowest set bit is the high bit of the first such byte (in memory order on a
// little-endian machine); 0 when there is none.  Exact for "is there one" and for "which
// is the first" (the borrows that can mark a later byte falsely start at a true one).
inline uint64_t JsonSpecialBytes(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  const uint64_t q = word ^ (kOnes * '"'), b = word ^ (kOnes * '\\');
  const uint64_t quote = (q - kOnes) & ~q & kHigh;
  const uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return below_space | quote | backslash;
}

inline bool HasJsonSpecialByte(uint64_t word) { return JsonSpecialBytes(word) != 0; }

}  // namespace aimsgate::webhook
