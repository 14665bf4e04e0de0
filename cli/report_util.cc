#include "cli/report_util.h"

#include <unistd.h>

#include <climits>
#include <cstdint>

#include "evaluator/kernel/utf8.h"

namespace aimsgate::cli {

std::string SanitizeUtf8(std::string_view s) { return kernel::ToValidUtf8(s); }

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

namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes of the UTF-8 sequence `lead` starts (the text is valid: SanitizeUtf8).
size_t SequenceLength(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

char32_t CodePoint(std::string_view s, size_t i, size_t len) {
  static const unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t cp = static_cast<unsigned char>(s[i]) & kLeadMask[len];
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// XML 1.0 forbids U+FFFE and U+FFFF (and C0 controls, handled as bytes) and
// asks documents to avoid DEL, the C1 controls and the other noncharacters.
bool UnwantedInXml(char32_t cp) {
  return (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

void AppendXmlAscii(char ch, bool attribute, std::string* out) {
  switch (ch) {
    case '&': *out += "&amp;"; break;
    case '<': *out += "&lt;"; break;
    case '>': *out += "&gt;"; break;
    case '"': *out += attribute ? "&quot;" : "\""; break;
    case '\'': *out += attribute ? "&apos;" : "'"; break;
    case '\n': *out += attribute ? "&#10;" : "\n"; break;
    case '\r': *out += "&#13;"; break;
    case '\t': *out += attribute ? "&#9;" : "\t"; break;
    default:
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) {
        *out += kReplacement;
      } else {
        *out += ch;
      }
  }
}

}  // namespace

std::string XmlEscape(const std::string& raw, bool attribute) {
  std::string s = SanitizeUtf8(raw);
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    size_t len = SequenceLength(static_cast<unsigned char>(s[i]));
    if (len == 1) {
      AppendXmlAscii(s[i], attribute, &out);
    } else if (UnwantedInXml(CodePoint(s, i, len))) {
      out += kReplacement;
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  return out;
}

}  // namespace aimsgate::cli
