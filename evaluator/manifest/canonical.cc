#include "evaluator/manifest/canonical.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace aimsgate::manifest {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                 rapidjson::CrtAllocator, rapidjson::kWriteNanAndInfFlag>;

// Decodes one code point of valid UTF-8 at s[*i], advancing *i.
uint32_t NextCodePoint(const unsigned char* s, size_t n, size_t* i) {
  unsigned char c = s[(*i)++];
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra && *i < n; ++k) cp = (cp << 6) | (s[(*i)++] & 0x3F);
  return cp;
}

// The first UTF-16 code unit of a code point: what RFC 8785 sorts by.
uint32_t FirstUnit(uint32_t cp) { return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10); }

bool Utf16Less(const rapidjson::Value& a, const rapidjson::Value& b) {
  const auto* sa = reinterpret_cast<const unsigned char*>(a.GetString());
  const auto* sb = reinterpret_cast<const unsigned char*>(b.GetString());
  size_t na = a.GetStringLength(), nb = b.GetStringLength();
  size_t i = 0, j = 0;
  while (i < na && j < nb) {
    uint32_t ca = NextCodePoint(sa, na, &i);
    uint32_t cb = NextCodePoint(sb, nb, &j);
    if (ca == cb) continue;
    uint32_t ua = FirstUnit(ca), ub = FirstUnit(cb);
    if (ua != ub) return ua < ub;
    return ca < cb;  // same high surrogate: the low one orders as the code point
  }
  return (na - i) < (nb - j) ? true : false;
}

void Write(const rapidjson::Value& v, Writer* w) {
  if (v.IsObject()) {
    std::vector<const rapidjson::Value::Member*> members;
    members.reserve(v.MemberCount());
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members.push_back(&*it);
    std::stable_sort(members.begin(), members.end(),
                     [](const rapidjson::Value::Member* a, const rapidjson::Value::Member* b) {
                       return Utf16Less(a->name, b->name);
                     });
    w->StartObject();
    for (const auto* m : members) {
      w->Key(m->name.GetString(), m->name.GetStringLength());
      Write(m->value, w);
    }
    w->EndObject();
  } else if (v.IsArray()) {
    w->StartArray();
    for (const auto& x : v.GetArray()) Write(x, w);
    w->EndArray();
  } else {
    v.Accept(*w);
  }
}

}  // namespace

std::string CanonicalJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Write(value, &w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace aimsgate::manifest
