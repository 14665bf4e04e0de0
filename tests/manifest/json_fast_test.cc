// LoadJson's fast path (json_fast.cc) against the general reader it falls back
// to: on every input, the same resources (values, number types, member order),
// the same position for every node and member name, the same errors. The fast
// path must also actually take the inputs it is for (the bench corpus, kubectl
// output), or it is dead code.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

#if defined(AIMSGATE_BENCH_CORPUS)
#include "bench/corpus/corpus.h"
#endif

namespace aimsgate::manifest {
namespace {

using Value = aimsgate::JsonValue;
using testing::Describe;
using testing::Errors;

std::string At(Position p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

std::string NumberKind(const Value& v) {
  if (!v.IsNumber()) return "";
  return std::string(v.IsInt() ? "i" : "-") + (v.IsUint() ? "u" : "-") + (v.IsInt64() ? "I" : "-") +
         (v.IsUint64() ? "U" : "-") + (v.IsDouble() ? "d" : "-");
}

// Same values, member order, number types and positions, node by node; counts the nodes.
void ExpectSameTree(const Value& a, const LoadedDocument& da, const Value& b, const LoadedDocument& db,
                    const std::string& path, size_t* nodes) {
  ++*nodes;
  ASSERT_EQ(Describe(a), Describe(b)) << path;
  ASSERT_EQ(NumberKind(a), NumberKind(b)) << path;
  ASSERT_EQ(At(da.Find(&a)), At(db.Find(&b))) << path;
  if (a.IsObject()) {
    ASSERT_EQ(a.MemberCount(), b.MemberCount()) << path;
    auto mb = b.MemberBegin();
    for (auto ma = a.MemberBegin(); ma != a.MemberEnd(); ++ma, ++mb) {
      const std::string name(ma->name.GetString(), ma->name.GetStringLength());
      ASSERT_EQ(name, std::string(mb->name.GetString(), mb->name.GetStringLength())) << path;
      ++*nodes;
      ASSERT_EQ(At(da.Find(&ma->name)), At(db.Find(&mb->name))) << path << "." << name << " (name)";
      ExpectSameTree(ma->value, da, mb->value, db, path + "." + name, nodes);
    }
  } else if (a.IsArray()) {
    ASSERT_EQ(a.Size(), b.Size()) << path;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      ExpectSameTree(a[i], da, b[i], db, path + "[" + std::to_string(i) + "]", nodes);
    }
  }
}

void ExpectSame(const LoadResult& fast, const LoadResult& general, const std::string& what) {
  ASSERT_EQ(Errors(fast), Errors(general)) << what;
  ASSERT_EQ(fast.not_objects, general.not_objects) << what;
  ASSERT_EQ(fast.resources.size(), general.resources.size()) << what;
  for (size_t i = 0; i < fast.resources.size(); ++i) {
    const Resource& a = fast.resources[i];
    const Resource& b = general.resources[i];
    ASSERT_EQ(a.source, b.source) << what;
    ASSERT_EQ(a.line, b.line) << what << " resource " << i;
    ASSERT_EQ(a.column, b.column) << what << " resource " << i;
    ASSERT_EQ(a.document_index, b.document_index) << what << " resource " << i;
    ASSERT_EQ(a.item_index, b.item_index) << what << " resource " << i;
    // Resources of one document share it in both, or in neither.
    if (i > 0) {
      ASSERT_EQ(a.owner == fast.resources[i - 1].owner, b.owner == general.resources[i - 1].owner) << what;
    }
    // The whole document (a List's envelope too): every node FieldPosition can be
    // asked about has the same position, and the index holds as many nodes.
    size_t nodes = 0;
    ExpectSameTree(a.owner->doc, *a.owner, b.owner->doc, *b.owner, what + " resource " + std::to_string(i), &nodes);
    ASSERT_EQ(a.owner->positions.size(), b.owner->positions.size()) << what << " resource " << i;
    // And the object is the same node of it.
    ASSERT_EQ(At(a.FieldPosition(a.object)), At(b.FieldPosition(b.object))) << what;
  }
}

// Whether the fast path took `text` (with what LoadJson does before it).
bool FastTakes(std::string_view text, const Limits& limits = Limits()) {
  Limits l = internal::Effective(limits);
  l.max_object_bytes = SIZE_MAX;
  LoadResult out;
  bool ascii = false;
  if (!internal::PrepareText(&text, "in", l, &out, &ascii)) return false;
  return internal::LoadJsonFast(text, ascii, "in", l, &out);
}

// Values and member names of a JSON text.
size_t CountNodes(const Value& v) {
  size_t n = 1;
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) n += 1 + CountNodes(m.value);
  } else if (v.IsArray()) {
    for (const Value& x : v.GetArray()) n += CountNodes(x);
  }
  return n;
}
size_t CountNodes(const std::string& text) {
  aimsgate::JsonDocument d;
  d.Parse(text.c_str(), text.size());
  return CountNodes(d);
}

void Check(const std::string& text, const Limits& limits = Limits(), const std::string& what = "") {
  ExpectSame(LoadJson(text, "in.json", limits), internal::LoadJsonGeneral(text, "in.json", limits),
             what.empty() ? text.substr(0, 200) : what);
}

std::string Pretty(const std::string& compact) {
  aimsgate::JsonDocument d;
  d.Parse(compact.c_str(), compact.size());
  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> w(sb);
  w.SetIndent(' ', 4);
  d.Accept(w);
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

const char kPod[] =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"a","tier":"1"}},)"
    R"("spec":{"containers":[{"name":"c","image":"img:1","args":["--x","y"],"ports":[{"containerPort":80}]}],)"
    R"("n":[0,-1,1.5,-0.0,1e3,2147483648,4294967296,-2147483649,18446744073709551615,18446744073709551616,1e308],)"
    R"("b":[true,false,null],"e":{},"a":[],"s":"tab\tquote\"slash\/u\u00e9\ud83d\ude00 nul\u0000end"}})";

std::vector<std::string> Samples() {
  const std::string pod = kPod;
  std::vector<std::string> v = {
      pod,
      Pretty(pod),
      ReplaceAll(Pretty(pod), "\n", "\r\n"),
      ReplaceAll(Pretty(pod), "    ", "\t"),
      "\xEF\xBB\xBF" + Pretty(pod),
      // Multi-byte text before and between tokens, on one line and on several.
      ReplaceAll(pod, R"("p")", "\"pé-日本-😀\""),
      ReplaceAll(Pretty(pod), R"("p")", "\"pé-日本-😀\""),
      ReplaceAll(Pretty(pod), R"("name": "c")", "\"näme\": \"ç\""),
      // JSON Lines, blanks between and after.
      pod + "\n" + pod + "\n\n" + Pretty(pod) + "  \n",
      pod + pod,
      // Top-level arrays and Lists.
      "[" + pod + "," + Pretty(pod) + "]",
      "[\n" + pod + "\n]\n" + pod,
      R"({"apiVersion":"v1","kind":"List","items":[)" + pod + "," + pod + "]}",
      R"({"apiVersion":"v1","items":[)" + pod + "," + Pretty(pod) + R"(],"kind":"PodList","metadata":{}})",
      R"({"apiVersion":"v1","kind":"List","items":[]})",
      R"({"apiVersion":"v1","kind":"List","items":{}})",
      R"({"apiVersion":"v1","kind":"List"})",
      R"({"apiVersion":"v1","kind":"Pod","items":[1,2]})",
      R"({"apiVersion":"v1","kind":"List","metadata":{"items":[1]},"items":[)" + pod + "]}",
      // Not Kubernetes objects, empty input, odd top levels.
      "", "   \n ", "\xEF\xBB\xBF", "null", "1", "\"s\"", "[]", "[1]", "[{}]", "{}",
      R"({"kind":"Pod"})", R"({"apiVersion":"v1"})", R"({"apiVersion":"","kind":"Pod"})",
      R"({"apiVersion":"v1","kind":""})", R"({"apiVersion":"v1","kind":3})",
      "[" + pod + ",1]", "[" + pod + ",{}]", "[{}," + pod + "]",
      R"({"apiVersion":"v1","kind":"List","items":[)" + pod + ",1," + pod + "]}",
      pod + " 1", pod + " null", pod + " []", "[" + pod + "] [1]",
      // Duplicate keys: one level, nested, both (the first in the text is reported).
      R"({"apiVersion":"v1","kind":"Pod","kind":"Pod"})",
      R"({"apiVersion":"v1","kind":"Pod","m":{"a":1,"b":{"c":1,"c":2},"a":2}})",
      R"({"apiVersion":"v1","kind":"Pod","m":{"a":1,"a":2,"b":{"c":1,"c":2}}})",
      R"({"apiVersion":"v1","kind":"Pod","m":[{"x":1},{"y":1,"y":2}]})",
      R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","a":1,"a":1}]})",
      "[" + pod + R"(,{"apiVersion":"v1","kind":"Pod","a":1,"a":1},)" + pod + "]",
      pod + R"({"apiVersion":"v1","kind":"Pod","a":1,"a":1})" + pod,
      // Syntax errors, flow-style YAML, NaN.
      R"({"apiVersion":"v1","kind":"Pod",})", R"({"apiVersion":"v1","kind":"Pod"]})",
      R"({"apiVersion":"v1" "kind":"Pod"})", R"({"apiVersion":"v1","kind":"Pod","x":[1,]})",
      R"({apiVersion: v1, kind: Pod})", R"({"apiVersion":"v1","kind":"Pod","x":NaN})",
      R"({"apiVersion":"v1","kind":"Pod","x":Infinity})", R"({"apiVersion":"v1","kind":"Pod","x":-Infinity})",
      R"({"apiVersion":"v1","kind":"Pod","x":01})", R"({"apiVersion":"v1","kind":"Pod","x":1.})",
      R"({"apiVersion":"v1","kind":"Pod","x":"a\qb"})", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"x\":\"a\tb\"}",
      R"({"apiVersion":"v1","kind":"Pod","x":"\ud800"})", R"({"apiVersion":"v1","kind":"Pod","x":"\udc00"})",
      R"({"apiVersion":"v1","kind":"Pod","\udfff":1})", R"({"apiVersion":"v1","kind":"Pod","x":"\ud800\u0041"})",
      R"({"apiVersion":"v1","kind":"Pod","x":"\u12"})", "[" + pod + "," + pod, "[" + pod + " " + pod + "]",
      "[" + pod + ",]", pod + "}", pod + "]", "{", "[", "\"", "{\"a\"", "{\"a\":", "{\"a\":1",
      // Strings of every length around the 16-byte scan, escapes at its edges.
      R"({"apiVersion":"v1","kind":"Pod","s":["","a","0123456789abcde","0123456789abcdef","0123456789abcdefg",)"
      R"("0123456789abcde\n","0123456789abcdef\"","\\0123456789abcdef0123456789abcdef","x\u0041y"]})",
  };
  // Wide objects (the duplicate check past 16 members), with and without a duplicate.
  std::string wide = R"({"apiVersion":"v1","kind":"Pod")";
  for (int i = 0; i < 40; ++i) wide += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  v.push_back(wide + "}");
  v.push_back(wide + ",\"k7\":0}");
  v.push_back(R"({"apiVersion":"v1","kind":"Pod","m":)" + wide.substr(0, wide.size()) + ",\"k39\":1}}");
  // Deep nesting around the limit.
  for (int depth : {99, 100, 101, 300}) {
    std::string deep = R"({"apiVersion":"v1","kind":"Pod","d":)";
    for (int i = 0; i < depth - 2; ++i) deep += i % 2 ? "[" : "{\"x\":";
    deep += "1";
    for (int i = depth - 3; i >= 0; --i) deep += i % 2 ? "]" : "}";
    v.push_back(deep + "}");
  }
  return v;
}

TEST(JsonFast, SameAsTheGeneralReaderOnSamples) {
  for (const std::string& text : Samples()) Check(text);
}

TEST(JsonFast, SameAsTheGeneralReaderOnSamplesWithoutFieldLines) {
  Limits l;
  l.record_field_lines = false;
  for (const std::string& text : Samples()) Check(text, l, "no field lines: " + text.substr(0, 200));
}

// The fast path compares member names on their length, first and last byte
// before their bytes: names that agree on those and differ in between are not
// duplicates, names that are the same once decoded are, and so on.
TEST(JsonFast, DuplicateKeysThatLookAlike) {
  const std::string head = R"({"apiVersion":"v1","kind":"Pod","m":)";
  const std::string long_a(65537, 'a');  // its length's low 16 bits are those of "a"
  const std::vector<std::pair<std::string, bool>> cases = {
      {R"({"abc":1,"axc":2})", false},
      {R"({"abc":1,"axc":2,"abc":3})", true},
      {R"({"abc":1,"abc":2})", true},
      {R"({"abc":1,"abc":2})", true},
      {R"({"":1,"x":2})", false},
      {R"({"":1,"x":2,"":3})", true},
      {R"({"a":1,")" + long_a + R"(":2})", false},
      {R"({"a":1,")" + long_a + R"(":2,"a":3})", true},
      {R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"ka":10,"kb":11,"kc":12,)"
       R"("kd":13,"ke":14,"k0":15})",
       true},
      {R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"ka":10,"kb":11,"kc":12,)"
       R"("kd":13,"ke":14,"kf":15})",
       false},
  };
  for (const auto& [m, duplicate] : cases) {
    const std::string text = head + m + "}";
    Check(text);
    EXPECT_EQ(LoadJson(text, "in").ok(), !duplicate) << text.substr(0, 100);
    EXPECT_EQ(FastTakes(text), !duplicate) << text.substr(0, 100);
  }
}

// Whether the string `v` holds is inside v itself (RapidJSON's short strings).
bool Inline(const Value& v) {
  const char* p = reinterpret_cast<const char*>(&v);
  return v.GetString() >= p && v.GetString() < p + sizeof(Value);
}

// Every inline string of `a` is byte for byte that of `b` (zeros after the string too).
void ExpectSameInlineStrings(const Value& a, const Value& b, size_t* checked) {
  ASSERT_EQ(a.GetType(), b.GetType());
  if (a.IsString()) {
    ASSERT_EQ(Inline(a), Inline(b)) << a.GetString();
    if (Inline(a)) {
      ++*checked;
      EXPECT_EQ(std::memcmp(&a, &b, sizeof(Value)), 0) << a.GetString();
    }
  } else if (a.IsObject()) {
    for (auto ma = a.MemberBegin(), mb = b.MemberBegin(); ma != a.MemberEnd(); ++ma, ++mb) {
      ExpectSameInlineStrings(ma->name, mb->name, checked);
      ExpectSameInlineStrings(ma->value, mb->value, checked);
    }
  } else if (a.IsArray()) {
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) ExpectSameInlineStrings(a[i], b[i], checked);
  }
}

// Names and values of every length around the 13 bytes a value holds inline,
// the 16 bytes the fast path reads at once and the 32 it copies without a
// memcpy call, at the end of the text and away from it, ASCII or not, with
// escapes or without.
TEST(JsonFast, ShortStringsOfEveryLengthAnywhere) {
  size_t checked = 0;
  for (size_t n = 0; n <= 34; ++n) {
    for (const std::string& unit : {std::string("k"), std::string("\u00e9"), std::string("\\n")}) {
      std::string k, v;
      for (size_t i = 0; i < n; ++i) {
        k += i % 2 ? "x" : unit;
        v += i % 3 ? "y" : unit;
      }
      const std::string body = R"({"apiVersion":"v1","kind":"Pod",")" + k + R"(":")" + v + R"(","a":[")" + v + R"("]})";
      for (const std::string& text : {body, body + "\n" + std::string(n, ' '), "[" + body + "]", body + body}) {
        Check(text);
        const LoadResult fast = LoadJson(text, "in");
        const LoadResult general = internal::LoadJsonGeneral(text, "in", Limits());
        ASSERT_EQ(fast.resources.size(), general.resources.size()) << text;
        for (size_t i = 0; i < fast.resources.size(); ++i) {
          ExpectSameInlineStrings(fast.resources[i].owner->doc, general.resources[i].owner->doc, &checked);
        }
      }
    }
  }
  EXPECT_GT(checked, 1500u);
}

TEST(JsonFast, SameAsTheGeneralReaderUnderEveryLimit) {
  const std::string pod = kPod;
  const std::vector<std::string> texts = {pod, Pretty(pod), pod + pod, "[" + pod + "," + pod + "]",
                                          R"({"apiVersion":"v1","kind":"List","items":[)" + pod + "," + pod + "]}",
                                          // Short values under long keys; arrays the deepest.
                                          R"({"apiVersion":"v1","kind":"Pod","a":[[["x"]]],"o":{"p":{"q":1}}})"};
  const size_t nodes = CountNodes(pod);
  ASSERT_GT(nodes, 50u);
  for (const std::string& text : texts) {
    Limits l;
    l.record_field_lines = false;
    Check(text, l, "no field lines: " + text);
    for (size_t n : {nodes - 1, nodes, nodes + 1, 2 * nodes, 2 * nodes + 1, 2 * nodes + 5}) {
      l = Limits();
      l.max_nodes = n;
      Check(text, l, "max_nodes " + std::to_string(n) + ": " + text);
    }
    for (int d : {0, 1, 2, 3, 4, 5, 257, 10000, 20000}) {
      l = Limits();
      l.max_depth = d;
      Check(text, l, "max_depth " + std::to_string(d) + ": " + text);
    }
    for (size_t s : {0, 1, 4, 5, 30}) {
      l = Limits();
      l.max_string_bytes = s;
      Check(text, l, "max_string_bytes " + std::to_string(s) + ": " + text);
    }
    for (size_t docs : {0, 1, 2}) {
      l = Limits();
      l.max_documents = docs;
      Check(text, l, "max_documents " + std::to_string(docs) + ": " + text);
    }
    l = Limits();
    l.max_file_bytes = text.size() - 1;
    Check(text, l, "max_file_bytes: " + text);
  }
  // The count is the readers' own: one more node than the limit is an error.
  Limits l;
  l.max_nodes = nodes;
  EXPECT_TRUE(LoadJson(pod, "in", l).ok());
  l.max_nodes = nodes - 1;
  EXPECT_NE(Errors(LoadJson(pod, "in", l)).find("node limit exceeded: more than " + std::to_string(nodes - 1)),
            std::string::npos);
}

TEST(JsonFast, SameAsTheGeneralReaderOnEveryPrefixAndBadByte) {
  const std::string pod = kPod;
  for (const std::string& text : {pod, Pretty(pod), "[" + pod + "," + pod + "]"}) {
    for (size_t n = 0; n <= text.size(); ++n) Check(text.substr(0, n));
    for (size_t at = 0; at < text.size(); at += 7) {
      for (char bad : {'\0', '\xFF', '}', ']', ',', ':', '"', '\\', ' ', '\n', 'x', '1'}) {
        std::string t = text;
        t[at] = bad;
        Check(t);
      }
    }
  }
}

TEST(JsonFast, SameAsTheGeneralReaderOnRandomEdits) {
  const std::string pod = kPod;
  const std::string bases[] = {pod, Pretty(pod), R"({"apiVersion":"v1","kind":"List","items":[)" + pod + "]}"};
  const char kBytes[] = "{}[],:\"\\ \n\t0123456789.eE-+tfnulasrAZ\xC3\xA9\xFF";
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string t = bases[round % 3];
    for (int edits = 1 + static_cast<int>(next() % 3); edits > 0; --edits) {
      const size_t at = next() % t.size();
      const char c = kBytes[next() % (sizeof(kBytes) - 1)];
      switch (next() % 3) {
        case 0: t[at] = c; break;
        case 1: t.insert(at, 1, c); break;
        default: t.erase(at, 1); break;
      }
    }
    Check(t);
  }
}

TEST(JsonFast, TakesWellFormedManifests) {
  const std::string pod = kPod;
  EXPECT_TRUE(FastTakes(pod));
  EXPECT_TRUE(FastTakes(Pretty(pod)));
  EXPECT_TRUE(FastTakes(ReplaceAll(Pretty(pod), R"("p")", "\"pé-日本-😀\"")));
  EXPECT_TRUE(FastTakes("[" + pod + "," + pod + "]\n" + pod));
  EXPECT_TRUE(FastTakes(R"({"apiVersion":"v1","kind":"List","items":[)" + pod + "]}"));
  EXPECT_TRUE(FastTakes(""));
  // ...and leaves errors to the general reader.
  EXPECT_FALSE(FastTakes(R"({"apiVersion":"v1","kind":"Pod","kind":"Pod"})"));
  EXPECT_FALSE(FastTakes(R"({"kind":"Pod"})"));
  EXPECT_FALSE(FastTakes(R"({"apiVersion":"v1","kind":"Pod","x":"\udc00"})"));
  EXPECT_FALSE(FastTakes(pod + ","));
  EXPECT_FALSE(FastTakes("[]"));
}

#if defined(AIMSGATE_BENCH_CORPUS)
TEST(JsonFast, SameAsTheGeneralReaderOnTheBenchCorpus) {
  bench::CorpusOptions o;
  std::string list = R"({"apiVersion":"v1","items":[)";
  std::string lines;
  for (uint64_t i = 0; i < 256; ++i) {
    const std::string text = bench::GenerateManifest(o, i, bench::Format::kJson);
    ASSERT_TRUE(FastTakes(text)) << i;
    Check(text, Limits(), "corpus " + std::to_string(i));
    Check(Pretty(text), Limits(), "corpus " + std::to_string(i) + " pretty");
    if (i < 32) {
      list += (i ? "," : "") + Pretty(text);
      lines += text;
    }
  }
  list += R"(],"kind":"List","metadata":{"resourceVersion":""}})";
  ASSERT_TRUE(FastTakes(list));
  Check(list, Limits(), "corpus List");
  Check(lines, Limits(), "corpus JSON Lines");
}
#endif

}  // namespace
}  // namespace aimsgate::manifest
