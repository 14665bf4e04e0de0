// Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library): quantity,
// regex find/findAll, list functions, url, ip and cidr.
#include <arpa/inet.h>

#include <cmath>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/k8s_types.h"

namespace aimsgate::cel::internal {

namespace {

using K = Value::Kind;

#define REQUIRE(cond, name)                     \
  do {                                          \
    if (!(cond)) return NoOverload(name, a, n); \
  } while (0)

const QuantityRep* Q(const Value& v) {
  return v.IsOpaque(kQuantityType) ? static_cast<const QuantityRep*>(v.OpaqueValue()) : nullptr;
}
const UrlRep* U(const Value& v) { return v.IsOpaque(kUrlType) ? static_cast<const UrlRep*>(v.OpaqueValue()) : nullptr; }
const IpRep* I(const Value& v) { return v.IsOpaque(kIpType) ? static_cast<const IpRep*>(v.OpaqueValue()) : nullptr; }
const CidrRep* C(const Value& v) {
  return v.IsOpaque(kCidrType) ? static_cast<const CidrRep*>(v.OpaqueValue()) : nullptr;
}

// ---- quantity ----

Value QuantityFn(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "quantity");
  auto rep = std::make_shared<QuantityRep>();
  if (!ParseQuantity(a[0].StringValue(), rep.get())) {
    return Value::Error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                        " (got '" + std::string(a[0].StringValue()) + "')");
  }
  return Value::Opaque(kQuantityType, std::move(rep));
}

Value IsQuantity(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "isQuantity");
  QuantityRep rep;
  return Value::Bool(ParseQuantity(a[0].StringValue(), &rep));
}

template <int kOp>  // 0 isLessThan, 1 isGreaterThan, 2 compareTo
Value QuantityCompare(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"isLessThan", "isGreaterThan", "compareTo"};
  const QuantityRep* x = Q(a[0]);
  const QuantityRep* y = Q(a[1]);
  REQUIRE(x && y, kNames[kOp]);
  int c = CompareQuantities(*x, *y);
  if (kOp == 0) return Value::Bool(c < 0);
  if (kOp == 1) return Value::Bool(c > 0);
  return Value::Int(c);
}

template <int kSign>
Value QuantityAdd(const Value* a, size_t n, EvalContext&) {
  const char* name = kSign > 0 ? "add" : "sub";
  const QuantityRep* x = Q(a[0]);
  REQUIRE(x && (Q(a[1]) || a[1].IsInt()), name);
  QuantityRep other;
  const QuantityRep* y = Q(a[1]);
  if (!y) {
    other.mantissa = a[1].IntValue();
    other.exponent = 0;
    y = &other;
  }
  __int128 m;
  int32_t e;
  if (!AddQuantities(*x, *y, kSign, &m, &e)) return Value::Error(std::string("quantity overflow in ") + name);
  return MakeQuantity(m, e, "");
}

Value AsInteger(const Value* a, size_t n, EvalContext&) {
  const QuantityRep* x = Q(a[0]);
  REQUIRE(x, "asInteger");
  int64_t v;
  if (!QuantityToInt64(*x, &v)) {
    return Value::Error("cannot convert value to integer: " + x->display + " is not an int64 integer");
  }
  return Value::Int(v);
}

Value IsInteger(const Value* a, size_t n, EvalContext&) {
  const QuantityRep* x = Q(a[0]);
  REQUIRE(x, "isInteger");
  int64_t v;
  return Value::Bool(QuantityToInt64(*x, &v));
}

Value AsApproximateFloat(const Value* a, size_t n, EvalContext&) {
  const QuantityRep* x = Q(a[0]);
  REQUIRE(x, "asApproximateFloat");
  return Value::Double(QuantityToDouble(*x));
}

Value Sign(const Value* a, size_t n, EvalContext&) {
  const QuantityRep* x = Q(a[0]);
  REQUIRE(x, "sign");
  return Value::Int(x->mantissa < 0 ? -1 : (x->mantissa > 0 ? 1 : 0));
}

// ---- regex ----

Value Find(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString(), "find");
  Value err;
  auto re = RegexForEval(a[1].StringValue(), ctx, &err);
  if (!re) return err;
  std::string_view s = a[0].StringValue();
  if (!ctx.AddCost(static_cast<int64_t>(s.size()) / 100)) return ctx.budget_error;
  re2::StringPiece match;
  if (!re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, &match, 1)) {
    return Value::String("");
  }
  return Value::String(std::string(match.data(), match.size()));
}

Value FindAll(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString() && (n == 2 || a[2].IsInt()), "findAll");
  Value err;
  auto re = RegexForEval(a[1].StringValue(), ctx, &err);
  if (!re) return err;
  int64_t limit = n == 3 ? a[2].IntValue() : -1;
  std::string_view s = a[0].StringValue();
  if (!ctx.AddCost(static_cast<int64_t>(s.size()) / 100)) return ctx.budget_error;
  std::vector<Value> out;
  size_t pos = 0;
  while (pos <= s.size() && (limit < 0 || static_cast<int64_t>(out.size()) < limit)) {
    re2::StringPiece match;
    if (!re->Match(re2::StringPiece(s.data(), s.size()), pos, s.size(), RE2::UNANCHORED, &match, 1)) break;
    out.push_back(Value::String(std::string(match.data(), match.size())));
    size_t end = static_cast<size_t>(match.data() - s.data()) + match.size();
    pos = match.empty() ? end + 1 : end;
    if (static_cast<int64_t>(out.size()) > ctx.limits->max_list_size) {
      return ctx.Exhaust("list size limit exceeded in findAll");
    }
  }
  return Value::List(std::move(out));
}

// ---- lists ----

Value IsSorted(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsList(), "isSorted");
  size_t size = a[0].ListSize();
  if (!ctx.AddCost(static_cast<int64_t>(size))) return ctx.budget_error;
  for (size_t i = 1; i < size; ++i) {
    Ordering o = Compare(a[0].ListAt(i - 1), a[0].ListAt(i));
    if (o == Ordering::kError) return Value::Error("isSorted: list elements are not comparable");
    if (o == Ordering::kGreater) return Value::Bool(false);
  }
  return Value::Bool(true);
}

Value Sum(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsList(), "sum");
  size_t size = a[0].ListSize();
  if (!ctx.AddCost(static_cast<int64_t>(size))) return ctx.budget_error;
  if (size == 0) return Value::Int(0);
  Value acc = a[0].ListAt(0);
  const FunctionDecl* add = FindFunction("_+_");
  for (size_t i = 1; i < size; ++i) {
    Value pair[2] = {acc, a[0].ListAt(i)};
    acc = add->impl(pair, 2, ctx);
    if (acc.IsError()) return acc;
  }
  if (!(acc.IsNumber() || acc.IsDuration())) return NoOverload("sum", a, n);
  return acc;
}

template <bool kMax>
Value MinMax(const Value* a, size_t n, EvalContext& ctx) {
  const char* name = kMax ? "max" : "min";
  REQUIRE(a[0].IsList(), name);
  size_t size = a[0].ListSize();
  if (size == 0) return Value::Error(std::string(name) + " called on an empty list");
  if (!ctx.AddCost(static_cast<int64_t>(size))) return ctx.budget_error;
  Value best = a[0].ListAt(0);
  for (size_t i = 1; i < size; ++i) {
    Value x = a[0].ListAt(i);
    Ordering o = Compare(x, best);
    if (o == Ordering::kError) return Value::Error(std::string(name) + ": list elements are not comparable");
    if ((kMax && o == Ordering::kGreater) || (!kMax && o == Ordering::kLess)) best = x;
  }
  return best;
}

// ---- url ----

Value UrlFn(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "url");
  auto rep = std::make_shared<UrlRep>();
  if (!ParseUrl(a[0].StringValue(), rep.get())) {
    return Value::Error("URL parse error during conversion from string: '" + std::string(a[0].StringValue()) + "'");
  }
  return Value::Opaque(kUrlType, std::move(rep));
}

Value IsUrl(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "isURL");
  UrlRep rep;
  return Value::Bool(ParseUrl(a[0].StringValue(), &rep));
}

template <int kPart>  // 0 scheme, 1 host, 2 hostname, 3 port, 4 escaped path
Value UrlPart(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"getScheme", "getHost", "getHostname", "getPort", "getEscapedPath"};
  const UrlRep* u = U(a[0]);
  REQUIRE(u, kNames[kPart]);
  switch (kPart) {
    case 0: return Value::String(u->scheme);
    case 1: return Value::String(u->host);
    case 2: return Value::String(u->hostname);
    case 3: return Value::String(u->port);
    default: return Value::String(u->path);
  }
}

Value UrlQuery(const Value* a, size_t n, EvalContext&) {
  const UrlRep* u = U(a[0]);
  REQUIRE(u, "getQuery");
  std::vector<std::pair<Value, Value>> entries;
  for (auto& kv : ParseQuery(u->raw_query)) {
    std::vector<Value> values;
    for (auto& v : kv.second) values.push_back(Value::String(v));
    entries.emplace_back(Value::String(kv.first), Value::List(std::move(values)));
  }
  return Value::Map(std::move(entries));
}

// ---- ip / cidr ----

Value IpFn(const Value* a, size_t n, EvalContext&) {
  if (const CidrRep* c = C(a[0])) {  // cidr.ip()
    auto rep = std::make_shared<IpRep>(c->ip);
    return Value::Opaque(kIpType, std::move(rep));
  }
  REQUIRE(a[0].IsString(), "ip");
  auto rep = std::make_shared<IpRep>();
  if (!ParseIp(a[0].StringValue(), rep.get())) {
    return Value::Error("IP Address '" + std::string(a[0].StringValue()) + "' parse error during conversion from string");
  }
  return Value::Opaque(kIpType, std::move(rep));
}

Value IsIp(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "isIP");
  IpRep rep;
  return Value::Bool(ParseIp(a[0].StringValue(), &rep));
}

Value CidrFn(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "cidr");
  auto rep = std::make_shared<CidrRep>();
  if (!ParseCidr(a[0].StringValue(), rep.get())) {
    return Value::Error("network address parse error during conversion from string: '" +
                        std::string(a[0].StringValue()) + "'");
  }
  return Value::Opaque(kCidrType, std::move(rep));
}

Value IsCidr(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "isCIDR");
  CidrRep rep;
  return Value::Bool(ParseCidr(a[0].StringValue(), &rep));
}

Value Family(const Value* a, size_t n, EvalContext&) {
  const IpRep* ip = I(a[0]);
  REQUIRE(ip, "family");
  return Value::Int(ip->family);
}

template <int kTest>  // 0 loopback, 1 unspecified, 2 link-local multicast, 3 link-local unicast, 4 global unicast
Value IpTest(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"isLoopback", "isUnspecified", "isLinkLocalMulticast", "isLinkLocalUnicast",
                                       "isGlobalUnicast"};
  const IpRep* ip = I(a[0]);
  REQUIRE(ip, kNames[kTest]);
  const unsigned char* b = ip->addr;
  bool v4 = ip->family == 4;
  bool zero = true;
  for (int i = 0; i < (v4 ? 4 : 16); ++i) zero = zero && b[i] == 0;
  bool loopback = v4 ? b[0] == 127 : (zero ? false : [&] {
    for (int i = 0; i < 15; ++i) {
      if (b[i]) return false;
    }
    return b[15] == 1;
  }());
  bool llm = v4 ? (b[0] == 224 && b[1] == 0 && b[2] == 0) : (b[0] == 0xff && (b[1] & 0x0f) == 0x02);
  bool llu = v4 ? (b[0] == 169 && b[1] == 254) : (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  bool multicast = v4 ? (b[0] >= 224 && b[0] <= 239) : b[0] == 0xff;
  bool broadcast = v4 && b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
  switch (kTest) {
    case 0: return Value::Bool(loopback);
    case 1: return Value::Bool(zero);
    case 2: return Value::Bool(llm);
    case 3: return Value::Bool(llu);
    default: return Value::Bool(!zero && !loopback && !multicast && !llu && !broadcast);
  }
}

Value ContainsIp(const Value* a, size_t n, EvalContext&) {
  const CidrRep* c = C(a[0]);
  REQUIRE(c && (I(a[1]) || a[1].IsString()), "containsIP");
  IpRep parsed;
  const IpRep* ip = I(a[1]);
  if (!ip) {
    if (!ParseIp(a[1].StringValue(), &parsed)) return Value::Error("containsIP: invalid IP address");
    ip = &parsed;
  }
  return Value::Bool(CidrContains(*c, *ip));
}

Value ContainsCidr(const Value* a, size_t n, EvalContext&) {
  const CidrRep* c = C(a[0]);
  REQUIRE(c && (C(a[1]) || a[1].IsString()), "containsCIDR");
  CidrRep parsed;
  const CidrRep* other = C(a[1]);
  if (!other) {
    if (!ParseCidr(a[1].StringValue(), &parsed)) return Value::Error("containsCIDR: invalid CIDR");
    other = &parsed;
  }
  return Value::Bool(other->prefix >= c->prefix && CidrContains(*c, other->ip));
}

Value PrefixLength(const Value* a, size_t n, EvalContext&) {
  const CidrRep* c = C(a[0]);
  REQUIRE(c, "prefixLength");
  return Value::Int(c->prefix);
}

Value Masked(const Value* a, size_t n, EvalContext&) {
  const CidrRep* c = C(a[0]);
  REQUIRE(c, "masked");
  auto rep = std::make_shared<CidrRep>(*c);
  int bits = c->prefix;
  int bytes = c->ip.family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : (bits <= 0 ? 0 : static_cast<unsigned char>(0xff << (8 - bits)));
    rep->ip.addr[i] &= mask;
  }
  char buf[64];
  inet_ntop(c->ip.family == 4 ? AF_INET : AF_INET6, rep->ip.addr, buf, sizeof(buf));
  rep->ip.canonical = rep->ip.display = buf;
  rep->canonical = rep->display = std::string(buf) + "/" + std::to_string(c->prefix);
  return Value::Opaque(kCidrType, std::move(rep));
}

}  // namespace

Value ListIndexOf(const Value* a, size_t n, EvalContext& ctx, bool last) {
  if (n != 2) return NoOverload(last ? "lastIndexOf" : "indexOf", a, n);
  size_t size = a[0].ListSize();
  if (!ctx.AddCost(static_cast<int64_t>(size) / 4)) return ctx.budget_error;
  for (size_t k = 0; k < size; ++k) {
    size_t i = last ? size - 1 - k : k;
    if (Equal(a[0].ListAt(i), a[1])) return Value::Int(static_cast<int64_t>(i));
  }
  return Value::Int(-1);
}

void RegisterK8s(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k0 = 1u << 0, k1 = 1u << 1, k2 = 1u << 2;
  out->insert(out->end(), {
      {"quantity", k1, 0, QuantityFn},
      {"isQuantity", k1, 0, IsQuantity},
      {"isLessThan", 0, k1, QuantityCompare<0>},
      {"isGreaterThan", 0, k1, QuantityCompare<1>},
      {"compareTo", 0, k1, QuantityCompare<2>},
      {"add", 0, k1, QuantityAdd<1>},
      {"sub", 0, k1, QuantityAdd<-1>},
      {"asInteger", 0, k0, AsInteger},
      {"isInteger", 0, k0, IsInteger},
      {"asApproximateFloat", 0, k0, AsApproximateFloat},
      {"sign", 0, k0, Sign},
      {"find", 0, k1, Find},
      {"findAll", 0, k1 | k2, FindAll},
      {"isSorted", 0, k0, IsSorted},
      {"sum", 0, k0, Sum},
      {"min", 0, k0, MinMax<false>},
      {"max", 0, k0, MinMax<true>},
      {"url", k1, 0, UrlFn},
      {"isURL", k1, 0, IsUrl},
      {"getScheme", 0, k0, UrlPart<0>},
      {"getHost", 0, k0, UrlPart<1>},
      {"getHostname", 0, k0, UrlPart<2>},
      {"getPort", 0, k0, UrlPart<3>},
      {"getEscapedPath", 0, k0, UrlPart<4>},
      {"getQuery", 0, k0, UrlQuery},
      {"ip", k1, k0, IpFn},
      {"isIP", k1, 0, IsIp},
      {"cidr", k1, 0, CidrFn},
      {"isCIDR", k1, 0, IsCidr},
      {"family", 0, k0, Family},
      {"isLoopback", 0, k0, IpTest<0>},
      {"isUnspecified", 0, k0, IpTest<1>},
      {"isLinkLocalMulticast", 0, k0, IpTest<2>},
      {"isLinkLocalUnicast", 0, k0, IpTest<3>},
      {"isGlobalUnicast", 0, k0, IpTest<4>},
      {"containsIP", 0, k1, ContainsIp},
      {"containsCIDR", 0, k1, ContainsCidr},
      {"prefixLength", 0, k0, PrefixLength},
      {"masked", 0, k0, Masked},
  });
}

}  // namespace aimsgate::cel::internal
