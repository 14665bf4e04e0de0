// JSON string escaping as rapidjson::Writer does it (no validation flags), shared by
// the writers that bypass the Writer's per-byte stream calls (webhook/json_text.h,
// cli/json_out.h) and the webhook's string scan: '"', '\\' and bytes below 0x20 are
// escaped (\b \t \n \f \r, the others as \u00XX); every other byte is copied.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace aimsgate::kernel {

// What rapidjson::Writer writes after the backslash for each byte; 0: the byte is copied.
inline constexpr std::array<char, 256> kJsonEscapes = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();

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

// The first '"', '\\' or byte below 0x20 in [p, end), or `end`.  Sixteen bytes at a time
// with SSE2, eight with the word test above, then byte by byte; reads nothing at or past
// `end`.
inline const char* FindJsonSpecial(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i below_space = _mm_cmpeq_epi8(_mm_max_epu8(v, control), control);  // v <= 0x1F, unsigned
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), below_space);
    if (const int mask = _mm_movemask_epi8(hit)) return p + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (uint64_t w; end - p >= 8; p += 8) {
    std::memcpy(&w, p, 8);
    const uint64_t special = JsonSpecialBytes(w);
    if (special == 0) continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return p + __builtin_ctzll(special) / 8;
#else
    break;  // found byte by byte below
#endif
  }
  for (; p < end; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20) return p;
  }
  return end;
}

}  // namespace aimsgate::kernel
