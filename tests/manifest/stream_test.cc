// The streaming Reader (stream.h): items one by one with the positions LoadBytes
// gives, located errors in every hostile framing, bounded memory per item.
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/stream.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Errors;

struct Read {
  std::vector<Resource> resources;
  std::vector<Diagnostic> errors;
  std::vector<bool> not_object;    // per error: a document that is not a Kubernetes object
  std::vector<std::string> order;  // "r" or the error text, in the order they came
};

Read ReadAll(Reader* reader) {
  Read out;
  Resource r;
  Diagnostic e;
  for (;;) {
    size_t not_objects = reader->not_objects();
    ReadItem item = reader->Next(&r, &e);
    if (item == ReadItem::kEnd) break;
    if (item == ReadItem::kResource) {
      EXPECT_EQ(reader->not_objects(), not_objects);
      out.resources.push_back(r);
      out.order.push_back("r");
    } else {
      out.errors.push_back(e);
      out.not_object.push_back(reader->not_objects() == not_objects + 1);
      out.order.push_back(e.ToString());
    }
  }
  EXPECT_EQ(reader->Next(&r, &e), ReadItem::kEnd);  // the end stays the end
  return out;
}

std::string ErrorsOf(const Read& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.ToString() + "\n";
  return s;
}

// Feeds `data` through a socket in small writes from another thread, so the
// reader sees a pipe: blocks cut anywhere, no size known in advance.
class Feeder {
 public:
  explicit Feeder(std::string data, size_t chunk = 7001) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    read_fd_ = sv[0];
    int w = sv[1];
    thread_ = std::thread([w, chunk, data = std::move(data)] {
      for (size_t at = 0; at < data.size();) {
        ssize_t n = send(w, data.data() + at, std::min(chunk, data.size() - at), MSG_NOSIGNAL);
        if (n <= 0) break;
        at += static_cast<size_t>(n);
      }
      close(w);
    });
  }
  // Endless: `make(i)` for i = 0, 1, 2... until the reader closes its end (or
  // `make` returns "": the end of the input).
  explicit Feeder(std::function<std::string(uint64_t)> make) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    read_fd_ = sv[0];
    int w = sv[1];
    thread_ = std::thread([w, make = std::move(make)] {
      for (uint64_t i = 0;; ++i) {
        std::string s = make(i);
        if (s.empty()) break;
        size_t at = 0;
        while (at < s.size()) {
          ssize_t n = send(w, s.data() + at, s.size() - at, MSG_NOSIGNAL);
          if (n <= 0) {
            close(w);
            return;
          }
          at += static_cast<size_t>(n);
        }
      }
      close(w);
    });
  }
  ~Feeder() {
    CloseRead();
    thread_.join();
  }
  int fd() const { return read_fd_; }
  void CloseRead() {
    if (read_fd_ >= 0) close(read_fd_);
    read_fd_ = -1;
  }

 private:
  int read_fd_ = -1;
  std::thread thread_;
};

// Every value and member name of `a` and `b` has the same position.
void ExpectSamePositions(const Resource& a, const aimsgate::JsonValue& va, const Resource& b,
                         const aimsgate::JsonValue& vb, const std::string& path = "") {
  Position pa = a.FieldPosition(&va), pb = b.FieldPosition(&vb);
  ASSERT_EQ(pa.line, pb.line) << path;
  ASSERT_EQ(pa.column, pb.column) << path;
  ASSERT_EQ(va.GetType(), vb.GetType()) << path;
  if (va.IsObject()) {
    ASSERT_EQ(va.MemberCount(), vb.MemberCount()) << path;
    for (auto ia = va.MemberBegin(), ib = vb.MemberBegin(); ia != va.MemberEnd(); ++ia, ++ib) {
      std::string name(ia->name.GetString(), ia->name.GetStringLength());
      ASSERT_EQ(a.FieldLine(&ia->name), b.FieldLine(&ib->name)) << path << "." << name;
      ExpectSamePositions(a, ia->value, b, ib->value, path + "." + name);
    }
  } else if (va.IsArray()) {
    ASSERT_EQ(va.Size(), vb.Size()) << path;
    for (rapidjson::SizeType i = 0; i < va.Size(); ++i) {
      ExpectSamePositions(a, va[i], b, vb[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    ASSERT_TRUE(va == vb) << path;
  }
}

// The streamed resources equal LoadBytes's, position for position.
void ExpectSameAsLoadBytes(const std::string& text, const Read& streamed, const Limits& limits = Limits()) {
  LoadResult whole = LoadBytes(text, "in", limits);
  ASSERT_EQ(streamed.resources.size(), whole.resources.size()) << ErrorsOf(streamed) << Errors(whole);
  ASSERT_EQ(streamed.errors.size(), whole.errors.size()) << ErrorsOf(streamed) << Errors(whole);
  for (size_t i = 0; i < whole.resources.size(); ++i) {
    const Resource& s = streamed.resources[i];
    const Resource& w = whole.resources[i];
    ASSERT_EQ(s.line, w.line) << i;
    ASSERT_EQ(s.column, w.column) << i;
    ASSERT_EQ(s.item_index, w.item_index) << i;
    ASSERT_EQ(s.document_index, w.document_index) << i;
    ASSERT_EQ(s.source, w.source);
    ExpectSamePositions(s, *s.object, w, *w.object);
  }
  for (size_t i = 0; i < whole.errors.size(); ++i) {
    EXPECT_EQ(streamed.errors[i].ToString(), whole.errors[i].ToString());
  }
  EXPECT_EQ(static_cast<size_t>(std::count(streamed.not_object.begin(), streamed.not_object.end(), true)),
            whole.not_objects);
}

// `kubectl get deploy -A -o json`: 4-space indentation, keys sorted, so `items`
// comes before `kind`. Item i starts on line 4 + 17 * i.
std::string Deployment(int i, const std::string& indent = "        ") {
  std::string n = std::to_string(i);
  return indent + "{\n" +
         indent + "    \"apiVersion\": \"apps/v1\",\n" +
         indent + "    \"kind\": \"Deployment\",\n" +
         indent + "    \"metadata\": {\n" +
         indent + "        \"name\": \"web-" + n + "\",\n" +
         indent + "        \"namespace\": \"ns-" + std::to_string(i % 7) + "\",\n" +
         indent + "        \"labels\": {\"app\": \"web-" + n + "\"}\n" +
         indent + "    },\n" +
         indent + "    \"spec\": {\n" +
         indent + "        \"replicas\": " + std::to_string(1 + i % 3) + ",\n" +
         indent + "        \"template\": {\"spec\": {\"containers\": [\n" +
         indent + "            {\"name\": \"main\", \"image\": \"nginx:1.27\",\n" +
         indent + "             \"ports\": [{\"containerPort\": 8080}]}\n" +
         indent + "        ]}}\n" +
         indent + "    },\n" +
         indent + "    \"status\": {\"replicas\": 1}\n" +
         indent + "}";
}

std::string KubectlList(int count, const std::string& kind = "List", bool kind_first = false) {
  std::string s = "{\n    \"apiVersion\": \"v1\",\n";
  if (kind_first) s += "    \"kind\": \"" + kind + "\",\n";
  s += "    \"items\": [\n";
  for (int i = 0; i < count; ++i) s += Deployment(i) + (i + 1 < count ? ",\n" : "\n");
  s += "    ],\n";
  if (!kind_first) s += "    \"kind\": \"" + kind + "\",\n";
  s += "    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n";
  return s;
}

Read ReadPipe(const std::string& text, const Limits& limits = Limits(), size_t chunk = 7001) {
  Feeder feeder(text, chunk);
  auto reader = Reader::FromFd(feeder.fd(), "in", limits);
  return ReadAll(reader.get());
}

std::string WriteTempFile(const std::string& text) {
  char path[] = "/tmp/aimsgate_stream_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

// `text` through a pipe gives `resources` resources, then the one error `error`.
void ExpectStopsWith(const std::string& text, const Limits& limits, size_t resources, const std::string& error) {
  Read r = ReadPipe(text, limits);
  EXPECT_EQ(r.resources.size(), resources);
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].ToString(), error);
  EXPECT_EQ(r.order.back(), error);
}

TEST(Stream, KubectlListItemsBeforeKindStreamsPastTheLookahead) {
  // ~500 bytes per item: 6,000 items are ~3 MB, well past kItemsLookaheadBytes.
  const int n = 6000;
  const std::string text = KubectlList(n);
  ASSERT_GT(text.size(), 2 * kItemsLookaheadBytes);
  Read r = ReadPipe(text);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const Resource& res = r.resources[i];
    ASSERT_EQ(res.item_index, i);
    ASSERT_EQ(res.line, 4 + 17 * i) << i;
    ASSERT_EQ(res.column, 9);
    ASSERT_EQ(res.document_index, 0);
    const aimsgate::JsonValue& o = *res.object;
    ASSERT_EQ(std::string(o["metadata"]["name"].GetString()), "web-" + std::to_string(i));
    ASSERT_EQ(res.FieldLine(&o["metadata"]["name"]), 4 + 17 * i + 4);
    ASSERT_EQ(res.FieldLine(&o["spec"]["template"]["spec"]["containers"][0]["ports"]), 4 + 17 * i + 12);
    ASSERT_EQ(res.FieldPosition(&o["spec"]["replicas"]).column, 29);
  }
  // Past the lookahead each item has a document of its own (freed with it).
  EXPECT_NE(r.resources[n - 1].owner, r.resources[n - 2].owner);
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, ListWithKindFirstYieldsEachItemOnItsOwn) {
  const std::string text = KubectlList(50, "DeploymentList", /*kind_first=*/true);
  Read r = ReadPipe(text, Limits(), 333);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 50u);
  EXPECT_NE(r.resources[0].owner, r.resources[1].owner);
  EXPECT_EQ(r.resources[0].line, 5);
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, SmallListItemsBeforeKindIsReadAsLoadBytesReadsIt) {
  const std::string text = KubectlList(3);
  Read r = ReadPipe(text, Limits(), 5);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 3u);
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, ObjectWithItemsBeforeKindThatIsNotAListIsOneResource) {
  const std::string text =
      "{\"apiVersion\": \"example.com/v1\", \"items\": [{\"a\": 1}, 2, \"x\"],\n \"kind\": \"Inventory\",\n"
      " \"metadata\": {\"name\": \"inv\"}}\n";
  Read r = ReadPipe(text, Limits(), 3);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 1u);
  const Resource& res = r.resources[0];
  EXPECT_EQ(res.item_index, -1);
  EXPECT_EQ(std::string((*res.object)["kind"].GetString()), "Inventory");
  EXPECT_EQ((*res.object)["items"].Size(), 3u);
  EXPECT_EQ(res.FieldLine(&(*res.object)["metadata"]["name"]), 3);
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, ObjectPastTheLookaheadThatTurnsOutNotAListIsALocatedError) {
  const std::string text = KubectlList(3000, "Inventory");
  Read r = ReadPipe(text);
  EXPECT_EQ(r.resources.size(), 3000u);
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_NE(r.errors[0].message.find("kind Inventory is not a List"), std::string::npos) << ErrorsOf(r);
  EXPECT_EQ(r.order.back(), r.errors[0].ToString());  // after the items
}

TEST(Stream, ListWithoutApiVersion) {
  // Within the lookahead: as LoadBytes, one not-an-object error and no items.
  const std::string small = "{\"kind\": \"List\", \"items\": [" + Deployment(0, "") + "]}";
  Read r = ReadPipe(small);
  ExpectSameAsLoadBytes(small, r);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_TRUE(r.not_object[0]);
}

TEST(Stream, TopLevelArrayOfObjects) {
  std::string text = "[\n" + Deployment(0, "  ") + ",\n" + Deployment(1, "  ") + "\n]\n";
  Read r = ReadPipe(text, Limits(), 11);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(r.resources[0].item_index, 0);
  EXPECT_EQ(r.resources[1].item_index, 1);
  EXPECT_EQ(r.resources[1].line, 19);
  EXPECT_EQ(r.resources[1].column, 3);
  EXPECT_EQ(r.resources[1].FieldLine(&(*r.resources[1].object)["metadata"]["name"]), 23);
  ExpectSameAsLoadBytes(text, r);
  // An array of anything else is not a manifest: one error, flagged.
  Read data = ReadPipe("[1, 2, {\"a\": [3]}]\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n");
  ASSERT_EQ(data.errors.size(), 1u);
  EXPECT_EQ(data.errors[0].ToString(), "in:1:1: error: document is not a Kubernetes object (no kind): it is a sequence");
  EXPECT_TRUE(data.not_object[0]);
  ASSERT_EQ(data.resources.size(), 1u);  // the next value is read
  EXPECT_EQ(data.resources[0].line, 2);
  EXPECT_EQ(data.resources[0].document_index, 1);
  // A later element that is not an object is an error of its own.
  Read mixed = ReadPipe("[{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}, 5]");
  ASSERT_EQ(mixed.errors.size(), 1u);
  EXPECT_EQ(mixed.errors[0].ToString(),
            "in:1:39: error: array item 1: document is not a Kubernetes object (no kind): it is a scalar");
  EXPECT_FALSE(mixed.not_object[0]);  // a bad item of a manifest array is a real error
}

TEST(Stream, JsonLinesAndConcatenatedValues) {
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c" + std::to_string(i) + "\"}}\n";
  }
  text += "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"} {\"apiVersion\":\"v1\",\"kind\":\"Pod\"}";
  Read r = ReadPipe(text);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 1002u);
  EXPECT_EQ(r.resources[999].line, 1000);
  EXPECT_EQ(r.resources[999].document_index, 999);
  EXPECT_EQ(r.resources[1001].column, 34);
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, YamlStreamOneDocumentAtATime) {
  std::string text = "# a stream\n";
  for (int i = 0; i < 2000; ++i) {
    text += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c" + std::to_string(i) +
            "\ndata:\n  k: [1, 2]\n";
  }
  text += "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n"
          "- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n";
  Read r = ReadPipe(text);
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 2002u);
  EXPECT_EQ(r.resources[5].line, 2 + 7 * 5 + 1);
  EXPECT_EQ(r.resources[5].document_index, 5);
  EXPECT_EQ(r.resources[2001].item_index, 1);
  EXPECT_EQ(r.resources[2000].owner, r.resources[2001].owner);  // a YAML List is one document
  ExpectSameAsLoadBytes(text, r);
}

TEST(Stream, FromFileAndFromBytes) {
  const std::string text = KubectlList(20);
  const std::string path = WriteTempFile(text);
  Diagnostic open_error;
  auto reader = Reader::Open(path, Limits(), &open_error);
  ASSERT_NE(reader, nullptr) << open_error.ToString();
  EXPECT_EQ(reader->source(), path);
  Read r = ReadAll(reader.get());
  EXPECT_TRUE(reader->is_json());
  EXPECT_EQ(reader->bytes_read(), text.size());
  unlink(path.c_str());
  EXPECT_EQ(r.resources.size(), 20u);
  EXPECT_EQ(r.resources[0].source, path);
  auto from_bytes = Reader::FromBytes(text, "in", Limits());
  ExpectSameAsLoadBytes(text, ReadAll(from_bytes.get()));
  EXPECT_EQ(Reader::Open("/nonexistent/x.yaml", Limits(), &open_error), nullptr);
  EXPECT_EQ(open_error.ToString(), "/nonexistent/x.yaml: error: cannot open file: No such file or directory");
}

// Two reads of one input agree item for item: order, errors, positions of every value.
void ExpectSameReads(const Read& a, const Read& b, const std::string& what) {
  ASSERT_EQ(a.order, b.order) << what;
  ASSERT_EQ(a.not_object, b.not_object) << what;
  ASSERT_EQ(a.resources.size(), b.resources.size()) << what;
  for (size_t i = 0; i < a.resources.size(); ++i) {
    const Resource& x = a.resources[i];
    const Resource& y = b.resources[i];
    ASSERT_EQ(x.line, y.line) << what << " #" << i;
    ASSERT_EQ(x.column, y.column) << what << " #" << i;
    ASSERT_EQ(x.item_index, y.item_index) << what << " #" << i;
    ASSERT_EQ(x.document_index, y.document_index) << what << " #" << i;
    ExpectSamePositions(x, *x.object, y, *y.object, what);
  }
}

// A small regular file is read whole, and JSON goes through LoadJson's one-pass
// reader: every input, clean or not, must read exactly as through a pipe (the
// streaming reader), bytes_read included.
TEST(Stream, SmallFilesReadWholeReadAsThroughAPipe) {
  const std::string pod = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}";
  const std::vector<std::string> inputs = {
      pod,
      "\xEF\xBB\xBF" + pod + "\n",
      pod + "\n" + pod + "\n" + pod,                                  // JSON Lines
      "[" + pod + ",\n " + pod + "]",                                  // a top-level array
      KubectlList(5),                                                  // items before kind
      KubectlList(5, "DeploymentList", /*kind_first=*/true),
      "{\"apiVersion\": \"v1\", \"items\": [" + pod + "], \"kind\": \"ConfigMap\"}",  // not a List
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"kind\": \"Job\"}",           // duplicate key
      pod + "\n{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"a\": 1, \"a\": 2}\n" + pod,
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": \"\xC3\x28\"}",        // invalid UTF-8
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": \"\\ud800\"}",         // lone surrogate
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": NaN}",
      "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"",                                 // truncated
      "[1, 2, {\"a\": 1}]",                                                          // not objects
      "{\"kind\": \"Pod\"}",                                                        // no apiVersion
      std::string(300, '[') + std::string(300, ']'),                                    // too deep
      "{kind: Pod, apiVersion: v1, metadata: {name: p}}\n---\n{kind: Pod, apiVersion: v1}\n",
      "{kind: Pod, kind: Job}",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n---\nkind: Job\n",
      "",
      " \n\t\n",
  };
  for (const std::string& text : inputs) {
    const std::string path = WriteTempFile(text);
    Diagnostic open_error;
    auto whole = Reader::Open(path, Limits(), &open_error);
    ASSERT_NE(whole, nullptr) << open_error.ToString();
    Read from_file = ReadAll(whole.get());
    Feeder feeder(text, 5);
    auto piped = Reader::FromFd(feeder.fd(), path, Limits());
    Read from_pipe = ReadAll(piped.get());
    ExpectSameReads(from_file, from_pipe, text.substr(0, 60));
    // After an error a pipe has been read as far as its writer had got: only a
    // clean read has a bytes_read that does not depend on timing.
    if (from_pipe.errors.empty()) {
      EXPECT_EQ(whole->bytes_read(), piped->bytes_read()) << text.substr(0, 60);
    }
    EXPECT_EQ(whole->is_json(), piped->is_json()) << text.substr(0, 60);
    unlink(path.c_str());
  }
  // It is the whole-file path: a List read whole has one document for its items.
  const std::string list = KubectlList(5, "DeploymentList", /*kind_first=*/true);
  const std::string path = WriteTempFile(list);
  Diagnostic open_error;
  auto whole = Reader::Open(path, Limits(), &open_error);
  Read r = ReadAll(whole.get());
  unlink(path.c_str());
  ASSERT_EQ(r.resources.size(), 5u);
  EXPECT_EQ(r.resources[0].owner, r.resources[4].owner);
}

// Larger than one object's budget: the file streams, and the budget still holds.
TEST(Stream, FileOverTheObjectBudgetStreams) {
  const std::string text = KubectlList(40, "DeploymentList", /*kind_first=*/true);
  Limits l;
  l.max_object_bytes = 2000;  // each item fits; the file does not
  ASSERT_GT(text.size(), WholeReadBytes(l));
  const std::string path = WriteTempFile(text);
  Diagnostic open_error;
  auto reader = Reader::Open(path, l, &open_error);
  ASSERT_NE(reader, nullptr);
  Read r = ReadAll(reader.get());
  unlink(path.c_str());
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  EXPECT_EQ(r.resources.size(), 40u);
  EXPECT_NE(r.resources[0].owner, r.resources[1].owner);  // streamed: one document per item
  l.max_object_bytes = 300;                                 // now an item is over it
  const std::string path2 = WriteTempFile(text);
  auto over = Reader::Open(path2, l, &open_error);
  Read o = ReadAll(over.get());
  unlink(path2.c_str());
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_NE(o.errors[0].message.find("object larger than the limit of 300 bytes"), std::string::npos);
}

// A named pipe is not a regular file: it streams.
TEST(Stream, NamedPipeStreams) {
  char dir[] = "/tmp/aimsgate_fifo_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/in";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const std::string text = KubectlList(3);
  std::thread writer([&] {
    int fd = open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
  });
  Diagnostic open_error;
  auto reader = Reader::Open(path, Limits(), &open_error);
  ASSERT_NE(reader, nullptr) << open_error.ToString();
  Read r = ReadAll(reader.get());
  writer.join();
  unlink(path.c_str());
  rmdir(dir);
  ExpectSameReads(r, ReadPipe(text), "fifo");
  EXPECT_EQ(r.resources.size(), 3u);
}

TEST(Stream, FlowStyleYamlFallsBackToYaml) {
  Read r = ReadPipe("{kind: Pod, apiVersion: v1, metadata: {name: p}}\n---\n{kind: Pod, apiVersion: v1}\n");
  ASSERT_TRUE(r.errors.empty()) << ErrorsOf(r);
  ASSERT_EQ(r.resources.size(), 2u);
  EXPECT_EQ(r.resources[1].line, 3);
  // Neither JSON nor YAML: the JSON error, as LoadBytes says.
  const std::string bad = "{kind: Pod, kind: Job}";
  Read b = ReadPipe(bad);
  ExpectSameAsLoadBytes(bad, b);
}

TEST(Stream, BomAndBlankInput) {
  Read r = ReadPipe("\xEF\xBB\xBF{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}");
  ASSERT_EQ(r.resources.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.resources[0].column, 1);
  Read empty = ReadPipe("");
  EXPECT_TRUE(empty.resources.empty() && empty.errors.empty());
  Read blank = ReadPipe(" \n\n# only a comment\n");
  EXPECT_TRUE(blank.resources.empty() && blank.errors.empty());
}

// ---- hostile framings ----

// ---- positions against a byte-by-byte reference ----
// The readers convert byte offsets to line:column only when a position is wanted;
// these tests hold every kind of position to a naive count over the text.

// 1-based line and column (in characters: UTF-8 continuation bytes are no column)
// of every byte offset of `text` (and of its end), counted byte by byte.
std::vector<Position> NaivePositions(const std::string& text) {
  std::vector<Position> at(text.size() + 1);
  Position p{1, 1};
  for (size_t i = 0; i < text.size(); ++i) {
    at[i] = p;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  at[text.size()] = p;
  return at;
}

Position NaivePosition(const std::string& text, size_t offset) { return NaivePositions(text)[offset]; }

std::string At(Position p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

// An item whose fields come after what could throw a position off: multi-byte
// UTF-8 (2, 3 and 4 bytes), escapes, CRLF line ends, a string of `long_bytes`
// (several 64 KiB blocks when large), numbers and literals. Every value is unique
// in the text (the item number is in it), so a field's offset can be found.
std::string PositionItem(int i, size_t long_bytes, const std::string& eol) {
  std::string n = std::to_string(i);
  return "{" + eol +
         "  \"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"," + eol +
         "  \"metadata\": {\"name\": \"cm-" + n + "\", \"labels\": {\"t\": \"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80-" + n +
         "\"}}," + eol +
         "  \"data\": {\"esc\": \"a\\\"b\\\\c\\u00e9\\n-" + n + "\", \"after-esc-" + n + "\": \"\xE2\x82\xAC" + n + "\"," + eol +
         "    \"long\": \"" + std::string(long_bytes, 'x') + "\xC3\xA9-" + n + "\", \"after-long-" + n + "\": \"v-" + n +
         "\"}," + eol +
         "  \"nums\": [" + std::to_string(1000000 + i) + ", -" + std::to_string(2000000 + i) + ".5e1, true, null]," + eol +
         "  \"last-" + n + "\": {\"k\": [\"end-" + n + "\"]}" + eol + "}";
}

// Each field of item `i` (found by the unique text it starts with) is where the
// naive count says, both as a value and, for members, as a name.
void ExpectNaivePositions(const std::string& text, const std::vector<Position>& naive, const Resource& res,
                          int i) {
  const aimsgate::JsonValue& o = *res.object;
  std::string n = std::to_string(i);
  auto expect = [&](const aimsgate::JsonValue* v, const std::string& starts, size_t from) {
    size_t at = text.find(starts, from);
    ASSERT_NE(at, std::string::npos) << starts;
    EXPECT_EQ(At(res.FieldPosition(v)), At(naive[at])) << "item " << i << ": " << starts;
  };
  size_t item = text.find("\"cm-" + n + "\"");
  ASSERT_NE(item, std::string::npos);
  item = text.rfind('{', text.rfind("\"apiVersion\"", item));
  EXPECT_EQ(At(Position{static_cast<uint32_t>(res.line), static_cast<uint32_t>(res.column)}),
            At(naive[item]));
  expect(&o, "{", item);
  expect(&o["metadata"]["labels"]["t"], "\"\xC3\xA9\xE4\xB8\xAD", item);
  expect(&o["data"]["esc"], "\"a\\\"b", item);
  expect(&o["data"]["after-esc-" + n], "\"\xE2\x82\xAC" + n, item);
  expect(&o["data"].FindMember("after-esc-" + n)->name, "\"after-esc-" + n, item);
  expect(&o["data"]["long"], "\"xxx", item);
  expect(&o["data"]["after-long-" + n], "\"v-" + n + "\"", item);
  expect(&o["data"].FindMember("after-long-" + n)->name, "\"after-long-" + n, item);
  expect(&o["nums"], "[" + std::to_string(1000000 + i), item);
  expect(&o["nums"][0], std::to_string(1000000 + i), item);
  expect(&o["nums"][1], "-" + std::to_string(2000000 + i), item);
  expect(&o["nums"][2], "true", item);
  expect(&o["nums"][3], "null", item);
  expect(&o["last-" + n], "{\"k\"", text.find("\"last-" + n + "\"", item));
  expect(&o["last-" + n]["k"][0], "\"end-" + n + "\"", item);
}

std::string PositionList(int count, size_t long_bytes, const std::string& eol) {
  std::string s = "{" + eol + "\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + eol;
  for (int i = 0; i < count; ++i) s += PositionItem(i, long_bytes, eol) + (i + 1 < count ? "," : "") + eol;
  return s + "]}" + eol;
}

void ExpectAllNaive(const std::string& text, const std::vector<Resource>& resources, int count) {
  ASSERT_EQ(resources.size(), static_cast<size_t>(count));
  const std::vector<Position> naive = NaivePositions(text);
  for (int i = 0; i < count; ++i) ExpectNaivePositions(text, naive, resources[static_cast<size_t>(i)], i);
}

TEST(StreamPositions, FieldsAfterUtf8EscapesAndCrlfAcrossBlocks) {
  for (const std::string eol : {"\n", "\r\n"}) {
    // Short items: 64 KiB blocks (and the pipe's 7,001-byte writes) cut them anywhere.
    std::string text = PositionList(1000, 40, eol);
    ASSERT_GT(text.size(), 4 * (64u << 10));
    Read streamed = ReadPipe(text);
    ASSERT_TRUE(streamed.errors.empty()) << ErrorsOf(streamed);
    ExpectAllNaive(text, streamed.resources, 1000);
    LoadResult whole = LoadBytes(text, "in");
    ASSERT_TRUE(whole.ok()) << Errors(whole);
    ExpectAllNaive(text, whole.resources, 1000);
    // Strings of 150 KiB: a token that starts two blocks before it ends, and
    // fields right after it.
    std::string longs = PositionList(6, 150u << 10, eol);
    Read streamed_long = ReadPipe(longs, Limits(), 65536);
    ASSERT_TRUE(streamed_long.errors.empty()) << ErrorsOf(streamed_long);
    ExpectAllNaive(longs, streamed_long.resources, 6);
    LoadResult whole_long = LoadBytes(longs, "in");
    ASSERT_TRUE(whole_long.ok()) << Errors(whole_long);
    ExpectAllNaive(longs, whole_long.resources, 6);
  }
}

TEST(StreamPositions, ErrorsAfterLongStringsAndAtTheEnd) {
  // A string over the limit that started two blocks back: located at its quote.
  std::string text = PositionList(3, 150u << 10, "\r\n");
  Limits limits;
  limits.max_string_bytes = 100u << 10;
  const size_t quote = text.find("\"xxx");
  const std::string expected = "in:" + At(NaivePosition(text, quote)) + ": error: string of " +
                               std::to_string((150u << 10) + 2 + 2) + " bytes exceeds the limit of " +
                               std::to_string(100u << 10) + " bytes";
  Read r = ReadPipe(text, limits);
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].ToString(), expected);
  // Input that ends inside a string, after a value, or after a comma.
  for (const std::string& cut : {PositionList(50, 40, "\r\n").substr(0, 10000),
                                 PositionList(50, 40, "\n").substr(0, PositionList(50, 40, "\n").rfind(']')),
                                 PositionList(50, 40, "\r\n").substr(0, PositionList(50, 40, "\r\n").rfind("},") + 2)}) {
    Read rc = ReadPipe(cut);
    LoadResult wc = LoadBytes(cut, "in");
    ASSERT_EQ(rc.errors.size(), 1u) << ErrorsOf(rc) << cut.substr(cut.size() - 20);
    ASSERT_EQ(wc.errors.size(), 1u) << Errors(wc);
    EXPECT_EQ(rc.errors[0].ToString(), wc.errors[0].ToString());
    // Every truncation is reported at the end of the input.
    EXPECT_EQ(At(Position{static_cast<uint32_t>(rc.errors[0].line), static_cast<uint32_t>(rc.errors[0].column)}),
              At(NaivePosition(cut, cut.size())))
        << rc.errors[0].ToString();
  }
  // A bad byte after multi-byte text and CRLF, in a later block.
  std::string bad = PositionList(400, 40, "\r\n");
  const size_t at = bad.find("\"end-300\"") + 2;
  bad[at] = '\xFF';
  Read rb = ReadPipe(bad);
  EXPECT_EQ(rb.resources.size(), 300u);
  ASSERT_EQ(rb.errors.size(), 1u) << ErrorsOf(rb);
  EXPECT_EQ(rb.errors[0].ToString(), "in:" + At(NaivePosition(bad, at)) +
                                         ": error: not UTF-8 text: invalid byte at offset " + std::to_string(at));
  LoadResult wb = LoadBytes(bad, "in");
  ASSERT_EQ(wb.errors.size(), 1u) << Errors(wb);
  EXPECT_EQ(wb.errors[0].ToString(), rb.errors[0].ToString());
}

TEST(StreamHostile, InvalidUtf8InTheMiddleOfItem5000) {
  std::string text = KubectlList(6000);
  // Item 5000's name: web-5000 -> web-\xFF000.
  size_t at = text.find("\"web-5000\"");
  ASSERT_NE(at, std::string::npos);
  text[at + 5] = '\xFF';
  Read r = ReadPipe(text);
  EXPECT_EQ(r.resources.size(), 5000u);  // everything before it
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].line, 4 + 17 * 5000 + 4);
  EXPECT_EQ(r.errors[0].column, 30);
  EXPECT_EQ(r.errors[0].message, "not UTF-8 text: invalid byte at offset " + std::to_string(at + 5));
  // Also a NUL, and a UTF-8 sequence cut at the end of the input.
  std::string nul = KubectlList(10);
  nul[nul.find("web-7")] = '\0';
  Read rn = ReadPipe(nul);
  ASSERT_EQ(rn.errors.size(), 1u);
  EXPECT_NE(rn.errors[0].message.find("binary file: NUL byte at offset"), std::string::npos);
  Read cut = ReadPipe("{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n\"\xC3");
  ASSERT_EQ(cut.errors.size(), 1u);
  EXPECT_EQ(cut.errors[0].ToString(), "in:2:2: error: not UTF-8 text: invalid byte at offset 37");
  // YAML too, in document 300 of a stream.
  std::string yaml;
  for (int i = 0; i < 400; ++i) yaml += "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p" + std::to_string(i) + "}\n";
  size_t y = yaml.find("name: p300}");
  yaml[y + 7] = '\xC0';
  Read ry = ReadPipe(yaml);
  EXPECT_EQ(ry.resources.size(), 300u);
  ASSERT_EQ(ry.errors.size(), 1u) << ErrorsOf(ry);
  EXPECT_EQ(ry.errors[0].line, 4 * 300 + 4);
  EXPECT_EQ(ry.errors[0].column, 19);
}

TEST(StreamHostile, TruncatedInput) {
  std::string text = KubectlList(100);
  text.resize(text.find("\"web-60\"") + 3);
  Read r = ReadPipe(text);
  EXPECT_EQ(r.resources.size(), 0u);  // within the lookahead: the List never completed
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("invalid JSON: Missing a closing quotation mark"), std::string::npos)
      << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].line, 4 + 17 * 60 + 4);
  // Past the lookahead the items before the cut are out already.
  std::string big = KubectlList(5000);
  big.resize(big.find("\"web-4000\"") - 10);
  Read rb = ReadPipe(big);
  EXPECT_EQ(rb.resources.size(), 4000u);
  ASSERT_EQ(rb.errors.size(), 1u);
  EXPECT_EQ(rb.errors[0].line, 4 + 17 * 4000 + 4);
  // A top-level array cut after a comma.
  Read ra = ReadPipe("[{\"apiVersion\": \"v1\", \"kind\": \"Pod\"},\n");
  ASSERT_EQ(ra.errors.size(), 1u);
  EXPECT_EQ(ra.errors[0].ToString(), "in:2:1: error: invalid JSON: Invalid value.");
  // YAML cut inside a flow mapping.
  Read ry = ReadPipe("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p\n");
  EXPECT_EQ(ry.resources.size(), 1u);
  ASSERT_EQ(ry.errors.size(), 1u);
  EXPECT_EQ(ry.errors[0].line, 7);
}

TEST(StreamHostile, DuplicateKeyInsideAnItemDropsThatItem) {
  std::string text = KubectlList(5000);
  size_t at = text.find("\"namespace\": \"ns-", text.find("\"web-3000\""));
  text.replace(at, 11, "\"name\"     ");  // same length: positions unchanged
  Read r = ReadPipe(text);
  EXPECT_EQ(r.resources.size(), 4999u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(),
            "in:" + std::to_string(4 + 17 * 3000 + 5) + ":17: error: duplicate key \"name\" in mapping");
  EXPECT_EQ(r.order[3000], r.errors[0].ToString());  // in its place
  EXPECT_EQ(r.resources[3000].item_index, 3001);
  // In the envelope of a List with kind first: the List is dropped, as LoadBytes does.
  std::string env = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"kind\": \"List\", \"items\": [" +
                    Deployment(0, "") + "]}";
  Read re = ReadPipe(env);
  EXPECT_TRUE(re.resources.empty());
  ASSERT_EQ(re.errors.size(), 1u);
  EXPECT_EQ(re.errors[0].ToString(), "in:1:38: error: duplicate key \"kind\" in mapping");
  // A second `items`.
  Read ri = ReadPipe("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [], \"items\": []}");
  ASSERT_EQ(ri.errors.size(), 1u);
  EXPECT_EQ(ri.errors[0].ToString(), "in:1:51: error: duplicate key \"items\" in mapping");
}

TEST(StreamHostile, DeepNestingInsideAnItem) {
  Limits l;
  l.max_depth = 20;
  // Depth counts from the List: the item is level 3.
  auto item = [](int levels) {
    std::string s = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": ";
    for (int i = 0; i < levels; ++i) s += "[";
    for (int i = 0; i < levels; ++i) s += "]";
    return s + "}";
  };
  std::string ok = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + item(17) + "]}";
  Read r = ReadPipe(ok, l);
  EXPECT_EQ(r.resources.size(), 1u) << ErrorsOf(r);
  std::string deep = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + item(1) + ",\n" +
                     item(1000000) + "]}";
  Read d = ReadPipe(deep, l);
  EXPECT_EQ(d.resources.size(), 1u);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].ToString(), "in:2:59: error: nesting depth limit exceeded: more than 20 levels");
  // YAML flow nesting in a later document is stopped by the pre-scan, located.
  ExpectStopsWith("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nx: " + std::string(1000000, '[') + "\n",
                  l, 1, "in:6:24: error: nesting depth limit exceeded: more than 20 levels");
}

TEST(StreamHostile, ItemOverTheObjectBudgetStopsTheReader) {
  Limits l;
  l.max_object_bytes = 4096;
  std::string text = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n" + Deployment(0, "") + ",\n" +
                     Deployment(1, "") + ",\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {\"k\": \"" +
                     std::string(10000, 'x') + "\"}},\n" + Deployment(3, "") + "]}";
  Read r = ReadPipe(text, l);
  EXPECT_EQ(r.resources.size(), 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString(), "in:36:1: error: object larger than the limit of 4096 bytes");
  // An object exactly at the budget is fine.
  std::string one = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}";
  l.max_object_bytes = one.size();
  EXPECT_EQ(ReadPipe(one + "\n" + one, l).resources.size(), 2u);
  l.max_object_bytes = one.size() - 1;
  Read over = ReadPipe(one, l);
  ASSERT_EQ(over.errors.size(), 1u);
  EXPECT_EQ(over.errors[0].ToString(), "in:1:1: error: object larger than the limit of 34 bytes");
  // YAML: a document over the budget.
  l.max_object_bytes = 100000;
  ExpectStopsWith("apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\ndata: " + std::string(300000, 'y') + "\n",
                  l, 1, "in:3:1: error: document larger than the limit of 100000 bytes");
}

TEST(StreamHostile, WholeInputCap) {
  Limits l;
  l.max_file_bytes = 1000;
  Read r = ReadPipe(KubectlList(10), l);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors.back().message.find("input is over the limit of 1000 bytes"), std::string::npos)
      << ErrorsOf(r);
}

// An endless pipe: a string that never closes, an array that never ends, a YAML
// scalar that never ends. The reader stops at the budget (or, for the array, can
// be abandoned at any item) without holding more than the budget.
TEST(StreamHostile, EndlessStreamsAreBoundedPerItem) {
  Limits l;
  l.max_object_bytes = 1 << 20;
  {
    Feeder f([](uint64_t i) { return i == 0 ? std::string("[{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": \"") :
                                              std::string(4096, 'a'); });
    auto reader = Reader::FromFd(f.fd(), "pipe", l);
    Read r = ReadAll(reader.get());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].ToString(), "pipe:1:2: error: object larger than the limit of 1048576 bytes");
    EXPECT_LT(reader->bytes_read(), 3u << 20);
  }
  {
    Feeder f([](uint64_t i) {
      return i == 0 ? std::string("apiVersion: v1\nkind: Pod\ndata: ") : std::string(4096, 'b');
    });
    auto reader = Reader::FromFd(f.fd(), "pipe", l);
    Read r = ReadAll(reader.get());
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].ToString(), "pipe:1:1: error: document larger than the limit of 1048576 bytes");
  }
  {
    // Valid items forever: 20,000 read, then the reader is dropped.
    Feeder f([](uint64_t i) {
      return (i == 0 ? std::string("[") : std::string(",")) + "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", "
             "\"metadata\": {\"name\": \"p" + std::to_string(i) + "\"}}";
    });
    auto reader = Reader::FromFd(f.fd(), "pipe", l);
    Resource res;
    Diagnostic err;
    for (int i = 0; i < 20000; ++i) {
      ASSERT_EQ(reader->Next(&res, &err), ReadItem::kResource) << err.ToString();
      ASSERT_EQ(res.item_index, i);
    }
  }
}

// Endless blank space (`yes '' | aimsgate check -`): the error comes once the
// replay buffer is passed, not at a first document or an end that never come.
// (64 MiB of newlines, then the end, so that a reader that reads on still ends.)
TEST(StreamHostile, EndlessBlankSpaceFailsAtTheReplayLimit) {
  Feeder f([](uint64_t i) { return i < 16384 ? std::string(4096, '\n') : std::string(); });
  Limits l;
  l.max_file_bytes = 0;
  auto reader = Reader::FromFd(f.fd(), "pipe", l);
  Read r = ReadAll(reader.get());
  f.CloseRead();
  ASSERT_EQ(r.errors.size(), 1u) << ErrorsOf(r);
  EXPECT_EQ(r.errors[0].message, "more than 1048576 bytes of blank space before the first document");
  EXPECT_LT(reader->bytes_read(), 2u << 20);
}

// Memory: a 150,000-item List through a pipe, consumed one item at a time, never
// has more than a few items' DOM allocated at once (allocation counts from
// mallinfo2, not time). The input is ~75 MB; LoadBytes would hold all of it.
TEST(StreamMemory, LiveHeapIsBoundedByOneItemNotByTheInput) {
  const int n = 150000;
  Feeder f([n](uint64_t i) -> std::string {
    if (i == 0) return "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n";
    if (i <= static_cast<uint64_t>(n)) return Deployment(static_cast<int>(i - 1)) + (i < static_cast<uint64_t>(n) ? ",\n" : "\n");
    if (i == static_cast<uint64_t>(n) + 1) return "    ],\n    \"kind\": \"List\",\n    \"metadata\": {}\n}\n";
    return std::string();  // the end
  });
  Limits limits;
  limits.max_file_bytes = 0;  // no cap on the whole stream
  auto reader = Reader::FromFd(f.fd(), "pipe", limits);
  Resource res;
  Diagnostic err;
  // The first items are held (kItemsLookaheadBytes): measure after them.
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(reader->Next(&res, &err), ReadItem::kResource) << err.ToString();
  res = Resource();
  const size_t base = mallinfo2().uordblks;
  size_t peak = base;
  int count = 5000;
  uint64_t bytes_at_base = reader->bytes_read();
  for (;; ++count) {
    ReadItem item = reader->Next(&res, &err);
    if (item == ReadItem::kEnd) break;
    ASSERT_EQ(item, ReadItem::kResource) << err.ToString();
    ASSERT_EQ(res.FieldLine(&(*res.object)["metadata"]), 4 + 17 * count + 3);
    if (count % 97 == 0) peak = std::max(peak, mallinfo2().uordblks);
  }
  f.CloseRead();
  EXPECT_EQ(count, n);
  const uint64_t streamed = reader->bytes_read() - bytes_at_base;
  EXPECT_GT(streamed, 60u << 20);
  // One item's DOM and position index is ~10 KiB; the reader's own buffers
  // (two 64 KiB blocks, libc arenas) a few hundred KiB. 2 MiB is ~1/30 of the
  // input streamed while measuring.
  EXPECT_LT(peak - base, 2u << 20) << "peak live heap grew by " << (peak - base) << " bytes over "
                                   << streamed << " bytes streamed";
  std::printf("live heap grew by at most %zu bytes while %llu bytes streamed\n", peak - base,
              static_cast<unsigned long long>(streamed));
}

}  // namespace
}  // namespace aimsgate::manifest
