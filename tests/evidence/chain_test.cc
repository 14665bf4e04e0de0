// Writer + verifier round trips: chain, checkpoints, signatures, restart, torn lines.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/verifier.h"
#include "evaluator/evidence/log/writer.h"
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

Keys MakeKeys(const TempDir& dir, const std::string& sub = "keys") {
  std::string d = dir.File(sub);
  std::filesystem::create_directories(d);
  std::string id;
  Status s = GenerateKeyPair(d, &id);
  EXPECT_TRUE(s.ok()) << s.message();
  return {d + "/" + kPrivateKeyFile, d + "/" + kPublicKeyFile};
}

VerifyOptions WithKey(const std::string& pub) {
  VerifyOptions o;
  VerifyKey k;
  Status s = VerifyKey::LoadPem(pub, &k);
  EXPECT_TRUE(s.ok()) << s.message();
  o.keys.push_back(k);
  return o;
}

TEST(Keygen, WritesPairWithModesAndRefusesOverwrite) {
  TempDir dir;
  std::string key_id;
  ASSERT_TRUE(GenerateKeyPair(dir.path(), &key_id).ok());
  EXPECT_EQ(key_id.size(), 64u);
  struct stat st;
  ASSERT_EQ(stat(dir.File(kPrivateKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadAll(dir.File(kPrivateKeyFile)).find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(ReadAll(dir.File(kPublicKeyFile)).find("BEGIN PUBLIC KEY"), std::string::npos);
  Status again = GenerateKeyPair(dir.path(), nullptr);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("refusing to overwrite"), std::string::npos);
  SigningKey sk;
  VerifyKey vk;
  ASSERT_TRUE(SigningKey::LoadPem(dir.File(kPrivateKeyFile), &sk).ok());
  ASSERT_TRUE(VerifyKey::LoadPem(dir.File(kPublicKeyFile), &vk).ok());
  EXPECT_EQ(sk.key_id(), key_id);
  EXPECT_EQ(vk.key_id(), key_id);
  std::string sig = sk.SignBase64("hello");
  EXPECT_TRUE(vk.VerifyBase64("hello", sig));
  EXPECT_FALSE(vk.VerifyBase64("hellp", sig));
}

TEST(Chain, SignedRoundTripVerifies) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("evidence.jsonl");
  opts.key_path = keys.priv;
  opts.checkpoint_every_records = 4;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 10).ok());
  auto lines = SplitLines(ReadAll(opts.path));
  // The start record, 10 records, checkpoints after 4, 8 and the closing one after 10.
  ASSERT_EQ(lines.size(), 14u);
  Entry e;
  ASSERT_TRUE(ParseEntry(lines[0], &e)) << e.error;
  EXPECT_EQ(e.type, "start");
  EXPECT_EQ(e.prev, std::string(64, '0'));
  const std::string session = GetString(e.doc, "session");
  EXPECT_EQ(session.size(), 32u);
  ASSERT_TRUE(ParseEntry(lines[5], &e)) << e.error;
  EXPECT_EQ(e.type, "checkpoint");
  EXPECT_EQ(e.seq, 6u);
  EXPECT_EQ(GetString(e.doc, "session"), session);
  EXPECT_FALSE(e.doc.HasMember("closing"));
  ASSERT_TRUE(ParseEntry(lines[13], &e));
  EXPECT_EQ(e.type, "checkpoint");
  EXPECT_TRUE(e.doc["closing"].IsTrue());

  VerifyResult r = VerifyFile(opts.path, WithKey(keys.pub));
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 10u);
  EXPECT_EQ(r.checkpoints, 3u);
  EXPECT_EQ(r.signed_checkpoints, 3u);
  EXPECT_TRUE(r.signatures_verified);
  EXPECT_EQ(r.unsigned_tail, 0u);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.key_ids.size(), 1u);
  EXPECT_NE(r.Summary().find("10 records"), std::string::npos);

  VerifyResult nokey = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(nokey.ok);
  EXPECT_FALSE(nokey.signatures_verified);
  EXPECT_NE(nokey.Summary().find("hash chain intact, signatures NOT verified (no public key)"), std::string::npos);
  EXPECT_EQ(IntegrityStatus({nokey}), "hash chain intact, signatures NOT verified (no public key)");
  EXPECT_EQ(IntegrityStatus({r}), "hash chain intact, signed (3 signatures verified)");
  EXPECT_FALSE(SignedAndVerified({nokey}));
  EXPECT_TRUE(SignedAndVerified({r}));
}

TEST(Chain, UnsignedLogIsIntactButNotSigned) {
  // "Verified" must never read as "signed": a log written without a key says so,
  // even when a public key is given (there is no signature to check).
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("unsigned.jsonl");
  opts.checkpoint_every_records = 4;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 6).ok());
  VerifyResult r = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(IntegrityStatus({r}), "hash chain intact, NOT signed");
  EXPECT_NE(r.Summary().find("OK, hash chain intact, NOT signed"), std::string::npos) << r.Summary();
  EXPECT_FALSE(SignedAndVerified({r}));
  VerifyResult broken = r;
  broken.ok = false;
  EXPECT_EQ(IntegrityStatus({r, broken}), "FAILED");
  EXPECT_EQ(IntegrityStatus({}), "hash chain intact, NOT signed");
}

TEST(Chain, RecordFormat) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  auto ev = testing::SampleEvaluation("ml", "scorer", false, true);
  auto packs = testing::SamplePacks();
  RecordInput in;
  in.source = Source::kAdmission;
  in.admission = {"uid-1", "alice", "CREATE", true};
  in.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764350000123));
  in.evaluation = &ev;
  in.packs = &packs;
  in.notes = {"failurePolicy Fail"};
  ASSERT_TRUE(w.Append(in).ok());
  ASSERT_TRUE(w.Close().ok());
  auto lines = SplitLines(ReadAll(opts.path));
  ASSERT_EQ(lines.size(), 3u);  // start + record + closing (unsigned) checkpoint
  Entry e;
  ASSERT_TRUE(ParseEntry(lines[0], &e)) << e.error;
  EXPECT_EQ(GetString(e.doc, "type"), "start");
  const std::string start_hash = e.hash;
  ASSERT_TRUE(ParseEntry(lines[1], &e)) << e.error;
  EXPECT_EQ(e.seq, 2u);
  EXPECT_EQ(e.prev, start_hash);
  EXPECT_EQ(GetString(e.doc, "time"), "2025-11-28T17:13:20.123Z");
  EXPECT_EQ(GetString(e.doc, "source"), "admission");
  EXPECT_EQ(GetString(e.doc, "decision"), "allow");
  EXPECT_EQ(GetString(e.doc["request"], "uid"), "uid-1");
  EXPECT_EQ(GetString(e.doc["request"], "username"), "alice");
  EXPECT_TRUE(e.doc["request"]["dryRun"].GetBool());
  EXPECT_EQ(GetString(e.doc["resource"], "systemId"), "sys-scorer");
  EXPECT_EQ(GetString(e.doc["packs"][0], "digest"), "sha256:" + std::string(64, 'b'));
  const auto& waived = e.doc["results"][1];
  EXPECT_EQ(GetString(waived, "result"), "waived");
  EXPECT_EQ(GetString(waived["waiver"], "name"), "legacy-scorer");
  EXPECT_EQ(GetString(waived["waiver"], "expires"), "2027-03-01T00:00:00Z");
  ASSERT_TRUE(ParseEntry(lines[2], &e));
  EXPECT_EQ(e.type, "checkpoint");
  EXPECT_FALSE(e.doc.HasMember("signature"));
}

TEST(Chain, RestartContinuesSeqAndPrev) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = keys.priv;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 3).ok());
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2).ok());
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  EXPECT_EQ(w.last_seq(), 10u);  // start 3 cp, start 2 cp, and this session's start
  w.Close();
  VerifyResult r = VerifyFile(opts.path, WithKey(keys.pub));
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.checkpoints, 3u);  // each session's closing checkpoint
  EXPECT_EQ(r.sessions, 3u);
}

TEST(Chain, CrashTailIsCoveredByTheNextCheckpoint) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.checkpoint_every_seconds = 0;
  {
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(opts).ok());
    auto ev = testing::SampleEvaluation("ml", "a");
    RecordInput in;
    in.evaluation = &ev;
    ASSERT_TRUE(w.Append(in).ok());
    // Simulate a crash: drop the last line (the closing checkpoint) after Close.
    ASSERT_TRUE(w.Close().ok());
  }
  auto lines = SplitLines(ReadAll(opts.path));
  lines.pop_back();
  WriteAll(opts.path, JoinLines(lines));
  VerifyResult before = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(before.ok);
  EXPECT_EQ(before.unsigned_tail, 1u);
  EXPECT_FALSE(before.closed);
  ASSERT_TRUE(testing::WriteSampleLog(opts, 0).ok());  // reopen + close: checkpoint the tail
  VerifyResult after = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(after.ok) << after.ErrorLine();
  EXPECT_EQ(after.unsigned_tail, 0u);
  EXPECT_TRUE(after.closed);
}

TEST(Chain, TornLastLineIsMovedAsideNotMerged) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  ASSERT_TRUE(testing::WriteSampleLog(opts, 3).ok());
  std::string good = ReadAll(opts.path);
  // Not hex: a real record's hash never starts with "zz" (one starting with "12" made this flaky).
  std::string torn = "{\"decision\":\"allow\",\"hash\":\"zz";
  WriteAll(opts.path, good + torn);
  VerifyResult broken = VerifyFile(opts.path, VerifyOptions());
  EXPECT_FALSE(broken.ok);
  EXPECT_EQ(broken.error_line, 6u);
  EXPECT_NE(broken.error.find("no newline"), std::string::npos);

  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  ASSERT_EQ(w.open_warnings().size(), 1u);
  EXPECT_NE(w.open_warnings()[0].find("torn last line"), std::string::npos);
  EXPECT_EQ(w.last_seq(), 6u);  // the 5 good lines and the new session's start
  auto ev = testing::SampleEvaluation("ml", "after");
  RecordInput in;
  in.evaluation = &ev;
  ASSERT_TRUE(w.Append(in).ok());
  ASSERT_TRUE(w.Close().ok());
  std::string now = ReadAll(opts.path);
  EXPECT_EQ(now.substr(0, good.size()), good);
  EXPECT_EQ(now.find("\"hash\":\"zz"), std::string::npos);
  int torn_files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    if (f.path().filename().string().rfind("e.jsonl.torn-", 0) == 0) {
      ++torn_files;
      EXPECT_EQ(ReadAll(f.path().string()), torn);
    }
  }
  EXPECT_EQ(torn_files, 1);
  VerifyResult r = VerifyFile(opts.path, VerifyOptions());
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 4u);
}

TEST(Chain, ZeroFilledLastLineIsMovedAside) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2).ok());
  std::string good = ReadAll(opts.path);
  WriteAll(opts.path, good + std::string(16, '\0') + "\n");
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  EXPECT_EQ(w.open_warnings().size(), 1u);
  w.Close();
  EXPECT_TRUE(VerifyFile(opts.path, VerifyOptions()).ok);
}

TEST(Chain, EditedLastLineIsRefusedNotContinued) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  ASSERT_TRUE(testing::WriteSampleLog(opts, 2).ok());
  std::string data = ReadAll(opts.path);
  size_t pos = data.rfind("\"count\":");
  data[pos + 8] = data[pos + 8] == '9' ? '8' : '9';
  WriteAll(opts.path, data);
  EvidenceWriter w;
  Status s = w.Open(opts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not verify"), std::string::npos) << s.message();
  EXPECT_EQ(ReadAll(opts.path), data);
}

TEST(Chain, TimerWritesCheckpoint) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.checkpoint_every_seconds = 1;
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  auto ev = testing::SampleEvaluation("ml", "a");
  RecordInput in;
  in.evaluation = &ev;
  ASSERT_TRUE(w.Append(in).ok());
  for (int i = 0; i < 40 && w.checkpoints_written() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(w.checkpoints_written(), 1u);
  EXPECT_EQ(SplitLines(ReadAll(opts.path)).size(), 3u);
  ASSERT_TRUE(w.Close().ok());
  EXPECT_EQ(w.checkpoints_written(), 2u);  // the closing checkpoint, even with nothing new
}

TEST(Chain, ConcurrentAppendsFormOneChain) {
  TempDir dir;
  Keys keys = MakeKeys(dir);
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = keys.priv;
  opts.checkpoint_every_records = 50;
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&w, t] {
      auto packs = testing::SamplePacks();
      for (int i = 0; i < 100; ++i) {
        auto ev = testing::SampleEvaluation("ns" + std::to_string(t), "m" + std::to_string(i));
        RecordInput in;
        in.evaluation = &ev;
        in.packs = &packs;
        EXPECT_TRUE(w.Append(in).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(w.Close().ok());
  VerifyResult r = VerifyFile(opts.path, WithKey(keys.pub));
  EXPECT_TRUE(r.ok) << r.ErrorLine();
  EXPECT_EQ(r.records, 400u);
  EXPECT_EQ(r.checkpoints, 9u);  // every 50 records, and the closing one
}

TEST(Redaction, MasksConfiguredPathsAndSecretData) {
  TempDir dir;
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.redact_paths = {"metadata.annotations['example.com/token']"};
  EvidenceWriter w;
  ASSERT_TRUE(w.Open(opts).ok());
  aimsgate::JsonDocument obj;
  obj.Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s",
      "annotations":{"example.com/token":"tok-123456"}},"data":{"pw":"aHVudGVyMg=="}})");
  auto ev = testing::SampleEvaluation("ml", "s");
  ev.results[1].message = "token tok-123456 and hunter2 and aHVudGVyMg== leaked";
  RecordInput in;
  in.evaluation = &ev;
  in.object = &obj;
  ASSERT_TRUE(w.Append(in).ok());
  w.Close();
  std::string data = ReadAll(opts.path);
  EXPECT_EQ(data.find("tok-123456"), std::string::npos);
  EXPECT_EQ(data.find("hunter2"), std::string::npos);
  EXPECT_EQ(data.find("aHVudGVyMg"), std::string::npos);
  EXPECT_NE(data.find("token *** and *** and *** leaked"), std::string::npos);
  EXPECT_NE(data.find("\"masked\":true"), std::string::npos);
}

TEST(Redaction, BadPathIsAnOpenError) {
  WriterOptions opts;
  opts.path = "/dev/null";
  opts.redact_paths = {"metadata[annotations"};
  EvidenceWriter w;
  Status s = w.Open(opts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("invalid redact path"), std::string::npos);
}

}  // namespace
}  // namespace aimsgate::evidence
