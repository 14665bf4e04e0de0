#include "cli/report_util.h"

#include <unistd.h>

#include <climits>
#include <cstdint>

namespace aimsgate::cli {

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    int len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len >= 3) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      if (c == 0xE0 && c1 < 0xA0) ok = false;   // overlong
      if (c == 0xED && c1 >= 0xA0) ok = false;  // surrogate
      if (c == 0xF0 && c1 < 0x90) ok = false;   // overlong
      if (c == 0xF4 && c1 >= 0x90) ok = false;  // beyond U+10FFFF
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

int ResultLine(const ResourceEvaluation& e, const RuleResult& r) {
  return r.field_line > 0 ? r.field_line : e.resource.line;
}

std::string QualifiedName(const ResourceRef& r) {
  std::string out;
  if (!r.namespace_().empty()) out.append(r.namespace_()) += '/';
  out.append(r.kind()) += '/';
  out += r.name().empty() ? "<unnamed>" : r.name();
  return out;
}

namespace {

std::string PercentEncode(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '.' || c == '_' || c == '~' || c == '/' || c == '!' || c == '$' || c == '&' || c == '\'' ||
                c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=' || c == '@';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string SourceUri(std::string_view path, bool* relative) {
  std::string p(path);
  while (p.size() > 2 && p.compare(0, 2, "./") == 0) p.erase(0, 2);
  if (!p.empty() && p[0] == '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd))) {
      std::string base(cwd);
      if (base != "/" && p.size() > base.size() + 1 && p.compare(0, base.size(), base) == 0 && p[base.size()] == '/') {
        *relative = true;
        return PercentEncode(p.substr(base.size() + 1));
      }
    }
    *relative = false;
    return "file://" + PercentEncode(p);
  }
  *relative = true;
  return PercentEncode(p);  // ':' is encoded, so no segment can read as a scheme
}

std::string XmlEscape(const std::string& raw, bool attribute) {
  std::string s = SanitizeUtf8(raw);
  std::string out;
  out.reserve(s.size() + 16);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\'': out += attribute ? "&apos;" : "'"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\xEF\xBF\xBD";
        } else {
          out += ch;
        }
    }
  }
  return out;
}


}  // namespace aimsgate::cli
