// The small parts of the server: metrics text, listen addresses, content types, the
// YAML --config reader, file fingerprints and log lines.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <thread>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/kernel/json.h"
#include "webhook/file_watch.h"
#include "webhook/log.h"
#include "webhook/metrics.h"
#include "webhook/server.h"
#include "webhook/yaml_config.h"

namespace aimsgate::webhook {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m("1.2.3");
  ResourceEvaluation e;
  RuleInfo owner;  // what the compiled pack owns in a real run
  owner.id = "p/owner";
  owner.controls = {"A.3.2", "A.3.3"};
  RuleResult r;
  r.info = &owner;
  r.result = Outcome::kFail;
  e.results.push_back(r);
  m.ObserveAdmission("deny", "CREATE", 0.0007, e);
  m.ObserveAdmission("deny", "CREATE", 3.0, e);
  m.ObserveAdmission("allow", "UPDATE", 0.02, ResourceEvaluation{});
  m.ObserveAdmission("allow", "EVIL\"{x}", 0.02, ResourceEvaluation{});
  m.ObserveAdmission("allow", "EVIL2", 0.02, ResourceEvaluation{});
  m.CountReload(true);
  m.CountReload(false);
  m.CountReload(false);
  m.CountEvidenceWriteError();
  std::string text = m.Render();
  for (const char* line : {
           "aimsgate_build_info{version=\"1.2.3\"} 1\n",
           "aimsgate_admission_requests_total{decision=\"deny\",operation=\"CREATE\"} 2\n",
           "aimsgate_admission_requests_total{decision=\"allow\",operation=\"UPDATE\"} 1\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"0.0005\"} 0\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"0.001\"} 1\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"0.025\"} 4\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"2.5\"} 4\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"5\"} 5\n",
           "aimsgate_admission_duration_seconds_bucket{le=\"+Inf\"} 5\n",
           "aimsgate_admission_duration_seconds_count 5\n",
           "aimsgate_admission_requests_total{decision=\"allow\",operation=\"other\"} 2\n",
           "aimsgate_rule_results_total{rule=\"p/owner\",control=\"A.3.2,A.3.3\",result=\"fail\"} 2\n",
           "aimsgate_pack_reloads_total{result=\"success\"} 1\n",
           "aimsgate_pack_reloads_total{result=\"failure\"} 2\n",
           "aimsgate_evidence_write_errors_total 1\n",
           "# TYPE aimsgate_admission_duration_seconds histogram\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n---\n" << text;
  }
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(ListenTest, ParsesHostAndPort) {
  struct Case {
    const char* in;
    bool ok;
    const char* host;
    int port;
  };
  for (const Case& c : {Case{":8443", true, "0.0.0.0", 8443}, Case{"127.0.0.1:0", true, "127.0.0.1", 0},
                        Case{"[::1]:9443", true, "::1", 9443}, Case{"8443", false, "", 0},
                        Case{":99999", false, "", 0}, Case{"host:", false, "", 0}, Case{":8x", false, "", 0}}) {
    std::string host, error;
    int port = -1;
    EXPECT_EQ(ParseListen(c.in, &host, &port, &error), c.ok) << c.in;
    if (c.ok) {
      EXPECT_EQ(host, c.host) << c.in;
      EXPECT_EQ(port, c.port) << c.in;
    } else {
      EXPECT_FALSE(error.empty()) << c.in;
    }
  }
}

TEST(ContentTypeTest, AcceptsOnlyJson) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType(""));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/json-patch+json"));
  EXPECT_FALSE(IsJsonContentType("application/x-www-form-urlencoded"));
}

// IsJsonContentType compares as it reads; the reference builds the lowered, blank-free
// media type and compares it.  Same answer on crafted and random values.
TEST(ContentTypeTest, AgreesWithTheCopyingReference) {
  auto reference = [](const std::string& value) {
    std::string media = value.substr(0, value.find(';'));
    std::string lower;
    for (char c : media) {
      if (c != ' ' && c != '\t') lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return lower == "application/json";
  };
  const std::string crafted[] = {"application/json", " application / json ", "application/json\t;x", "APPLICATION/JSON",
                                 "application/jso", "application/jsonx", "application/json;", ";application/json",
                                 std::string("application/json\0", 17), "app lication/js on", "application/json ;a;b",
                                 "application\\json", "application/json\n"};
  for (const std::string& v : crafted) EXPECT_EQ(IsJsonContentType(v), reference(v)) << v;
  const std::string alphabet = "aAjJsSoOnNpPlLiIcCtT/ \t;x";
  std::mt19937 rng(5);
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string v = rng() % 2 ? "application/json" : "";
    for (size_t n = rng() % 6; n > 0; --n) v.insert(rng() % (v.size() + 1), 1, alphabet[rng() % alphabet.size()]);
    ASSERT_EQ(IsJsonContentType(v), reference(v)) << v;
    accepted += reference(v);
  }
  EXPECT_GT(accepted, 1000);
}

TEST(YamlConfigTest, ReadsScalarsAndLists) {
  YamlConfig c;
  std::istringstream in("listen: \":9443\"\nrules: [builtin:iso42001, /packs]\ninsecure-http: true\nthreads: 8\n");
  auto items = c.from_config(in);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].name, "listen");
  EXPECT_EQ(items[0].inputs, std::vector<std::string>{":9443"});
  EXPECT_EQ(items[1].inputs, (std::vector<std::string>{"builtin:iso42001", "/packs"}));
  EXPECT_EQ(items[2].inputs, std::vector<std::string>{"true"});
}

TEST(YamlConfigTest, RejectsNestingAndSyntaxErrorsWithALine) {
  YamlConfig c;
  std::istringstream nested("listen: :1\ntls:\n  cert: x\n");
  try {
    c.from_config(nested);
    ADD_FAILURE() << "no error";
  } catch (const CLI::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  std::istringstream broken("listen: [unclosed\n");
  EXPECT_THROW(c.from_config(broken), CLI::ConfigError);
  std::istringstream list("- a\n- b\n");
  EXPECT_THROW(c.from_config(list), CLI::ConfigError);
}

TEST(YamlConfigTest, FlagsWinOverTheFile) {
  char path[] = "/tmp/aimsgate-config-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "listen: \":9000\"\nthreads: 3\nrules: [a, b]\ninsecure-http: true\n";
  CLI::App app;
  CLI::App* sub = app.add_subcommand("serve");
  std::string listen;
  int threads = 0;
  bool insecure = false;
  std::vector<std::string> rules;
  sub->add_option("--listen", listen);
  sub->add_option("--threads", threads)->check(CLI::Range(1, 10));
  sub->add_option("--rules", rules);
  sub->add_flag("--insecure-http", insecure);
  app.parse(std::vector<std::string>{"4", "--threads", "serve"});  // argv reversed
  std::string error;
  ASSERT_TRUE(ApplyYamlConfig(sub, path, &error)) << error;
  EXPECT_EQ(listen, ":9000");
  EXPECT_EQ(threads, 4);
  EXPECT_EQ(rules, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(insecure);

  std::ofstream(path) << "lisen: \":9000\"\n";  // a typo is an error, not ignored
  EXPECT_FALSE(ApplyYamlConfig(sub, path, &error));
  EXPECT_NE(error.find("unknown setting 'lisen'"), std::string::npos) << error;
  CLI::App app2;
  CLI::App* sub2 = app2.add_subcommand("serve");
  sub2->add_option("--threads", threads)->check(CLI::Range(1, 10));
  app2.parse(std::vector<std::string>{"serve"});
  std::ofstream(path) << "threads: 99\n";  // validators apply to the file too
  EXPECT_FALSE(ApplyYamlConfig(sub2, path, &error));
  std::ofstream(path) << "threads: [1\n";
  EXPECT_FALSE(ApplyYamlConfig(sub2, path, &error));
  EXPECT_NE(error.find("line"), std::string::npos) << error;
  EXPECT_FALSE(ApplyYamlConfig(sub2, "/nonexistent/config.yaml", &error));
  unlink(path);
}

TEST(FileWatchTest, FingerprintChangesWithContentAndMembership) {
  char dir[] = "/tmp/aimsgate-watch-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string d = dir;
  std::ofstream(d + "/a.yaml") << "one";
  std::string f0 = FileFingerprint({d, "builtin:iso42001", ""});
  EXPECT_EQ(FileFingerprint({d}), f0);
  std::ofstream(d + "/a.yaml") << "two!";  // size changes
  std::string f1 = FileFingerprint({d});
  EXPECT_NE(f1, f0);
  std::ofstream(d + "/b.yaml") << "x";
  std::string f2 = FileFingerprint({d});
  EXPECT_NE(f2, f1);
  std::string missing = FileFingerprint({d + "/nope.yaml"});
  EXPECT_NE(missing.find("missing"), std::string::npos);
  std::system(("rm -rf " + d).c_str());
}

TEST(LogTest, LinesAreJsonWithEscapes) {
  LogLine line("info", "admission");
  line.Str("name", "a\"b\n").Int("n", 3).Bool("ok", true).Num("ms", 1.5).List("rules", {"x", "y"});
  aimsgate::JsonDocument d;
  d.Parse(line.text().c_str());
  ASSERT_FALSE(d.HasParseError()) << line.text();
  EXPECT_STREQ(d["msg"].GetString(), "admission");
  EXPECT_STREQ(d["name"].GetString(), "a\"b\n");
  EXPECT_EQ(d["n"].GetInt(), 3);
  EXPECT_EQ(d["rules"].Size(), 2u);
  EXPECT_TRUE(d.HasMember("time"));
}

// Log lines are appended as text (json_text.h) instead of through rapidjson::Writer: the
// same fields must give the bytes the Writer gives, escapes, numbers and lists included.
TEST(LogTest, LineIsTheTextRapidjsonWriterWrites) {
  const std::string odd = std::string("q\"b\\s\n\t\x01\x1f\x7f ünï 名前 😀 \xff", 31);
  LogLine line("warn", odd);
  line.Str("uid", odd)
      .Str("", "")
      .Int("min", std::numeric_limits<int64_t>::min())
      .Int("max", std::numeric_limits<int64_t>::max())
      .Bool("t", true)
      .Bool("f", false)
      .Num("ms", 1.23456)
      .Num("neg", -0.0004)
      .Num("nan", std::nan(""))
      .Num("inf", std::numeric_limits<double>::infinity())
      .Num("huge", 1e300)
      .List("none", {})
      .List("two", {"a", odd})
      .BeginList("items")
      .Item("x")
      .Item(odd)
      .EndList()
      .BeginList("empty")
      .EndList()
      .Str(odd, "last");
  const std::string text = line.text();
  aimsgate::JsonDocument d;
  d.Parse(text.c_str(), text.size());
  ASSERT_FALSE(d.HasParseError()) << text;
  ASSERT_TRUE(d["time"].IsString());

  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
  auto key = [&w](std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); };
  auto str = [&w](std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
  auto num = [&](std::string_view k, double v) {
    key(k);
    char buf[400];
    int n = std::snprintf(buf, sizeof buf, "%.3f", v);
    w.RawValue(buf, static_cast<size_t>(n), rapidjson::kNumberType);
  };
  w.StartObject();
  key("time"), str(d["time"].GetString());
  key("level"), str("warn");
  key("msg"), str(odd);
  key("uid"), str(odd);
  key(""), str("");
  key("min"), w.Int64(std::numeric_limits<int64_t>::min());
  key("max"), w.Int64(std::numeric_limits<int64_t>::max());
  key("t"), w.Bool(true);
  key("f"), w.Bool(false);
  num("ms", 1.23456);
  num("neg", -0.0004);
  key("nan"), w.Null();
  key("inf"), w.Null();
  num("huge", 1e300);
  key("none"), w.StartArray(), w.EndArray();
  key("two"), w.StartArray(), str("a"), str(odd), w.EndArray();
  key("items"), w.StartArray(), str("x"), str(odd), w.EndArray();
  key("empty"), w.StartArray(), w.EndArray();
  key(odd), str("last");
  w.EndObject();
  EXPECT_EQ(text, std::string(sb.GetString(), sb.GetSize()));
}

TEST(LogTest, JsonErrorIsTheTextRapidjsonWriterWrites) {
  for (std::string_view message : {std::string_view(""), std::string_view("not found"),
                                   std::string_view("line \"2\"\n\\ ü \x01")}) {
    aimsgate::JsonStringBuffer sb;
    aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
    w.StartObject();
    w.Key("error");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
    EXPECT_EQ(JsonError(message), std::string(sb.GetString(), sb.GetSize()));
  }
}

TEST(ServerTest, CpusFromCgroupCpuMax) {
  EXPECT_EQ(CpusFromCpuMax("max 100000"), 0);  // no quota
  EXPECT_EQ(CpusFromCpuMax("max 100000\n"), 0);
  EXPECT_EQ(CpusFromCpuMax("150000 100000"), 2);  // 1.5 CPUs: rounded up
  EXPECT_EQ(CpusFromCpuMax("150000 100000\n"), 2);
  EXPECT_EQ(CpusFromCpuMax("100000 100000\n"), 1);
  EXPECT_EQ(CpusFromCpuMax("50000 100000"), 1);
  EXPECT_EQ(CpusFromCpuMax("400000 100000"), 4);
  for (const char* garbage : {"", "\n", "max", "100000", "garbage", "abc 100000", "100000 abc", "-1 100000",
                              "100000 0", "0 100000", "1.5 1", "100000  100000", "99999999999999999999 1"}) {
    EXPECT_EQ(CpusFromCpuMax(garbage), 0) << garbage;
  }
  const int n = EventThreadCount();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 8);
}

// stderr a pipe nobody reads (a stuck log collector): Emit never waits for it.  The lines
// past what the pipe and the queue hold are dropped and counted; once the pipe is read
// again, the queued lines come out whole, followed by one line telling how many were
// dropped, and FlushLogs sees everything written.
TEST(LogTest, EmitNeverWaitsForAStderrNobodyReads) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const int saved = dup(STDERR_FILENO);
  ASSERT_EQ(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
  close(p[1]);
  const uint64_t dropped_before = LogLinesDropped();
  constexpr int kLines = 20000;  // about 2 MB: the pipe (64 KiB) and the queue (1 MiB) overflow
  std::atomic<bool> done{false};
  std::thread emitter([&done] {
    for (int i = 0; i < kLines; ++i) LogLine("info", "admission").Int("i", i).Str("pad", std::string(60, 'x')).Emit();
    done = true;
  });
  for (int i = 0; i < 1000 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool returned_while_blocked = done;
  // Now read the pipe (which also lets an emitter that did block finish), to its end: the
  // write end closes when stderr is restored.
  std::string out;
  std::thread reader([&out, fd = p[0]] {
    char buf[65536];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  });
  emitter.join();
  EXPECT_TRUE(FlushLogs(std::chrono::seconds(10)));
  dup2(saved, STDERR_FILENO);
  close(saved);
  reader.join();
  close(p[0]);

  EXPECT_TRUE(returned_while_blocked) << "Emit waited for stderr";
  const uint64_t dropped = LogLinesDropped() - dropped_before;
  EXPECT_GT(dropped, 0u);
  std::istringstream lines(out);
  size_t whole = 0, notices = 0;
  uint64_t reported = 0;
  for (std::string line; std::getline(lines, line);) {
    aimsgate::JsonDocument d;
    ASSERT_FALSE(d.Parse(line.c_str()).HasParseError()) << line;
    if (d.HasMember("dropped")) {
      ++notices;
      reported += static_cast<uint64_t>(d["dropped"].GetInt64());
      EXPECT_NE(std::string(d["msg"].GetString()).find(" dropped"), std::string::npos);
    } else {
      ++whole;
    }
  }
  EXPECT_EQ(reported, dropped);
  EXPECT_GE(notices, 1u);
  EXPECT_EQ(whole + dropped, static_cast<size_t>(kLines));
}

}  // namespace
}  // namespace aimsgate::webhook
