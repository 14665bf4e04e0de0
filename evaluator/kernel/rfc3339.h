// The one RFC 3339 parser: CEL timestamps, waiver and assessment expiries, --now, evidence
// times and report windows all read times through it, so they agree on what a time is.
//
//   int64_t s; int32_t ns;
//   kernel::ParseRfc3339("2009-02-13T23:31:30Z", &s, &ns);                 // s = 1234567890
//   kernel::ParseRfc3339("2027-03-01", &s, &ns, {.allow_date_only = true});  // midnight UTC
//
// Accepted: YYYY-MM-DD('T'|'t')HH:MM:SS[.fraction]('Z'|'z'|±HH:MM), the date checked against its
// month (2023-02-29 is refused), a leap second clamped to :59, fractions beyond nanoseconds
// truncated, results within 0001-01-01..9999-12-31 UTC.
// Thread-safety: stateless. Cost: linear in the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimsgate::kernel {

struct Rfc3339Options {
  bool allow_date_only = false;  // "2027-03-01" = its midnight UTC (waivers, --since)
};

bool ParseRfc3339(std::string_view text, int64_t* seconds, int32_t* nanos, Rfc3339Options options = {});
// "2009-02-13T23:31:30Z"; with `fraction_digits` 1..9, that many digits of `nanos` after a '.'.
std::string FormatRfc3339(int64_t seconds, int32_t nanos = 0, int fraction_digits = 0);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

inline constexpr int64_t kMinRfc3339Seconds = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxRfc3339Seconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace aimsgate::kernel
