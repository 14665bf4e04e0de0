// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity
// syntax): <sign><digits>[.<digits>][suffix], suffix one of the binary SI
// (Ki Mi Gi Ti Pi Ei), decimal SI (n u m k M G T P E) or an exponent (e3, E-2).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "evaluator/cel/k8s_types.h"

namespace aimsgate::cel::internal {

namespace {

constexpr __int128 kMaxMantissa = static_cast<__int128>(1) << 120;

void Normalize(__int128* m, int32_t* e) {
  if (*m == 0) {
    *e = 0;
    return;
  }
  while (*m % 10 == 0) {
    *m /= 10;
    ++*e;
  }
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

// Canonical text: the plain decimal value, e.g. "1.5", "1500", "-0.001".
std::string Canonical(__int128 m, int32_t e) {
  std::string digits = Int128ToString(m < 0 ? -m : m);
  std::string out = m < 0 ? "-" : "";
  if (e >= 0) {
    if (e > 40) return out + digits + "e" + std::to_string(e);
    return out + digits + std::string(static_cast<size_t>(e), '0');
  }
  size_t frac = static_cast<size_t>(-e);
  if (frac > 40) return out + digits + "e" + std::to_string(e);
  if (digits.size() <= frac) digits = std::string(frac - digits.size() + 1, '0') + digits;
  return out + digits.substr(0, digits.size() - frac) + "." + digits.substr(digits.size() - frac);
}

// Scales m by 10^k (k >= 0); false on overflow.
bool Scale10(__int128* m, int32_t k) {
  for (int32_t i = 0; i < k; ++i) {
    if (*m > kMaxMantissa / 10 || *m < -kMaxMantissa / 10) return false;
    *m *= 10;
  }
  return true;
}

}  // namespace

Value MakeQuantity(__int128 mantissa, int32_t exponent, std::string display) {
  auto rep = std::make_shared<QuantityRep>();
  Normalize(&mantissa, &exponent);
  rep->mantissa = mantissa;
  rep->exponent = exponent;
  rep->canonical = Canonical(mantissa, exponent);
  rep->display = display.empty() ? rep->canonical : std::move(display);
  return Value::Opaque(kQuantityType, std::move(rep));
}

bool ParseQuantity(std::string_view s, QuantityRep* out) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  __int128 m = 0;
  int32_t e = 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (m < kMaxMantissa / 10) {
      m = m * 10 + (s[i] - '0');
    } else {
      ++e;  // drop excess precision
    }
    ++digits;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (m < kMaxMantissa / 10) {
        m = m * 10 + (s[i] - '0');
        --e;
      }
      ++digits;
      ++i;
    }
  }
  if (digits == 0) return false;
  std::string_view suffix = s.substr(i);
  int32_t pow2 = 0;
  if (suffix.empty()) {
  } else if (suffix == "Ki") {
    pow2 = 10;
  } else if (suffix == "Mi") {
    pow2 = 20;
  } else if (suffix == "Gi") {
    pow2 = 30;
  } else if (suffix == "Ti") {
    pow2 = 40;
  } else if (suffix == "Pi") {
    pow2 = 50;
  } else if (suffix == "Ei") {
    pow2 = 60;
  } else if (suffix == "n") {
    e -= 9;
  } else if (suffix == "u") {
    e -= 6;
  } else if (suffix == "m") {
    e -= 3;
  } else if (suffix == "k") {
    e += 3;
  } else if (suffix == "M") {
    e += 6;
  } else if (suffix == "G") {
    e += 9;
  } else if (suffix == "T") {
    e += 12;
  } else if (suffix == "P") {
    e += 15;
  } else if (suffix == "E") {
    e += 18;
  } else if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    size_t j = 1;
    bool eneg = false;
    if (suffix[j] == '+' || suffix[j] == '-') {
      eneg = suffix[j] == '-';
      ++j;
    }
    if (j >= suffix.size()) return false;
    int32_t x = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return false;
      x = x * 10 + (suffix[j] - '0');
      if (x > 1000) return false;
    }
    e += eneg ? -x : x;
  } else {
    return false;
  }
  for (int32_t k = 0; k < pow2; ++k) {
    if (m > kMaxMantissa / 2) return false;
    m *= 2;
  }
  if (neg) m = -m;
  Normalize(&m, &e);
  out->mantissa = m;
  out->exponent = e;
  out->canonical = Canonical(m, e);
  out->display = std::string(s);
  return true;
}

int CompareQuantities(const QuantityRep& a, const QuantityRep& b) {
  __int128 am = a.mantissa, bm = b.mantissa;
  int32_t emin = std::min(a.exponent, b.exponent);
  if (Scale10(&am, a.exponent - emin) && Scale10(&bm, b.exponent - emin)) {
    return am < bm ? -1 : (am > bm ? 1 : 0);
  }
  double x = QuantityToDouble(a), y = QuantityToDouble(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool AddQuantities(const QuantityRep& a, const QuantityRep& b, int sign, __int128* m, int32_t* e) {
  __int128 am = a.mantissa, bm = b.mantissa;
  int32_t emin = std::min(a.exponent, b.exponent);
  if (!Scale10(&am, a.exponent - emin) || !Scale10(&bm, b.exponent - emin)) return false;
  *m = am + sign * bm;
  if (*m > kMaxMantissa || *m < -kMaxMantissa) return false;
  *e = emin;
  return true;
}

bool QuantityToInt64(const QuantityRep& q, int64_t* out) {
  __int128 m = q.mantissa;
  if (q.exponent < 0) return false;  // normalised: a negative exponent means a fraction
  if (!Scale10(&m, q.exponent)) return false;
  if (m > INT64_MAX || m < INT64_MIN) return false;
  *out = static_cast<int64_t>(m);
  return true;
}

double QuantityToDouble(const QuantityRep& q) {
  return static_cast<double>(static_cast<long double>(q.mantissa) * std::pow(10.0L, q.exponent));
}

}  // namespace aimsgate::cel::internal
