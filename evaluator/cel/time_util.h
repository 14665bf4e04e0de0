// Timestamp and duration text forms and calendar arithmetic for the CEL
// runtime: RFC 3339 timestamps, Go-style durations ("1h30m", "-1.5s"), civil
// dates, and time-zone offsets (fixed "+05:30" or IANA names read from the
// system tz database, /usr/share/zoneinfo).
//
//   int64_t s; int32_t n;
//   if (ParseTimestamp("2009-02-13T23:31:30Z", &s, &n)) ...  // s = 1234567890
//   std::string d = FormatDuration(5400, 0);                  // "5400s"
//
// Thread-safety: all functions are thread-safe; zone files are read once and
// cached under a mutex.  Cost: parsing is linear in the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimsgate::cel {

// RFC 3339 ("2009-02-13T23:31:30.5+01:00", "Z" or numeric offset).  Returns
// false for malformed text or a result outside 0001..9999.
bool ParseTimestamp(std::string_view text, int64_t* seconds, int32_t* nanos);
// RFC 3339 in UTC with the fraction trimmed of trailing zeros.
std::string FormatTimestamp(int64_t seconds, int32_t nanos);

// Go duration syntax: optional sign, then one or more <decimal><unit> with
// units h, m, s, ms, us (or µs), ns.  Returns false when malformed or out of range.
bool ParseDuration(std::string_view text, int64_t* seconds, int32_t* nanos);
// Seconds with up to 9 fraction digits, trailing zeros trimmed: "1.5s", "-3600s".
std::string FormatDuration(int64_t seconds, int32_t nanos);

// Normalises seconds/nanos so that nanos has the sign of seconds and
// |nanos| < 1e9.  Returns false on int64 overflow.
bool NormalizeDuration(int64_t* seconds, int64_t* nanos);
bool TimestampInRange(int64_t seconds);
// Durations: an int64 count of nanoseconds (about +-290 years).
bool DurationInRange(int64_t seconds, int32_t nanos);

struct CivilTime {
  int64_t year;
  int month;        // 1..12
  int day;          // 1..31
  int hour, minute, second;
  int day_of_year;  // 0-based
  int day_of_week;  // 0 = Sunday
};
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
CivilTime CivilFromSeconds(int64_t seconds);

// The offset from UTC (seconds) of time zone `tz` at the instant `utc_seconds`.
// `tz` is "UTC", an IANA name such as "Australia/Sydney", or a fixed offset
// "+05:30", "-02:30", "02:00".  Returns false for an unknown zone.
bool TimeZoneOffset(std::string_view tz, int64_t utc_seconds, int64_t* offset);

}  // namespace aimsgate::cel
