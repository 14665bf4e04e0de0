// URLs (as Go's url.ParseRequestURI reads them: an absolute URI or an
// absolute path), IP addresses and CIDR prefixes for the Kubernetes CEL
// libraries.
#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <string>

#include "evaluator/cel/k8s_types.h"

namespace aimsgate::cel::internal {

namespace {

bool ValidUrlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() + 0 && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

bool ParseUrl(std::string_view s, UrlRep* out) {
  if (s.empty() || !ValidUrlChars(s)) return false;
  *out = UrlRep();
  out->display = std::string(s);
  out->canonical = out->display;
  std::string_view rest = s;
  if (rest[0] != '/') {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(rest[0]))) {
      return false;
    }
    for (size_t i = 0; i < colon; ++i) {
      char c = rest[i];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
    }
    out->scheme = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
    if (rest.substr(0, 2) == "//") {
      rest.remove_prefix(2);
      size_t end = rest.find_first_of("/?");
      std::string_view authority = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      size_t at = authority.rfind('@');
      std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
      out->host = std::string(host);
      if (!host.empty() && host[0] == '[') {
        size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        out->hostname = std::string(host.substr(1, close - 1));
        std::string_view after = host.substr(close + 1);
        if (!after.empty()) {
          if (after[0] != ':') return false;
          out->port = std::string(after.substr(1));
        }
      } else {
        size_t c = host.rfind(':');
        out->hostname = std::string(host.substr(0, c));
        if (c != std::string_view::npos) out->port = std::string(host.substr(c + 1));
      }
      for (char c : out->port) {
        if (c < '0' || c > '9') return false;
      }
    } else if (rest.empty() || rest[0] != '/') {
      // Opaque URIs ("mailto:x") are accepted as Go does, with an empty path.
      size_t q = rest.find('?');
      if (q != std::string_view::npos) out->raw_query = std::string(rest.substr(q + 1));
      return true;
    }
  }
  size_t q = rest.find('?');
  out->path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) out->raw_query = std::string(rest.substr(q + 1));
  return true;
}

std::vector<std::pair<std::string, std::vector<std::string>>> ParseQuery(std::string_view raw) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    size_t amp = raw.find('&', pos);
    std::string_view part = raw.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = Unescape(part.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : Unescape(part.substr(eq + 1));
      bool found = false;
      for (auto& kv : out) {
        if (kv.first == key) {
          kv.second.push_back(value);
          found = true;
          break;
        }
      }
      if (!found) out.push_back({key, {value}});
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool ParseIp(std::string_view text, IpRep* out) {
  if (text.empty() || text.size() > 64 || text.find('%') != std::string_view::npos) return false;
  std::string s(text);
  *out = IpRep();
  char buf[INET6_ADDRSTRLEN];
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), out->addr) != 1) return false;
    out->family = 4;
    inet_ntop(AF_INET, out->addr, buf, sizeof(buf));
  } else {
    if (inet_pton(AF_INET6, s.c_str(), out->addr) != 1) return false;
    // IPv4-mapped IPv6 addresses are rejected, as in Kubernetes.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out->addr, kMapped, 12) == 0) return false;
    out->family = 6;
    inet_ntop(AF_INET6, out->addr, buf, sizeof(buf));
  }
  out->canonical = buf;
  out->display = buf;
  return true;
}

bool ParseCidr(std::string_view text, CidrRep* out) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  *out = CidrRep();
  if (!ParseIp(text.substr(0, slash), &out->ip)) return false;
  std::string_view p = text.substr(slash + 1);
  if (p.empty() || p.size() > 3) return false;
  int prefix = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > (out->ip.family == 4 ? 32 : 128)) return false;
  out->prefix = prefix;
  out->canonical = out->ip.canonical + "/" + std::to_string(prefix);
  out->display = out->canonical;
  return true;
}

bool CidrContains(const CidrRep& cidr, const IpRep& ip) {
  if (cidr.ip.family != ip.family) return false;
  int bits = cidr.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((cidr.ip.addr[i] & mask) != (ip.addr[i] & mask)) return false;
  }
  return true;
}

}  // namespace aimsgate::cel::internal
