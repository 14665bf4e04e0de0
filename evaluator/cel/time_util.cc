#include "evaluator/cel/time_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "evaluator/cel/value.h"
#include "evaluator/kernel/rfc3339.h"

namespace aimsgate::cel {

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) { return kernel::DaysFromCivil(y, m, d); }

CivilTime CivilFromSeconds(int64_t seconds) {
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  c.day_of_week = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  c.year = y + (m <= 2);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.day_of_year = static_cast<int>(days - DaysFromCivil(c.year, 1, 1));
  return c;
}

bool TimestampInRange(int64_t seconds) {
  return seconds >= kMinTimestampSeconds && seconds <= kMaxTimestampSeconds;
}

bool DurationInRange(int64_t seconds, int32_t nanos) {
  __int128 total = static_cast<__int128>(seconds) * kNanosPerSecond + nanos;
  return total >= INT64_MIN && total <= INT64_MAX;
}

bool NormalizeDuration(int64_t* seconds, int64_t* nanos) {
  int64_t carry = *nanos / kNanosPerSecond;
  *nanos %= kNanosPerSecond;
  if (__builtin_add_overflow(*seconds, carry, seconds)) return false;
  if (*seconds > 0 && *nanos < 0) {
    *nanos += kNanosPerSecond;
    *seconds -= 1;
  } else if (*seconds < 0 && *nanos > 0) {
    *nanos -= kNanosPerSecond;
    *seconds += 1;
  }
  return true;
}

bool ParseTimestamp(std::string_view s, int64_t* seconds, int32_t* nanos) {
  return kernel::ParseRfc3339(s, seconds, nanos);
}

namespace {

std::string Fraction(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%09d", nanos);
  std::string f(buf);
  while (!f.empty() && f.back() == '0') f.pop_back();
  return "." + f;
}

}  // namespace

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  CivilTime c = CivilFromSeconds(seconds);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  return std::string(buf) + Fraction(nanos) + "Z";
}

std::string FormatDuration(int64_t seconds, int32_t nanos) {
  std::string out;
  if (seconds < 0 || nanos < 0) out.push_back('-');
  uint64_t s = seconds < 0 ? 0 - static_cast<uint64_t>(seconds) : static_cast<uint64_t>(seconds);
  int32_t n = nanos < 0 ? -nanos : nanos;
  out += std::to_string(s) + Fraction(n) + "s";
  return out;
}

bool ParseDuration(std::string_view s, int64_t* seconds, int32_t* nanos) {
  size_t pos = 0;
  bool neg = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) {
    neg = s[pos] == '-';
    ++pos;
  }
  if (s.substr(pos) == "0") {
    *seconds = 0;
    *nanos = 0;
    return true;
  }
  if (pos >= s.size()) return false;
  // Accumulate in nanoseconds as __int128 to detect range errors exactly.
  __int128 total = 0;
  while (pos < s.size()) {
    __int128 whole = 0;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      whole = whole * 10 + (s[pos] - '0');
      if (whole > static_cast<__int128>(100000000000000000000.0L)) return false;  // far out of range
      ++pos;
    }
    __int128 frac = 0, scale = 1;
    bool had_frac_digits = false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (scale < static_cast<__int128>(1000000000000000000LL)) {
          frac = frac * 10 + (s[pos] - '0');
          scale *= 10;
        }
        had_frac_digits = true;
        ++pos;
      }
    }
    if (pos == start || (pos == start + 1 && s[start] == '.' && !had_frac_digits)) return false;
    __int128 unit;
    if (s.compare(pos, 2, "ns") == 0) {
      unit = 1;
      pos += 2;
    } else if (s.compare(pos, 2, "us") == 0) {
      unit = 1000;
      pos += 2;
    } else if (s.compare(pos, 3, "\xC2\xB5s") == 0) {
      unit = 1000;
      pos += 3;
    } else if (s.compare(pos, 2, "ms") == 0) {
      unit = 1000000;
      pos += 2;
    } else if (pos < s.size() && s[pos] == 's') {
      unit = kNanosPerSecond;
      pos += 1;
    } else if (pos < s.size() && s[pos] == 'm') {
      unit = 60 * static_cast<__int128>(kNanosPerSecond);
      pos += 1;
    } else if (pos < s.size() && s[pos] == 'h') {
      unit = 3600 * static_cast<__int128>(kNanosPerSecond);
      pos += 1;
    } else {
      return false;
    }
    total += whole * unit + frac * unit / scale;
    if (total > static_cast<__int128>(INT64_MAX) + 1) return false;
  }
  if (neg) total = -total;
  int64_t secs = static_cast<int64_t>(total / kNanosPerSecond);
  int32_t ns = static_cast<int32_t>(total % kNanosPerSecond);
  if (!DurationInRange(secs, ns)) return false;
  *seconds = secs;
  *nanos = ns;
  return true;
}

// ---- time zones ----

namespace {

struct Zone {
  std::vector<int64_t> transitions;    // UTC seconds
  std::vector<uint8_t> type_index;     // per transition
  std::vector<int32_t> offsets;        // per local time type
  int32_t initial_offset = 0;
};

int64_t ReadBE(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

// The bytes of `path` if it is a regular file of at most `max` bytes.  A zone
// name comes from the expression or the object (`getHours('Asia')`): it may name
// a directory (std::ifstream's read of one throws), a FIFO (opened without
// blocking) or anything else under the zoneinfo tree.
bool ReadZoneFile(const std::string& path, size_t max, std::vector<unsigned char>* data) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 && static_cast<size_t>(st.st_size) <= max;
  if (ok) {
    data->resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < data->size()) {
      const ssize_t r = ::read(fd, data->data() + got, data->size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    data->resize(got);
  }
  ::close(fd);
  return ok;
}

// Parses a TZif file (version 2+ uses the 64-bit block).  Returns null on error.
std::shared_ptr<Zone> LoadZone(const std::string& path) {
  constexpr size_t kMaxZoneFile = 1 << 20;  // TZif files are a few KiB
  std::vector<unsigned char> data;
  if (!ReadZoneFile(path, kMaxZoneFile, &data)) return nullptr;
  auto parse_header = [&](size_t at, int64_t counts[6]) {
    if (at + 44 > data.size() || data[at] != 'T' || data[at + 1] != 'Z' || data[at + 2] != 'i' ||
        data[at + 3] != 'f') {
      return false;
    }
    for (int i = 0; i < 6; ++i) {
      counts[i] = ReadBE(&data[at + 20 + 4 * i], 4);
      if (counts[i] < 0) return false;  // (a count past the data is caught by the size checks)
    }
    return true;
  };
  int64_t c[6];  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  if (!parse_header(0, c)) return nullptr;
  int time_size = 4;
  size_t at = 44;
  if (data[4] >= '2') {
    size_t v1 = static_cast<size_t>(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    at = 44 + v1;
    if (!parse_header(at, c)) return nullptr;
    at += 44;
    time_size = 8;
  }
  int64_t timecnt = c[3], typecnt = c[4];
  if (timecnt < 0 || typecnt <= 0 || at + static_cast<size_t>(timecnt * (time_size + 1) + typecnt * 6) > data.size()) {
    return nullptr;
  }
  auto z = std::make_shared<Zone>();
  for (int64_t i = 0; i < timecnt; ++i) z->transitions.push_back(ReadBE(&data[at + i * time_size], time_size));
  at += static_cast<size_t>(timecnt * time_size);
  for (int64_t i = 0; i < timecnt; ++i) z->type_index.push_back(data[at + i]);
  at += static_cast<size_t>(timecnt);
  for (int64_t i = 0; i < typecnt; ++i) z->offsets.push_back(static_cast<int32_t>(ReadBE(&data[at + i * 6], 4)));
  for (uint8_t t : z->type_index) {
    if (t >= z->offsets.size()) return nullptr;
  }
  z->initial_offset = z->offsets[0];
  return z;
}

std::shared_ptr<Zone> FindZone(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Zone>, std::less<>> cache;
  // Names are path components under /usr/share/zoneinfo: no "..", no leading '/'.
  if (name.empty() || name.size() > 64 || name[0] == '/' || name.find("..") != std::string_view::npos) return nullptr;
  for (char ch : name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' || ch == '+')) {
      return nullptr;
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  std::shared_ptr<Zone> z = LoadZone("/usr/share/zoneinfo/" + std::string(name));
  if (cache.size() < 512) cache.emplace(std::string(name), z);
  return z;
}

}  // namespace

bool TimeZoneOffset(std::string_view tz, int64_t utc_seconds, int64_t* offset) {
  if (tz == "UTC" || tz == "Z" || tz == "utc") {
    *offset = 0;
    return true;
  }
  // Fixed offsets: [+-]HH:MM
  {
    std::string_view t = tz;
    int sign = 1;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
      sign = t[0] == '-' ? -1 : 1;
      t.remove_prefix(1);
    }
    int64_t h, m;
    if (t.size() == 5 && t[2] == ':' && Digits(t, 0, 2, &h) && Digits(t, 3, 2, &m)) {
      if (h > 23 || m > 59) return false;
      *offset = sign * (h * 3600 + m * 60);
      return true;
    }
  }
  std::shared_ptr<Zone> z = FindZone(tz);
  if (!z) return false;
  if (z->transitions.empty() || utc_seconds < z->transitions[0]) {
    *offset = z->initial_offset;
    return true;
  }
  size_t lo = 0, hi = z->transitions.size();
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (z->transitions[mid] <= utc_seconds) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  *offset = z->offsets[z->type_index[lo]];
  return true;
}

}  // namespace aimsgate::cel
