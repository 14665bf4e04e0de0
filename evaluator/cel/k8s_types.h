// Value types of the Kubernetes CEL libraries: resource quantities
// ("500m", "1Gi", "2e3"), URLs, IP addresses and CIDR prefixes.  Each parses
// from text into an immutable internal::OpaqueRep held by a cel::Value.
//
//   Quantity q;
//   if (ParseQuantity("1.5Gi", &q)) ...   // q.mantissa = 1610612736, q.exponent = 0
//
// Thread-safety: pure functions and immutable values.  Cost: linear in the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/cel/value.h"

namespace aimsgate::cel::internal {

inline constexpr std::string_view kQuantityType = "kubernetes.Quantity";
inline constexpr std::string_view kUrlType = "kubernetes.URL";
inline constexpr std::string_view kIpType = "net.IP";
inline constexpr std::string_view kCidrType = "net.CIDR";

// value = mantissa * 10^exponent, normalised (no trailing zeros in mantissa).
struct QuantityRep : OpaqueRep {
  __int128 mantissa = 0;
  int32_t exponent = 0;
};

bool ParseQuantity(std::string_view text, QuantityRep* out);
Value MakeQuantity(__int128 mantissa, int32_t exponent, std::string display);
// -1, 0, 1.
int CompareQuantities(const QuantityRep& a, const QuantityRep& b);
// a + sign*b; false on overflow.
bool AddQuantities(const QuantityRep& a, const QuantityRep& b, int sign, __int128* m, int32_t* e);
bool QuantityToInt64(const QuantityRep& q, int64_t* out);
double QuantityToDouble(const QuantityRep& q);

struct UrlRep : OpaqueRep {
  std::string scheme, host, hostname, port, path, raw_query;
};
bool ParseUrl(std::string_view text, UrlRep* out);
// Query parameters in order of first appearance, values decoded.
std::vector<std::pair<std::string, std::vector<std::string>>> ParseQuery(std::string_view raw);

struct IpRep : OpaqueRep {
  int family = 4;         // 4 or 6
  unsigned char addr[16]; // 4 or 16 bytes used
};
struct CidrRep : OpaqueRep {
  IpRep ip;
  int prefix = 0;
};
bool ParseIp(std::string_view text, IpRep* out);
bool ParseCidr(std::string_view text, CidrRep* out);
bool CidrContains(const CidrRep& cidr, const IpRep& ip);

}  // namespace aimsgate::cel::internal
