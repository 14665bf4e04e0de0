// The scanner end to end on the fixture repo: order, determinism across
// --jobs, field lines, and bad input reported rather than crashed on.
#include "cli/scan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cli/field_locator.h"
#include "cli/report.h"
#include "evaluator/kernel/json.h"
#include "tests/cli/test_util.h"

namespace aimsgate::cli {
namespace {

using testing::FixtureEngine;
using testing::ScanFixtures;
using testing::TempDir;

std::string Json(const Engine& engine, const CollectedScan& scan) {
  std::ostringstream out;
  WriteJsonReport({engine, scan}, out);
  return out.str();
}

TEST(Scan, OrderIsByFileThenDocument) {
  auto engine = FixtureEngine();
  CollectedScan r = ScanFixtures(*engine, {"repo"});
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.files, 7u);
  std::vector<std::string> seen;
  for (const auto& e : r.evaluations) {
    seen.push_back(std::string(e.resource.source()) + "#" + std::to_string(e.resource.document_index));
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("repo/apps/bad.yaml#0", "repo/apps/bad.yaml#1", "repo/apps/good.yaml#0",
                                           "repo/apps/odd name,with:colon%.yaml#0", "repo/apps/waived.yaml#0",
                                           "repo/config/cm.yaml#0", "repo/nested/deep/svc.yaml#0",
                                           "repo/nested/keep.tmp.yaml#0"));
}

TEST(Scan, JsonIsByteIdenticalAcrossJobs) {
  auto engine = FixtureEngine();
  std::string one = Json(*engine, ScanFixtures(*engine, {"repo", "waivers.yaml"}, 1));
  for (int jobs : {2, 4, 8}) {
    EXPECT_EQ(Json(*engine, ScanFixtures(*engine, {"repo", "waivers.yaml"}, jobs)), one) << "jobs=" << jobs;
  }
}

TEST(Scan, ManyFilesKeepOrderWithFourJobs) {
  TempDir t;
  for (int i = 0; i < 200; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "d%02d/f%03d.yaml", i % 7, i);
    t.Write(name, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w" + std::to_string(i) +
                      "}\nspec: {replicas: " + std::to_string(i % 3) + "}\n---\napiVersion: v1\nkind: Pod\n"
                      "metadata: {name: p" + std::to_string(i) + "}\n");
  }
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  ScanOptions o;
  o.paths = {"."};
  o.now_unix = testing::FixedNow();
  o.jobs = 1;
  CollectedScan a = ScanAll(*engine, o);
  o.jobs = 4;
  CollectedScan b = ScanAll(*engine, o);
  ASSERT_EQ(a.evaluations.size(), 400u);
  EXPECT_EQ(Json(*engine, a), Json(*engine, b));
  for (size_t i = 1; i < b.evaluations.size(); ++i) {
    const auto& p = b.evaluations[i - 1].resource;
    const auto& q = b.evaluations[i].resource;
    EXPECT_TRUE(p.source() < q.source() || (p.source() == q.source() && p.document_index < q.document_index)) << i;
  }
}

// Writes f100.yaml, f101.yaml, ... into `t`, file i holding docs_of(i) ConfigMaps
// named c0, c1, ...; returns how many documents that makes.
size_t WriteConfigMapFiles(TempDir* t, size_t files, const std::function<size_t(size_t)>& docs_of) {
  size_t total = 0;
  for (size_t i = 0; i < files; ++i) {
    std::string body;
    for (size_t d = 0; d < docs_of(i); ++d) {
      body += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(d) + "}\n";
    }
    t->Write("f" + std::to_string(100 + i) + ".yaml", body);
    total += docs_of(i);
  }
  return total;
}

// The decisions the sink sees, as "file#document/name", scanning `dir` with each
// of `jobs`; asserts that every run hands on `total` of them, in the same order.
std::vector<std::string> SinkSequence(const std::string& dir, size_t total, std::initializer_list<int> jobs) {
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(dir);
  ScanOptions o;
  o.paths = {"."};
  o.now_unix = testing::FixedNow();
  std::vector<std::string> want;
  for (int j : jobs) {
    o.jobs = j;
    std::vector<std::string> seen;
    ScanResult r = Scan(*engine, o, [&](ResourceEvaluation& d) {
      seen.push_back(std::string(d.resource.source()) + "#" + std::to_string(d.resource.document_index) + "/" +
                     std::string(d.resource.name()));
      return true;
    });
    EXPECT_FALSE(r.stopped);
    EXPECT_EQ(r.decisions, total);
    EXPECT_EQ(seen.size(), total) << "jobs=" << j;
    if (want.empty()) want = seen;
    EXPECT_EQ(seen, want) << "jobs=" << j;
  }
  return want;
}

// The sink sees every decision once, in the order ScanAll keeps them, whatever
// --jobs is; more files than the reorder window and more decisions per file than
// may wait for the sink, so workers run ahead and pause.
TEST(Scan, SinkSeesTheDecisionsInOrderForAnyJobs) {
  TempDir t;
  const size_t files = kScanWindowFiles * 4;
  const size_t per_file = kScanQueuedDecisions * 2 + 3;
  const size_t total = WriteConfigMapFiles(&t, files, [&](size_t) { return per_file; });
  std::vector<std::string> want = SinkSequence(t.path(), total, {1, 2, 5});
  ASSERT_EQ(want.size(), files * per_file);
  EXPECT_EQ(want.front(), "f100.yaml#0/c0");
  EXPECT_EQ(want.back(), "f" + std::to_string(100 + files - 1) + ".yaml#" + std::to_string(per_file - 1) + "/c" +
                             std::to_string(per_file - 1));
}

// Small files between large ones: the sink's thread sleeps until a batch is
// ready, which a large file behind small finished ones must end (its worker has
// paused), or the run would hang; every decision still arrives once, in order.
TEST(Scan, LargeFilesBetweenSmallOnesNeitherHangNorReorder) {
  TempDir t;
  const size_t files = kScanWindowFiles * 3 + 1;
  const size_t total = WriteConfigMapFiles(&t, files, [](size_t i) {
    return i % 3 == 2 ? kScanQueuedDecisions * 3 + 1 : 1 + i % 2;
  });
  std::vector<std::string> want = SinkSequence(t.path(), total, {1, 2, 3, 8});
  ASSERT_EQ(want.size(), total);
  EXPECT_EQ(want.front(), "f100.yaml#0/c0");
  EXPECT_EQ(want.back(), "f" + std::to_string(100 + files - 1) + ".yaml#0/c0");  // the last file holds one document
}

// The window's slots are reused, file after file: a file's own errors and
// skip reason reach the run under that file, never the file that used the
// slot before it or after it.  Files 0, 5, 10, ... do not parse; of the
// others, files 3, 17, 24, ... hold no Kubernetes object (walked, so skipped
// as not manifests).
TEST(Scan, EachFilesErrorsAndSkipsStayItsOwnAcrossTheWindow) {
  TempDir t;
  const size_t files = kScanWindowFiles * 3 + 5;
  std::vector<std::string> want_errors, want_skipped;
  size_t total = 0;
  for (size_t i = 0; i < files; ++i) {
    const std::string name = "f" + std::to_string(1000 + i) + ".yaml";
    if (i % 5 == 0) {
      t.Write(name, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n");
      want_errors.push_back(name);
    } else if (i % 7 == 3) {
      t.Write(name, "just: values\n");
      want_skipped.push_back(name);
    } else {
      t.Write(name, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(i) + "}\n");
      ++total;
    }
  }
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  for (int jobs : {1, 2, 4}) {
    ScanOptions o;
    o.paths = {"."};
    o.now_unix = testing::FixedNow();
    o.jobs = jobs;
    CollectedScan r = ScanAll(*engine, o);
    std::vector<std::string> errors, skipped;
    for (const auto& e : r.errors) errors.push_back(e.source);
    for (const auto& s : r.not_manifests) skipped.push_back(s.source);
    EXPECT_EQ(errors, want_errors) << "jobs=" << jobs;
    EXPECT_EQ(skipped, want_skipped) << "jobs=" << jobs;
    ASSERT_EQ(r.evaluations.size(), total) << "jobs=" << jobs;
    for (const auto& e : r.evaluations) {
      EXPECT_EQ("f" + std::to_string(1000 + std::stoul(std::string(e.resource.name()).substr(1))) + ".yaml",
                e.resource.source());
    }
  }
}

// Files of fewer decisions than may wait per file, more than kScanWaitingDecisions
// over the window: workers pause on the total (memory stays bounded by it, not
// by the window's files), and the run neither hangs nor reorders.  Counted: the
// decisions evaluated (ScanOptions::after_evaluate, on the workers) but not yet
// handed on never exceed the total, plus the head file's (its worker never
// pauses), the batch the sink's thread is handing on and one per worker held
// at its pause.  The sink holds on to its first decision until the total is
// reached, so the workers run ahead as far as they may.
TEST(Scan, DecisionsWaitingForTheSinkAreBoundedInAll) {
  constexpr size_t kPerFile = kScanQueuedDecisions / 2 + 1;
  static_assert(kPerFile < kScanQueuedDecisions && kScanWindowFiles * kPerFile > kScanWaitingDecisions,
                "the window's files could hold more decisions than may wait in all");
  TempDir t;
  const size_t files = kScanWindowFiles * 2;
  const size_t total = WriteConfigMapFiles(&t, files, [](size_t) { return kPerFile; });
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  for (int jobs : {2, 4}) {
    ScanOptions o;
    o.paths = {"."};
    o.now_unix = testing::FixedNow();
    o.jobs = jobs;
    std::atomic<size_t> evaluated{0};
    o.after_evaluate = [&](const aimsgate::JsonValue&, ResourceEvaluation*) { ++evaluated; };
    size_t handed = 0, most_waiting = 0;
    std::vector<std::string> seen;
    ScanResult r = Scan(*engine, o, [&](ResourceEvaluation& d) {
      // The first decision waits for the workers to fill what may wait, as a slow sink would.
      while (handed == 0 && evaluated.load() < kScanWaitingDecisions) std::this_thread::yield();
      most_waiting = std::max(most_waiting, evaluated.load() - handed);
      ++handed;
      seen.push_back(std::string(d.resource.source()) + "#" + std::to_string(d.resource.document_index));
      return true;
    });
    EXPECT_EQ(r.decisions, total) << "jobs=" << jobs;
    EXPECT_LE(most_waiting, kScanWaitingDecisions + 2 * kPerFile + static_cast<size_t>(jobs)) << "jobs=" << jobs;
    ASSERT_EQ(seen.size(), total) << "jobs=" << jobs;
    for (size_t i = 0; i < seen.size(); ++i) {
      ASSERT_EQ(seen[i], "f" + std::to_string(100 + i / kPerFile) + ".yaml#" + std::to_string(i % kPerFile))
          << "jobs=" << jobs << " decision " << i;
    }
  }
}

// An exception while a worker checks a file (here the after_evaluate hook
// throws on f102's second document) is that file's error, not the end of the
// process: the decisions before it and every other file's still reach the
// sink, in order, whatever the number of jobs.
TEST(Scan, AnExceptionOnAWorkerIsThatFilesError) {
  TempDir t;
  WriteConfigMapFiles(&t, 6, [](size_t) { return 3; });
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  for (int jobs : {1, 2}) {
    ScanOptions o;
    o.paths = {"."};
    o.now_unix = testing::FixedNow();
    o.jobs = jobs;
    o.after_evaluate = [](const aimsgate::JsonValue&, ResourceEvaluation* d) {
      if (d->resource.source() == "f102.yaml" && d->resource.document_index == 1) throw std::runtime_error("boom");
    };
    std::vector<std::string> seen;
    ScanResult r = Scan(*engine, o, [&](ResourceEvaluation& d) {
      seen.push_back(std::string(d.resource.source()) + "#" + std::to_string(d.resource.document_index));
      return true;
    });
    ASSERT_EQ(r.errors.size(), 1u) << "jobs=" << jobs;
    EXPECT_EQ(r.errors[0].ToString(), "f102.yaml: error: internal error: boom while checking the file");
    std::vector<std::string> want;
    for (int f = 100; f < 106; ++f) {
      for (int d = 0; d < 3; ++d) {
        if (f == 102 && d > 0) continue;
        want.push_back("f" + std::to_string(f) + ".yaml#" + std::to_string(d));
      }
    }
    EXPECT_EQ(seen, want) << "jobs=" << jobs;
  }
}

// A sink that cannot go on (evidence not recorded, a full disk) stops the run:
// nothing more reaches it, and the workers end.
TEST(Scan, ASinkThatFailsStopsTheRun) {
  TempDir t;
  for (int i = 0; i < 40; ++i) {
    t.Write("f" + std::to_string(10 + i) + ".yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: b}\n");
  }
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  ScanOptions o;
  o.paths = {"."};
  o.jobs = 3;
  size_t calls = 0;
  ScanResult r = Scan(*engine, o, [&](ResourceEvaluation&) { return ++calls < 5; });
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(calls, 5u);
  EXPECT_EQ(r.decisions, 5u);
}

struct LineCase {
  const char* source;
  const char* name;
  const char* rule;
  int line;
};

class FieldLineTest : public ::testing::TestWithParam<LineCase> {};

TEST_P(FieldLineTest, PointsAtTheOffendingField) {
  auto engine = FixtureEngine();
  CollectedScan r = ScanFixtures(*engine, {"repo"});
  const LineCase& c = GetParam();
  for (const auto& e : r.evaluations) {
    if (e.resource.source() != c.source || e.resource.name() != c.name) continue;
    for (const auto& res : e.results) {
      if (res.rule() == c.rule) {
        EXPECT_EQ(res.field_line, c.line);
        return;
      }
    }
  }
  ADD_FAILURE() << "no result " << c.rule << " for " << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Fixture, FieldLineTest,
    ::testing::Values(
        // annotations exist but not the owner key: the annotations line.
        LineCase{"repo/apps/bad.yaml", "bad", "cifix/owner", 9},
        // the key exists with an empty value: its own line.
        LineCase{"repo/apps/bad.yaml", "lonely", "cifix/owner", 29},
        // no annotations at all: the metadata line.
        LineCase{"repo/apps/odd name,with:colon%.yaml", "odd", "cifix/owner", 3},
        LineCase{"repo/apps/bad.yaml", "bad", "cifix/replicas", 12},
        // the container without a readiness probe (the second one).
        LineCase{"repo/apps/bad.yaml", "bad", "cifix/readiness", 20},
        // no container has resources: the first container.
        LineCase{"repo/apps/bad.yaml", "bad", "cifix/gpu-limit", 16},
        // waived results are located too.
        LineCase{"repo/apps/waived.yaml", "old-scorer", "cifix/owner", 3},
        // an evaluation error: the field the expression read.
        LineCase{"repo/config/cm.yaml", "settings", "cifix/config-size", 7}));

TEST(FieldLocator, ReadsThroughHelperFunctionsAndParams) {
  auto engine = FixtureEngine();
  FieldLocator locator(*engine);
  EXPECT_THAT(locator.PathsOf("cifix/owner"), ::testing::Contains("metadata.annotations.example.com/owner"));
  EXPECT_THAT(locator.PathsOf("cifix/readiness"),
              ::testing::Contains("spec.template.spec.containers.*.readinessProbe"));
  EXPECT_TRUE(locator.PathsOf("cifix/unknown").empty());
}

TEST(FieldLocator, BuiltinPackRulesGetAnnotationPaths) {
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(EngineOptions(), &diags);
  ASSERT_TRUE(engine);
  FieldLocator locator(*engine);
  EXPECT_THAT(locator.PathsOf("iso42001/owner-assigned"),
              ::testing::Contains("metadata.annotations.aimsgate.io/owner"));
}

TEST(Scan, BinaryAndInvalidUtf8FilesAreInputErrors) {
  TempDir t;
  t.Write("a-binary.yaml", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0binary", 16));
  t.Write("b-latin1.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n");
  t.Write("c-good.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, annotations: {example.com/owner: x}}\n");
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  ScanOptions o;
  o.paths = {"."};
  CollectedScan r = ScanAll(*engine, o);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].source, "a-binary.yaml");
  EXPECT_EQ(r.errors[1].source, "b-latin1.yaml");
  EXPECT_GT(r.errors[1].line, 0);
  ASSERT_EQ(r.evaluations.size(), 1u);
  EXPECT_EQ(r.evaluations[0].resource.name(), "ok");
}

TEST(Scan, ListItemsAreReadOneByOneAndTheLimitIsPerItem) {
  TempDir t;
  auto item = [](const std::string& name) {
    return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"("}})";
  };
  // The file is larger than the limit; each item but the third fits in it.
  std::string list = R"({"apiVersion":"v1","kind":"List","items":[)" + item("a") + ",\n" + item("b") + ",\n" +
                     item(std::string(3000, 'c')) + ",\n" + item("d") + "]}";
  t.Write("cluster.json", list);
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "cluster.json"};
  o.max_file_bytes = 1000;
  CollectedScan r = ScanAll(*engine, o);
  std::vector<std::string> names;
  for (const auto& e : r.evaluations) {
    names.push_back(std::string(e.resource.name()) + "#" + std::to_string(e.resource.item_index));
  }
  // The items before the oversized one were checked; reading stops at it.
  EXPECT_THAT(names, ::testing::ElementsAre("a#0", "b#1"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_THAT(r.errors[0].message, ::testing::HasSubstr("larger than the limit of 1000 bytes (--max-file-bytes)"));
}

TEST(Scan, AWalkedFileKeepsItsErrorsOnceItHoldsAnObject) {
  TempDir t;
  // A broken document before a good one: the file is a manifest, the error stays.
  t.Write("tree/mixed.yaml", "- not\n- an object\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n");
  t.Write("tree/notes.yaml", "title: not a manifest\n");
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "tree"};
  CollectedScan r = ScanAll(*engine, o);
  ASSERT_EQ(r.evaluations.size(), 1u);
  EXPECT_EQ(r.evaluations[0].resource.name(), "ok");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].source, ::testing::EndsWith("mixed.yaml"));
  EXPECT_EQ(r.errors[0].line, 1);
  ASSERT_EQ(r.not_manifests.size(), 1u);
  EXPECT_THAT(r.not_manifests[0].source, ::testing::EndsWith("notes.yaml"));
}

// A captured AdmissionReview is read by the webhook's reader: the DELETE's oldObject is
// evaluated (even when the request also carries an object), and a review the webhook would
// refuse is a located input error, not an evaluation.
TEST(Scan, AdmissionReviewsAreReadAsTheWebhookReadsThem) {
  TempDir t;
  const std::string pod = "{apiVersion: v1, kind: Pod, metadata: {name: NAME, namespace: apps}}";
  auto review = [&](const std::string& op, const std::string& body) {
    return "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: " + op + "\n" + body;
  };
  auto named = [&](const std::string& name) { return std::string(pod).replace(pod.find("NAME"), 4, name); };
  t.Write("a-delete.yaml", review("DELETE", "  object: " + named("new") + "\n  oldObject: " + named("old") + "\n"));
  t.Write("b-bad-operation.yaml", review("PATCH", "  object: " + named("x") + "\n"));
  t.Write("c-create-without-object.yaml", review("CREATE", "  oldObject: " + named("y") + "\n"));
  t.Write("d-object-not-an-object.yaml", review("UPDATE", "  object: [1]\n"));
  auto engine = FixtureEngine();
  testing::ScopedCwd cwd(t.path());
  ScanOptions o;
  o.paths = {"a-delete.yaml", "b-bad-operation.yaml", "c-create-without-object.yaml", "d-object-not-an-object.yaml"};
  o.admission_reviews = true;
  CollectedScan r = ScanAll(*engine, o);
  ASSERT_EQ(r.evaluations.size(), 1u);
  EXPECT_EQ(r.evaluations[0].resource.name(), "old");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].ToString(),
            "b-bad-operation.yaml:1:1: error: AdmissionReview: request.operation must be CREATE, UPDATE, DELETE or "
            "CONNECT, got 'PATCH'");
  EXPECT_EQ(r.errors[1].ToString(),
            "c-create-without-object.yaml:1:1: error: AdmissionReview: request.object is missing for operation CREATE");
  EXPECT_EQ(r.errors[2].ToString(),
            "d-object-not-an-object.yaml:1:1: error: AdmissionReview: request.object is not a JSON object");
}

TEST(Scan, FileOverTheLimitIsAnInputError) {
  TempDir t;
  t.Write("big.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: " + std::string(5000, 'x') + "}\n");
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "big.yaml"};
  o.max_file_bytes = 1000;
  CollectedScan r = ScanAll(*engine, o);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, ::testing::HasSubstr("--max-file-bytes"));
  EXPECT_TRUE(r.evaluations.empty());
}

TEST(Scan, SkippedSymlinksAreReportedNotRead) {
  TempDir outside, t;
  outside.Write("x.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: outside}\n");
  t.Symlink(outside / "x.yaml", "tree/x.yaml");
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "tree"};
  CollectedScan r = ScanAll(*engine, o);
  EXPECT_TRUE(r.evaluations.empty());
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_THAT(r.skipped[0].message, ::testing::HasSubstr("outside the scanned tree"));
}

// `check` walks on another thread while the engine loads and hands the walk to
// Scan: the same files, errors, skipped paths and decisions as Scan's own walk.
TEST(Scan, AWalkDoneBeforehandGivesTheSameRun) {
  TempDir outside, t;
  outside.Write("x.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: outside}\n");
  t.Symlink(outside / "x.yaml", "tree/x.yaml");
  t.Write("tree/a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
  t.Write("tree/b.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"b\"}}");
  t.Write("tree/skip/c.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: c}\n");
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "tree", t / "missing.yaml"};
  o.walk.exclude = {"skip/**"};
  o.now_unix = testing::FixedNow();
  CollectedScan own = ScanAll(*engine, o);
  WalkResult walked = WalkInputs(o.paths, o.walk);
  o.walked = &walked;
  CollectedScan given = ScanAll(*engine, o);
  EXPECT_EQ(own.files, 2u);
  EXPECT_EQ(given.files, own.files);
  ASSERT_EQ(own.errors.size(), 1u);
  ASSERT_EQ(given.errors.size(), 1u);
  EXPECT_EQ(given.errors[0].ToString(), own.errors[0].ToString());
  ASSERT_EQ(own.skipped.size(), 1u);
  ASSERT_EQ(given.skipped.size(), 1u);
  EXPECT_EQ(given.skipped[0].ToString(), own.skipped[0].ToString());
  EXPECT_EQ(Json(*engine, given), Json(*engine, own));
}

// `check` reads and parses the first files on its start-up thread while the engine
// loads (ReadAhead): the run is the same as one that reads every file itself
// (decisions, errors in their order, files that are not manifests), and the
// read-ahead ends at the first file over kReadAheadFileBytes.
TEST(Scan, FilesReadAheadGiveTheSameRun) {
  TempDir t;
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME}\n";
  auto named = [&](const std::string& name) { return std::string(pod).replace(pod.find("NAME"), 4, name); };
  t.Write("tree/a.yaml", named("a") + "---\n" + named("a2"));
  // Errors before and after objects, and an object without a name between them.
  t.Write("tree/b.yaml", "- not\n- an object\n---\n" + named("b") + "---\n" +
                             "apiVersion: v1\nkind: Pod\nmetadata: {}\n---\n" + named("b2") + "---\nkey: [unclosed\n");
  t.Write("tree/c.json", "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" +
                             std::string("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"c1\"}},") +
                             "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"c2\"}}]}");
  t.Write("tree/chart/Chart.yaml", "name: x\n");
  t.Write("tree/chart/templates/d.yaml", "metadata: {name: {{ .Values.name }}}\n");
  t.Write("tree/e.yaml", "title: not a manifest\n");
  t.Write("tree/f.yaml", std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n"));
  t.Write("tree/g.yaml", "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: DELETE\n"
                         "  oldObject: {apiVersion: v1, kind: Pod, metadata: {name: g}}\n");
  t.Write("tree/m-big.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {x: '" +
                                 std::string(kReadAheadFileBytes, 'x') + "'}\n");
  t.Write("tree/n.yaml", named("last"));
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t / "tree"};
  o.now_unix = testing::FixedNow();
  o.max_file_bytes = 4 << 20;
  o.admission_reviews = true;
  const CollectedScan own = ScanAll(*engine, o);
  const WalkResult walked = WalkInputs(o.paths, o.walk);
  ASSERT_EQ(walked.files.size(), 10u);
  for (int jobs : {1, 3}) {
    ReadAheadFiles ahead;
    std::atomic<bool> stop{false};
    ReadAhead(walked, NamedFiles(o.paths), o.max_file_bytes, stop, &ahead);
    // Read ahead up to m-big.yaml, the first file over kReadAheadFileBytes.
    ASSERT_EQ(ahead.files.size(), 8u);
    EXPECT_THAT(walked.files[8], ::testing::EndsWith("m-big.yaml"));
    EXPECT_EQ(ahead.files[0].resources.size(), 2u);
    o.walked = &walked;
    o.read_ahead = &ahead;
    o.jobs = jobs;
    const CollectedScan given = ScanAll(*engine, o);
    o.walked = nullptr;
    o.read_ahead = nullptr;
    ASSERT_EQ(given.errors.size(), own.errors.size());
    ASSERT_EQ(own.errors.size(), 4u);
    for (size_t i = 0; i < own.errors.size(); ++i) EXPECT_EQ(given.errors[i].ToString(), own.errors[i].ToString());
    ASSERT_EQ(given.not_manifests.size(), 3u);  // Chart.yaml, d.yaml, e.yaml
    EXPECT_EQ(own.not_manifests.size(), 3u);
    EXPECT_EQ(given.helm_templates, 1u);
    EXPECT_EQ(given.bytes, own.bytes);
    std::vector<std::string> names;
    for (const auto& e : given.evaluations) names.push_back(std::string(e.resource.name()));
    EXPECT_THAT(names, ::testing::ElementsAre("a", "a2", "b", "b2", "c1", "c2", "g", "big", "last"));
    EXPECT_EQ(Json(*engine, given), Json(*engine, own)) << "jobs=" << jobs;
    // Each file read ahead was handed on and freed.
    for (const auto& f : ahead.files) EXPECT_TRUE(f.resources.empty() || !f.resources[0].first.owner);
  }
}

TEST(Scan, ReadAheadEndsWhenToldAndAtItsBudget) {
  TempDir t;
  const std::string head = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}, "
                           "\"data\": {\"x\": \"";
  const std::string tail = "\"}}";
  const size_t files = kReadAheadBytes / kReadAheadFileBytes + 2;
  for (size_t i = 0; i < files; ++i) {
    t.Write("f" + std::to_string(10 + i) + ".json", head + std::string(kReadAheadFileBytes - head.size() - tail.size(), 'x') + tail);
  }
  const WalkResult walked = WalkInputs({t.path()}, WalkOptions());
  ASSERT_EQ(walked.files.size(), files);
  std::atomic<bool> stop{true};
  ReadAheadFiles none;
  ReadAhead(walked, {}, 64 << 20, stop, &none);
  EXPECT_TRUE(none.files.empty());
  stop = false;
  ReadAheadFiles some;
  ReadAhead(walked, {}, 64 << 20, stop, &some);
  EXPECT_EQ(some.files.size(), static_cast<size_t>(kReadAheadBytes / kReadAheadFileBytes));
}

// A sink that stops the run while files read ahead are handed on stops it there.
TEST(Scan, ASinkThatFailsStopsARunReadAhead) {
  TempDir t;
  WriteConfigMapFiles(&t, 10, [](size_t) { return 2; });
  auto engine = FixtureEngine();
  ScanOptions o;
  o.paths = {t.path()};
  o.jobs = 2;
  const WalkResult walked = WalkInputs(o.paths, o.walk);
  ReadAheadFiles ahead;
  std::atomic<bool> stop{false};
  ReadAhead(walked, NamedFiles(o.paths), o.max_file_bytes, stop, &ahead);
  ASSERT_EQ(ahead.files.size(), 10u);
  o.walked = &walked;
  o.read_ahead = &ahead;
  size_t calls = 0;
  ScanResult r = Scan(*engine, o, [&](ResourceEvaluation&) { return ++calls < 3; });
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(r.decisions, 3u);
}

}  // namespace
}  // namespace aimsgate::cli
