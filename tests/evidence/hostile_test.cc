// The evidence log under attack (issue 13, findings 5, 6, 7 and 10): truncation at an
// earlier checkpoint, bytes that are not UTF-8, a symlinked log path, a key used outside
// its validity window, an appended bad line that must not crash-loop serve, and a key
// path naming an endless stream.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/verifier.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

using testing::JoinLines;
using testing::ReadAll;
using testing::SplitLines;
using testing::TempDir;
using testing::WriteAll;

struct Keys {
  std::string priv, pub;
};

Keys MakeKeys(const TempDir& dir) {
  std::string id;
  EXPECT_TRUE(GenerateKeyPair(dir.path(), &id).ok());
  return {dir.File(kPrivateKeyFile), dir.File(kPublicKeyFile)};
}

VerifyOptions Signed(const std::string& pub, bool require_closed) {
  VerifyOptions o;
  VerifyKey k;
  EXPECT_TRUE(VerifyKey::LoadPem(pub, &k).ok());
  o.keys.push_back(k);
  o.require_closed = require_closed;
  return o;
}

// Finding 5: one session of 2,500 records with checkpoints at 1,000, 2,000 and the close.
// Cut right after any checkpoint but the closing one, the log fails --require-closed.
TEST(Truncation, CutAtAnyEarlierCheckpointFailsRequireClosed) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = keys.priv;
  opts.checkpoint_every_seconds = 0;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2500).ok());
  std::vector<std::string> lines = SplitLines(ReadAll(opts.path));
  ASSERT_TRUE(VerifyFile(opts.path, Signed(keys.pub, true)).ok);
  int cuts = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].find("\"type\":\"checkpoint\"") == std::string::npos) continue;
    ++cuts;
    std::string cut_path = dir.File("cut-" + std::to_string(i) + ".jsonl");
    WriteAll(cut_path, JoinLines(std::vector<std::string>(lines.begin(), lines.begin() + i + 1)));
    VerifyResult plain = VerifyFile(cut_path, Signed(keys.pub, false));
    EXPECT_TRUE(plain.ok) << plain.ErrorLine();  // a running writer's log looks like this
    VerifyResult r = VerifyFile(cut_path, Signed(keys.pub, true));
    EXPECT_FALSE(r.ok) << "cut after line " << i + 1;
    EXPECT_EQ(r.error_line, i + 2);
    EXPECT_NE(r.error.find("not its session's closing checkpoint"), std::string::npos) << r.error;
  }
  EXPECT_EQ(cuts, 2);
}

// A cut at an earlier session's closing checkpoint passes --require-closed; only a head
// anchored outside the log (--expect-head) catches it.
TEST(Truncation, CutAtAnEarlierSessionsCloseIsCaughtByTheAnchoredHead) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = keys.priv;
  opts.checkpoint_every_seconds = 0;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 3).ok());
  std::string first_session = ReadAll(opts.path);
  std::string anchored;
  {
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(opts).ok());
    auto ev = testing::SampleEvaluation("ml", "second");
    RecordInput in;
    in.evaluation = &ev;
    ASSERT_TRUE(w.Append(in).ok());
    ASSERT_TRUE(w.Close().ok());
    anchored = w.last_hash();
  }
  VerifyOptions vo = Signed(keys.pub, true);
  vo.expect_head = anchored;
  VerifyResult whole = VerifyFile(opts.path, vo);
  EXPECT_TRUE(whole.ok) << whole.ErrorLine();
  EXPECT_TRUE(whole.head_found);
  EXPECT_EQ(whole.sessions, 2u);

  WriteAll(opts.path, first_session);
  EXPECT_TRUE(VerifyFile(opts.path, Signed(keys.pub, true)).ok);  // closed: looks complete
  VerifyResult r = VerifyFile(opts.path, vo);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("anchored head"), std::string::npos) << r.error;
}

// Finding 6: whatever bytes reach a record, the writer never writes a line its verifier
// rejects (property test over random records).
TEST(Utf8, WriterNeverWritesALineTheVerifierRejects) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.checkpoint_every_records = 97;
  opts.checkpoint_every_seconds = 0;
  opts.redact_paths = {"metadata.name"};
  std::mt19937 rng(20261202);
  const std::string alphabet[] = {"a", "\"", "\\", "\n", std::string(1, '\0'), "\x7f", "\xc3\xa9",
                                  "\xed\xb0\x80", "\xed\xa0\x80", "\xc0\xaf", "\xff", "\xf4\x90\x80\x80",
                                  "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\x80", "\xe0\x80", "\xf0"};
  auto random_string = [&] {
    std::string s;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      if (rng() % 3 == 0) s.push_back(static_cast<char>(rng() % 256));
      else s += alphabet[rng() % (sizeof alphabet / sizeof alphabet[0])];
    }
    return s;
  };
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  const int kRecords = 600;
  for (int i = 0; i < kRecords; ++i) {
    ResourceEvaluation ev;
    // Named fields: ResourceRef grows (uid, owner...), positional braces would shift.
    ResourceRef& ref = ev.resource;
    using Setter = void (ResourceRef::*)(std::string_view);
    for (Setter set : {&ResourceRef::set_api_version, &ResourceRef::set_kind, &ResourceRef::set_namespace_,
                       &ResourceRef::set_name, &ResourceRef::set_source, &ResourceRef::set_system_id,
                       &ResourceRef::set_uid, &ResourceRef::set_controller_uid, &ResourceRef::set_owner,
                       &ResourceRef::set_risk_tier}) {
      (ref.*set)(random_string());
    }
    ref.line = static_cast<int>(rng() % 5);
    ref.document_index = 0;
    ref.item_index = -1;
    ev.object_sha256 = random_string();
    for (int r = 0, n = static_cast<int>(rng() % 4); r < n; ++r) {
      RuleResult rr;
      rr.info = testing::TestRule(random_string(), {random_string(), random_string()});
      rr.result = static_cast<Outcome>(rng() % 5);
      rr.message = random_string();
      rr.waiver = testing::TestWaiver(random_string(), random_string(), random_string(), random_string());
      ev.results.push_back(rr);
    }
    for (int a = 0, n = static_cast<int>(rng() % 3); a < n; ++a) {
      ev.audit_annotations.emplace_back(random_string(), random_string());
    }
    ev.redact_values = {random_string()};
    std::vector<PackRef> packs = {{random_string(), random_string(), random_string()}};
    aimsgate::JsonDocument object;
    object.Parse(R"({"metadata":{"name":"x"}})");
    std::string name = random_string();
    object["metadata"]["name"].SetString(name.data(), static_cast<rapidjson::SizeType>(name.size()),
                                         object.GetAllocator());
    RecordInput in;
    in.source = static_cast<Source>(rng() % 3);
    in.admission = {random_string(), random_string(), random_string(), rng() % 2 == 0};
    in.evaluation = &ev;
    in.packs = &packs;
    in.object = &object;
    in.decision = random_string();
    in.notes = {random_string(), random_string()};
    ASSERT_TRUE(w.Append(in).ok()) << i;
  }
  ASSERT_TRUE(w.Close().ok());
  VerifyOptions vo;
  vo.require_closed = true;
  VerifyResult r = VerifyFile(opts.path, vo);
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, static_cast<uint64_t>(kRecords));
  std::string data = ReadAll(opts.path);
  EXPECT_EQ(kernel::FindInvalidUtf8(data), std::string::npos);
}

TEST(Utf8, LoneSurrogateBytesAreWrittenAsReplacementCharacters) {
  std::string out;
  kernel::AppendCanonicalString("bad\xed\xb0\x80name", &out);
  EXPECT_EQ(out, "\"bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdname\"");
  EXPECT_EQ(kernel::FindInvalidUtf8("ok \xc3\xa9 \xf0\x9f\x98\x80"), std::string::npos);
  EXPECT_EQ(kernel::FindInvalidUtf8("ab\xed\xa0\x80"), 2u);
  EXPECT_EQ(kernel::FindInvalidUtf8("\xc0\xaf"), 0u);  // overlong '/'
}

// Finding 7: a symlink at the log path is refused before anything is read or cut; the
// file it points to is left byte for byte.
TEST(Symlink, LogPathThatIsASymlinkIsRefusedAndTheTargetUntouched) {
  TempDir dir;
  const std::string target = dir.File("precious.txt");
  const std::string content = "line one\nline two\n{\"not\":\"evidence\"}\ntorn tail without newline";
  WriteAll(target, content);
  ASSERT_EQ(::symlink(target.c_str(), dir.File("e.jsonl").c_str()), 0);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.rotate_unverifiable_log = true;
  EvidenceWriter w;
  Status s = w.Open(opts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.message();
  EXPECT_EQ(ReadAll(target), content);
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(f.path().filename().string().find(".torn-"), std::string::npos) << f.path();
  }
}

// Finding 10: a checkpoint signed outside its key's validity window fails.
// A key path naming an endless stream is refused at the bound of a key file,
// not read until memory runs out.
TEST(KeyFile, AnEndlessKeyPathIsRefusedAtOneMebibyte) {
  SigningKey sk;
  Status s = SigningKey::LoadPem("/dev/zero", &sk);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "/dev/zero: error: cannot read: larger than 1 MiB");
  EXPECT_EQ(s.error_number(), EFBIG);
  VerifyKey vk;
  EXPECT_FALSE(VerifyKey::LoadPem("/dev/zero", &vk).ok());
}

TEST(KeyWindow, CheckpointOutsideTheKeysWindowFails) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = keys.priv;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2).ok());
  VerifyOptions vo = Signed(keys.pub, true);
  const std::string key_id = vo.keys[0].key_id();
  auto now = std::chrono::system_clock::now();
  vo.key_windows[key_id].from = now - std::chrono::hours(1);
  vo.key_windows[key_id].until = now + std::chrono::hours(1);
  EXPECT_TRUE(VerifyFile(opts.path, vo).ok);
  vo.key_windows[key_id].until = now - std::chrono::minutes(30);  // retired before it signed
  VerifyResult r = VerifyFile(opts.path, vo);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("validity window"), std::string::npos) << r.error;
  vo.key_windows[key_id] = KeyWindow{now + std::chrono::hours(1), std::nullopt};  // not yet valid
  EXPECT_FALSE(VerifyFile(opts.path, vo).ok);
}

// Finding 10: one appended line with a bad hash; with rotate_unverifiable_log (serve) the
// writer keeps the file for the auditor and starts a new chain instead of refusing.
TEST(Recovery, UnverifiableLastLineRotatesWhenAsked) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2).ok());
  std::vector<std::string> lines = SplitLines(ReadAll(opts.path));
  lines.push_back(lines[1]);  // a valid-looking record at the wrong place: JSON, fails checks
  lines.back()[lines.back().size() - 3] ^= 1;
  const std::string poisoned = JoinLines(lines);
  WriteAll(opts.path, poisoned);

  EvidenceWriter refuse;
  EXPECT_FALSE(refuse.Open(opts).ok());  // check's default: refuse, file untouched
  EXPECT_EQ(ReadAll(opts.path), poisoned);

  opts.rotate_unverifiable_log = true;
  EvidenceWriter w;
  Status s = w.Open(opts);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(w.open_warnings().size(), 1u);
  EXPECT_NE(w.open_warnings()[0].find("keep it for the auditor"), std::string::npos);
  ASSERT_TRUE(w.Close().ok());
  std::string kept;
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    if (f.path().filename().string().rfind("e.jsonl.rejected-", 0) == 0) kept = f.path().string();
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(ReadAll(kept), poisoned);
  VerifyOptions vo;
  vo.require_closed = true;
  VerifyResult r = VerifyFile(opts.path, vo);
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  Entry start;
  ASSERT_TRUE(ParseEntry(SplitLines(ReadAll(opts.path))[0], &start));
  EXPECT_EQ(GetString(start.doc, "rotatedFrom"), kept);
}

}  // namespace
}  // namespace aimsgate::evidence
