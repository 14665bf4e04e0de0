// AppendJsonString / AppendJsonInt against rapidjson::Writer, the writer they replace in the
// admission answer and the log lines: the bytes must be the same for every input.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/kernel/json.h"
#include "webhook/json_text.h"

namespace aimsgate::webhook {
namespace {

std::string WriterString(std::string_view s) {
  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(sb.GetString(), sb.GetSize());
}

std::string Appended(std::string_view s) {
  std::string out = "prefix";  // appends, never replaces
  AppendJsonString(&out, s);
  EXPECT_EQ(out.compare(0, 6, "prefix"), 0);
  return out.substr(6);
}

TEST(JsonTextTest, EscapesAsRapidjsonWriter) {
  const std::string_view cases[] = {
      "",
      "plain",
      "a\"b",
      "back\\slash",
      "new\nline\ttab\rcr\bbs\fff",
      std::string_view("nul\0byte", 8),
      "\x01\x02\x1f\x7f",
      "slash/and</script>",
      "ünïcödé 名前 😀",
      "\xff\xfe invalid \xc3 UTF-8 \xed\xa0\x80",
      "exactly8",
      "sixteen bytes!!!",
      "seven b\"",
      "\"2345678\"2345678\"",
      "aimsgate denied Deployment genai/chat-assistant: [iso42001/owner-assigned A.3.2] no owner",
  };
  for (std::string_view s : cases) EXPECT_EQ(Appended(s), WriterString(s)) << s;
}

TEST(JsonTextTest, EveryByteAtEveryOffsetOfAWord) {
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < 20; ++at) {
      std::string s(20, 'x');
      s[at] = static_cast<char>(c);
      ASSERT_EQ(Appended(s), WriterString(s)) << "byte " << c << " at " << at;
      ASSERT_EQ(Appended(s.substr(0, at + 1)), WriterString(s.substr(0, at + 1))) << "byte " << c << " last";
    }
  }
}

TEST(JsonTextTest, RandomBytes) {
  std::mt19937 rng(42);
  // Mostly plain text, sometimes a byte that needs escaping or is not ASCII.
  const std::string alphabet = "abc XYZ-/:.\"\\\n\t\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 70, ' ');
    for (char& ch : s) ch = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    ASSERT_EQ(Appended(s), WriterString(s));
  }
}

// JsonSpecialBytes against a byte-by-byte test: every byte value at every position of a
// word among bytes that are plain (including non-ASCII and the neighbours of the special
// ones), and random words; "which is first" is checked on a little-endian machine.
TEST(JsonTextTest, SpecialBytesOfAWord) {
  auto special = [](unsigned char c) { return c == '"' || c == '\\' || c < 0x20; };
  auto check = [&](const unsigned char (&bytes)[8]) {
    uint64_t w;
    std::memcpy(&w, bytes, 8);
    int first = 8;
    for (int i = 7; i >= 0; --i) {
      if (special(bytes[i])) first = i;
    }
    const uint64_t mask = JsonSpecialBytes(w);
    ASSERT_EQ(mask != 0, first < 8);
    ASSERT_EQ(HasJsonSpecialByte(w), first < 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (first < 8) {
      ASSERT_EQ(__builtin_ctzll(mask) / 8, first);
    }
#endif
  };
  const unsigned char fillers[] = {'a', ' ', '!', '#', '[', ']', 0x7f, 0x80, 0xc3, 0xff};
  for (unsigned char fill : fillers) {
    for (int c = 0; c < 256; ++c) {
      for (int at = 0; at < 8; ++at) {
        unsigned char bytes[8];
        std::memset(bytes, fill, 8);
        bytes[at] = static_cast<unsigned char>(c);
        check(bytes);
        for (int second = at + 1; second < 8; ++second) {  // a later special byte too
          bytes[second] = static_cast<unsigned char>(c == '"' ? 1 : '"');
          check(bytes);
          bytes[second] = fill;
        }
      }
    }
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 200000; ++i) {
    unsigned char bytes[8];
    for (auto& b : bytes) b = static_cast<unsigned char>(rng() % 4 == 0 ? rng() % 0x40 : rng() % 256);
    check(bytes);
  }
}

// FindJsonSpecial against a byte-by-byte search, from every start to every end of buffers
// long enough for the 16- and 8-byte paths, special bytes anywhere or nowhere; it must
// never look at or past `end` (checked by a special byte placed right there).
TEST(JsonTextTest, FindsTheFirstSpecialByte) {
  auto naive = [](const char* p, const char* end) {
    for (; p < end; ++p) {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20) return p;
    }
    return end;
  };
  std::mt19937 rng(9);
  const char plain[] = {'a', ' ', '!', '#', '[', ']', '\x7f', '\x80', '\xc3', '\xff', '~', '0'};
  const char special[] = {'"', '\\', '\0', '\x01', '\n', '\x1f'};
  for (int round = 0; round < 400; ++round) {
    std::string buf(48, ' ');
    for (char& c : buf) c = plain[rng() % sizeof plain];
    for (int k = rng() % 3; k > 0; --k) buf[rng() % buf.size()] = special[rng() % sizeof special];
    for (size_t from = 0; from <= buf.size(); ++from) {
      for (size_t to = from; to <= buf.size(); ++to) {
        std::string copy = buf;
        if (to < copy.size()) copy[to] = '"';  // past the end: must not be found
        const char* b = copy.data();
        ASSERT_EQ(FindJsonSpecial(b + from, b + to) - b, naive(b + from, b + to) - b) << from << " " << to;
      }
    }
  }
}

TEST(JsonTextTest, PiecesReadAsTheirConcatenation) {
  std::string out;
  out += '"';
  AppendJsonEscaped(&out, "a\"b,");
  AppendJsonEscaped(&out, "");
  AppendJsonEscaped(&out, "\n😀");
  out += '"';
  EXPECT_EQ(out, WriterString("a\"b,\n😀"));
}

TEST(JsonTextTest, IntegersAsRapidjsonWriter) {
  const int64_t cases[] = {0, 1, -1, 9, 10, 403, -403, 1764000000, std::numeric_limits<int64_t>::max(),
                           std::numeric_limits<int64_t>::min()};
  for (int64_t v : cases) {
    aimsgate::JsonStringBuffer sb;
    aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
    w.Int64(v);
    std::string out;
    AppendJsonInt(&out, v);
    EXPECT_EQ(out, std::string(sb.GetString(), sb.GetSize()));
  }
}

}  // namespace
}  // namespace aimsgate::webhook
