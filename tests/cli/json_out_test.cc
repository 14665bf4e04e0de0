// cli/json_out.h replaces rapidjson's per-character string escaping, integer
// output and pretty-printing separators with bulk writes for its two streams.
// The bytes must stay rapidjson's: each case here is written both through the
// specialised writers and through plain rapidjson (PrettyWriter<StringBuffer>,
// which json_out.h leaves alone) and compared.
#include "cli/json_out.h"
#include "evaluator/kernel/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace aimsgate::cli {
namespace {

// Strings that exercise every branch of the escaping: each control byte,
// quote, backslash, bytes copied as they are (DEL, U+2028/U+2029, other UTF-8,
// invalid UTF-8, NUL inside), and escapes at every offset of 16-byte blocks.
std::vector<std::string> Strings() {
  std::vector<std::string> out = {
      "",
      "plain",
      "apiVersion",
      "say \"hi\"",
      "C:\\path\\to",
      "\"",
      "\\",
      "\\\"\\\"",
      "line\nbreak\r\n\ttab\bback\fform",
      std::string("nul\0inside", 10),
      std::string(1, '\0'),
      "\x7f del",
      "sep \xE2\x80\xA8 and \xE2\x80\xA9 para",
      "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
      "bad \xC3\x28 \xFF\xFE \x80 \xED\xA0\x80 end",
      "/tmp/corpus/m000123.json",
      "Deployment/team-a/inference-server-7f9c",
  };
  for (int c = 0; c < 0x20; ++c) out.push_back("ctl " + std::string(1, static_cast<char>(c)) + " x");
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  out.push_back(all);
  // An escaped byte at each offset of a 48-byte string (before, inside and after 16-byte blocks).
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t at = 0; at < 48; ++at) {
      std::string s(48, 'a');
      s[at] = special;
      out.push_back(s);
      out.push_back(s.substr(0, at + 1));
    }
  }
  // Bytes just around the escaped range.
  out.push_back(std::string("\x1f\x20\x21\x22\x23\x5b\x5c\x5d\x7f\x80\xff", 11) + std::string(20, ' '));
  // Long: plain, and with escapes every 997 bytes (more than the 64 KiB spool and output buffers).
  out.push_back(std::string(70000, 'x'));
  std::string sprinkled;
  for (int i = 0; i < 150000; ++i) sprinkled.push_back(i % 997 == 0 ? '"' : i % 1499 == 0 ? '\t' : 'a' + i % 26);
  out.push_back(sprinkled);
  return out;
}

// Writes one value (an object mixing every call the report writers make) to `w`.
template <typename Writer>
void WriteElement(Writer& w, const std::string& s, int variant) {
  auto str = [&](const std::string& v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
  w.StartObject();
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  str(s);
  w.Key("resource");
  w.StartObject();
  w.Key("name"); str(s);
  w.Key("line"); w.Int(variant % 2 ? -7 : 1234567);
  w.EndObject();
  w.Key("counts");
  w.StartArray();
  w.Uint64(std::numeric_limits<uint64_t>::max());
  w.Uint64(0);
  w.Uint(4000000000u);
  w.Int64(std::numeric_limits<int64_t>::min());
  w.Int(std::numeric_limits<int>::min());
  w.EndArray();
  w.Key("empty object"); w.StartObject(); w.EndObject();
  w.Key("empty array"); w.StartArray(); w.EndArray();
  w.Key("nested");
  w.StartArray();
  w.StartArray(); str(s); w.StartObject(); w.Key("k"); w.Null(); w.EndObject(); w.EndArray();
  w.Bool(variant % 3 == 0);
  w.Double(0.90443345842956);
  w.EndArray();
  w.EndObject();
}

std::string Reference(const std::function<void(aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer>&)>& write) {
  aimsgate::JsonStringBuffer buffer;
  aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  write(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

TEST(JsonOutTest, JsonOutWritesRapidjsonsBytes) {
  const std::vector<std::string> strings = Strings();
  for (size_t i = 0; i < strings.size(); ++i) {
    std::ostringstream os;
    {
      JsonOut out(os);
      aimsgate::JsonPrettyWriter<JsonOut> w(out);
      w.SetIndent(' ', 2);
      WriteElement(w, strings[i], static_cast<int>(i));
    }
    const std::string expected = Reference([&](auto& w) { WriteElement(w, strings[i], static_cast<int>(i)); });
    ASSERT_EQ(os.str(), expected) << "string #" << i;
  }
}

// The frame both documents share: the root object, its "kind", and depth - 2 nested
// "level" objects around the arrays; then "after" and the closing braces.
template <typename Writer>
void OpenDocument(Writer& w, int depth) {
  w.StartObject();
  w.Key("kind"); w.String("Test \"report\"");
  for (int d = 2; d < depth; ++d) {
    w.Key("level");
    w.StartObject();
  }
}

template <typename Writer>
void CloseDocument(Writer& w, int depth) {
  w.Key("after"); w.Int(1);
  for (int d = 2; d < depth; ++d) w.EndObject();
  w.EndObject();
}

// A document whose array elements go through a JsonArraySpool, against the
// same document written in one go by rapidjson.
std::string SpooledDocument(const std::vector<std::string>& strings, int depth) {
  std::ostringstream os;
  JsonArraySpool items(depth);
  for (size_t i = 0; i < strings.size(); ++i) {
    items.Add([&](auto& w) { WriteElement(w, strings[i], static_cast<int>(i)); });
  }
  EXPECT_TRUE(items.ok()) << items.error();
  JsonArraySpool none(depth);
  JsonOut stream(os);
  aimsgate::JsonPrettyWriter<JsonOut> w(stream);
  w.SetIndent(' ', 2);
  OpenDocument(w, depth);
  w.Key("items");
  EXPECT_TRUE(items.WriteTo(w, stream, os));
  w.Key("none");
  EXPECT_TRUE(none.WriteTo(w, stream, os));
  CloseDocument(w, depth);
  stream.Flush();
  return os.str();
}

std::string ReferenceDocument(const std::vector<std::string>& strings, int depth) {
  return Reference([&](auto& w) {
    OpenDocument(w, depth);
    w.Key("items");
    w.StartArray();
    for (size_t i = 0; i < strings.size(); ++i) WriteElement(w, strings[i], static_cast<int>(i));
    w.EndArray();
    w.Key("none");
    w.StartArray();
    w.EndArray();
    CloseDocument(w, depth);
  });
}

TEST(JsonOutTest, SpooledArrayIsWhatOneWriterWrites) {
  const std::vector<std::string> strings = Strings();
  // Depth 2 (the JSON report's arrays) and 4 (SARIF's results); 70 indents past
  // the 128 spaces written in one piece.  The long strings take the spool past
  // its 64 KiB buffer into its temporary file.
  for (int depth : {2, 4, 70}) {
    const std::string spooled = SpooledDocument(strings, depth);
    const std::string expected = ReferenceDocument(strings, depth);
    ASSERT_GT(expected.size(), 2u * 64 * 1024);
    ASSERT_EQ(spooled.size(), expected.size()) << "depth " << depth;
    ASSERT_TRUE(spooled == expected) << "depth " << depth << ": first difference at byte "
                                     << std::mismatch(spooled.begin(), spooled.end(), expected.begin()).first -
                                            spooled.begin();
  }
}

// Members recorded while an element of one spool is written (RecordInto) and
// replayed into an element of another spool as deep (RawMembers): the document is
// what one writer writes with the members written twice, past the spools' buffers too.
TEST(JsonOutTest, RecordedMembersReplayAsTheSameBytes) {
  const std::vector<std::string> strings = Strings();
  auto member = [](auto& w, const std::string& s, int i) {
    w.Key("resource");
    w.StartObject();
    w.Key("name"); w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    w.Key("line"); w.Int(i);
    w.EndObject();
  };
  for (int depth : {2, 4}) {
    JsonArraySpool firsts(depth), seconds(depth);
    std::string recorded;
    for (size_t i = 0; i < strings.size(); ++i) {
      const int n = static_cast<int>(i);
      recorded.clear();
      firsts.Add([&](auto& w) {
        w.StartObject();
        w.RecordInto(&recorded);
        member(w, strings[i], n);
        w.RecordInto(nullptr);
        w.Key("first"); w.Int(n);
        w.EndObject();
      });
      for (int copy = 0; copy < 2; ++copy) {
        seconds.Add([&](auto& w) {
          w.StartObject();
          w.RawMembers(recorded, 1);
          w.Key("copy"); w.Int(copy);
          w.EndObject();
        });
      }
    }
    std::ostringstream os;
    JsonOut stream(os);
    aimsgate::JsonPrettyWriter<JsonOut> w(stream);
    w.SetIndent(' ', 2);
    OpenDocument(w, depth);
    w.Key("firsts");
    ASSERT_TRUE(firsts.WriteTo(w, stream, os)) << firsts.error();
    w.Key("seconds");
    ASSERT_TRUE(seconds.WriteTo(w, stream, os)) << seconds.error();
    CloseDocument(w, depth);
    stream.Flush();
    const std::string expected = Reference([&](auto& r) {
      OpenDocument(r, depth);
      r.Key("firsts");
      r.StartArray();
      for (size_t i = 0; i < strings.size(); ++i) {
        r.StartObject();
        member(r, strings[i], static_cast<int>(i));
        r.Key("first"); r.Int(static_cast<int>(i));
        r.EndObject();
      }
      r.EndArray();
      r.Key("seconds");
      r.StartArray();
      for (size_t i = 0; i < strings.size(); ++i) {
        for (int copy = 0; copy < 2; ++copy) {
          r.StartObject();
          member(r, strings[i], static_cast<int>(i));
          r.Key("copy"); r.Int(copy);
          r.EndObject();
        }
      }
      r.EndArray();
      CloseDocument(r, depth);
    });
    ASSERT_GT(expected.size(), 2u * 64 * 1024);
    const std::string written = os.str();
    ASSERT_TRUE(written == expected) << "depth " << depth << ": first difference at byte "
                                     << std::mismatch(written.begin(), written.end(), expected.begin()).first -
                                            written.begin();
  }
}

TEST(JsonOutTest, EachSpooledElementAlone) {
  // One element per document: the first element's separators, the closing one.
  for (const std::string& s : Strings()) {
    ASSERT_EQ(SpooledDocument({s}, 2), ReferenceDocument({s}, 2));
  }
}

TEST(JsonOutTest, EscapesAsDocumented) {
  std::ostringstream os;
  {
    JsonOut out(os);
    aimsgate::JsonWriter<JsonOut> w(out);
    w.String(std::string("q\" b\\ n\n t\t c\x01 d\x7f u\xE2\x80\xA8 x\xFF"));
  }
  EXPECT_EQ(os.str(), std::string("\"q\\\" b\\\\ n\\n t\\t c\\u0001 d\x7f u\xE2\x80\xA8 x\xFF\""));
}

// The specialisations must be of the writers the reports use: when they named
// rapidjson::Writer<JsonOut> (another allocator than aimsgate::JsonWriter's),
// nothing called them, every byte went through Put one at a time, and the
// byte comparisons above still passed.
TEST(JsonOutTest, ReportWritersWriteRunsNotBytes) {
  const std::string text(4000, 'x');
  std::ostringstream os;
  JsonOut out(os);
  aimsgate::JsonWriter<JsonOut> w(out);
  w.StartArray();
  w.String(text);
  w.Int64(-1234567890123);
  w.Uint(4000000000u);
  w.EndArray();
  EXPECT_LE(out.puts(), 6u);  // '[', two quotes, two commas, ']'

  kernel::Spool spool;
  IndentedSpoolOut spooled(spool, 4);
  aimsgate::JsonPrettyWriter<IndentedSpoolOut> pretty(spooled);
  pretty.SetIndent(' ', 2);
  pretty.StartObject();
  for (int i = 0; i < 10; ++i) {
    pretty.Key(("key" + std::to_string(i)).c_str());
    pretty.String(text);
  }
  pretty.EndObject();
  EXPECT_GT(spool.size(), 40000u);
  EXPECT_LE(spooled.puts(), 42u);  // the braces and the quotes
}

}  // namespace
}  // namespace aimsgate::cli
