#include "webhook/json_text.h"

#include <charconv>
#include <cstring>

namespace aimsgate::webhook {

void AppendJsonEscaped(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* run = p;  // start of the plain bytes not yet appended
  while ((p = FindJsonSpecial(p, end)) != end) {
    const unsigned char c = static_cast<unsigned char>(*p);
    const char e = kernel::kJsonEscapes[c];
    out->append(run, static_cast<size_t>(p - run));
    out->push_back('\\');
    out->push_back(e);
    if (e == 'u') {
      const char hex[4] = {'0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out->append(hex, 4);
    }
    run = ++p;
  }
  out->append(run, static_cast<size_t>(end - run));
}

void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  AppendJsonEscaped(out, text);
  out->push_back('"');
}

void AppendJsonInt(std::string* out, int64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, static_cast<size_t>(result.ptr - buf));
}

}  // namespace aimsgate::webhook
