// Every kind of tampering is detected at the right line (table-driven).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/verifier.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

using testing::JoinLines;
using testing::ReadAll;
using testing::SplitLines;
using testing::TempDir;
using testing::WriteAll;

// Recomputes the hash of an edited line so that only the chain (or a signature) can
// catch the edit: the attacker's best move.
std::string Rehash(const std::string& line) {
  aimsgate::JsonDocument d;
  d.Parse(line.data(), line.size());
  std::string h = kernel::Sha256Hex(CanonicalWithout(d, "hash"));
  d["hash"].SetString(h.data(), static_cast<rapidjson::SizeType>(h.size()), d.GetAllocator());
  return kernel::CanonicalJson(d);
}

struct TamperCase {
  const char* name;
  // Edits the lines of a 14-line log: start 1, records 2-5, cp 6, records 7-10, cp 11,
  // records 12-13, closing cp 14 (1-based line numbers).
  std::function<void(std::vector<std::string>*)> edit;
  uint64_t line;            // expected first broken line
  const char* message;      // expected substring
  bool with_key = true;
  bool require_closed = false;
};

class Tamper : public ::testing::TestWithParam<TamperCase> {};

TEST_P(Tamper, DetectedAtTheRightLine) {
  const TamperCase& c = GetParam();
  TempDir dir;
  std::string id;
  ASSERT_TRUE(GenerateKeyPair(dir.path(), &id).ok());
  std::filesystem::create_directories(dir.File("other"));
  ASSERT_TRUE(GenerateKeyPair(dir.File("other"), &id).ok());
  WriterOptions opts;
  opts.path = dir.File("e.jsonl");
  opts.key_path = dir.File(kPrivateKeyFile);
  opts.checkpoint_every_records = 4;
  opts.checkpoint_every_seconds = 0;
  ASSERT_TRUE(testing::WriteSampleLog(opts, 10).ok());
  auto lines = SplitLines(ReadAll(opts.path));
  ASSERT_EQ(lines.size(), 14u);
  VerifyOptions vo;
  VerifyKey pub;
  ASSERT_TRUE(VerifyKey::LoadPem(dir.File(kPublicKeyFile), &pub).ok());
  vo.keys.push_back(pub);
  ASSERT_TRUE(VerifyFile(opts.path, vo).ok);

  c.edit(&lines);
  std::string data = JoinLines(lines);
  if (std::string(c.name) == "truncated_mid_line") data.pop_back();  // drop the final '\n'
  WriteAll(opts.path, data);
  VerifyOptions used;
  if (c.with_key) used = vo;
  if (std::string(c.name) == "wrong_pubkey") {
    used.keys.clear();
    VerifyKey other;
    ASSERT_TRUE(VerifyKey::LoadPem(dir.File("other/" + std::string(kPublicKeyFile)), &other).ok());
    used.keys.push_back(other);
  }
  used.require_closed = c.require_closed;
  VerifyResult r = VerifyFile(opts.path, used);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.io_error);
  EXPECT_EQ(r.error_line, c.line) << r.ErrorLine();
  EXPECT_NE(r.error.find(c.message), std::string::npos) << r.ErrorLine();
  EXPECT_EQ(r.ErrorLine().rfind(opts.path + ":" + std::to_string(c.line) + ": error: ", 0), 0u);
}

void FlipByte(std::string* line, const std::string& after) {
  size_t pos = line->find(after);
  ASSERT_NE(pos, std::string::npos);
  char& ch = (*line)[pos + after.size()];
  ch = ch == 'a' ? 'b' : 'a';
}

const TamperCase kCases[] = {
    {"edit_one_byte_in_message",
     [](auto* l) { FlipByte(&(*l)[4], "declares no "); }, 5, "hash mismatch"},
    {"edit_one_byte_in_hash",
     [](auto* l) { FlipByte(&(*l)[3], "\"hash\":\""); }, 4, "hash mismatch"},
    {"edit_whitespace",
     [](auto* l) { (*l)[2].insert(1, " "); }, 3, "canonical"},
    {"edit_and_rehash_one_record",
     [](auto* l) {
       aimsgate::JsonDocument d;
       d.Parse((*l)[2].data(), (*l)[2].size());
       d["decision"].SetString("warn");
       (*l)[2] = Rehash(kernel::CanonicalJson(d));
     },
     4, "prev does not match"},
    {"insert_copy_of_record",
     [](auto* l) { l->insert(l->begin() + 3, (*l)[2]); }, 4, "seq 3, expected 4"},
    {"delete_record",
     [](auto* l) { l->erase(l->begin() + 7); }, 8, "seq 9, expected 8"},
    {"delete_start_record",
     [](auto* l) { l->erase(l->begin()); }, 1, "seq 2, expected 1"},
    {"delete_first_record",
     [](auto* l) { l->erase(l->begin() + 1); }, 2, "seq 3, expected 2"},
    {"reorder_records",
     [](auto* l) { std::swap((*l)[8], (*l)[9]); }, 9, "seq 10, expected 9"},
    {"delete_checkpoint",
     [](auto* l) { l->erase(l->begin() + 5); }, 6, "seq 7, expected 6"},
    {"truncated_mid_line",
     [](auto* l) { (*l)[13].resize(40); }, 14, "no newline"},
    {"truncated_after_records",
     [](auto* l) { l->resize(12); }, 13, "does not end with a closing checkpoint", true, true},
    // Finding 5 of issue 13: a cut right after an earlier (signed, valid) checkpoint.
    {"truncated_at_first_checkpoint",
     [](auto* l) { l->resize(6); }, 7, "not its session's closing checkpoint", true, true},
    {"truncated_at_second_checkpoint",
     [](auto* l) { l->resize(11); }, 12, "not its session's closing checkpoint", true, true},
    {"closing_flag_added_to_earlier_checkpoint",
     [](auto* l) {
       l->resize(11);
       aimsgate::JsonDocument d;
       d.Parse((*l)[10].data(), (*l)[10].size());
       d.AddMember("closing", true, d.GetAllocator());
       (*l)[10] = Rehash(kernel::CanonicalJson(d));
     },
     11, "signature does not verify", true, true},
    {"record_appended_after_closing_checkpoint",
     [](auto* l) {
       aimsgate::JsonDocument d;
       d.Parse((*l)[12].data(), (*l)[12].size());
       aimsgate::JsonDocument last;
       last.Parse((*l)[13].data(), (*l)[13].size());
       d["seq"].SetUint64(15);
       d["prev"].SetString(std::string(last["hash"].GetString()), d.GetAllocator());
       l->push_back(Rehash(kernel::CanonicalJson(d)));
     },
     15, "after the closing checkpoint"},
    {"checkpoint_from_another_session",
     [](auto* l) {
       aimsgate::JsonDocument d;
       d.Parse((*l)[5].data(), (*l)[5].size());
       d["session"].SetString(std::string(32, 'f'), d.GetAllocator());
       (*l)[5] = Rehash(kernel::CanonicalJson(d));
     },
     6, "checkpoint of session", false},
    {"forged_signature",
     [](auto* l) {
       std::string& cp = (*l)[10];
       size_t pos = cp.find("\"signature\":\"") + 13;
       cp[pos] = cp[pos] == 'A' ? 'B' : 'A';
       cp = Rehash(cp);
     },
     11, "signature does not verify"},
    {"rewritten_chain_after_edit",
     [](auto* l) {
       // Edit record 1 and recompute every later hash and prev: only the signature of
       // the next checkpoint can tell.
       for (size_t i = 1; i < l->size(); ++i) {
         aimsgate::JsonDocument d;
         d.Parse((*l)[i].data(), (*l)[i].size());
         aimsgate::JsonDocument p;
         p.Parse((*l)[i - 1].data(), (*l)[i - 1].size());
         if (i == 1) d["objectSha256"].SetString(std::string(64, 'c'), d.GetAllocator());
         d["prev"].SetString(std::string(p["hash"].GetString()), d.GetAllocator());
         if (d.HasMember("lastHash")) d["lastHash"].SetString(std::string(p["hash"].GetString()), d.GetAllocator());
         (*l)[i] = Rehash(kernel::CanonicalJson(d));
       }
     },
     6, "signature does not verify"},
    {"unsigned_checkpoint_with_key",
     [](auto* l) {
       aimsgate::JsonDocument d;
       d.Parse((*l)[5].data(), (*l)[5].size());
       d.RemoveMember("signature");
       d.RemoveMember("keyId");
       (*l)[5] = Rehash(kernel::CanonicalJson(d));
     },
     6, "not signed"},
    {"checkpoint_count_edited",
     [](auto* l) {
       aimsgate::JsonDocument d;
       d.Parse((*l)[5].data(), (*l)[5].size());
       d["count"].SetUint64(3);
       (*l)[5] = Rehash(kernel::CanonicalJson(d));
     },
     6, "count does not match", false},
    {"wrong_pubkey", [](auto*) {}, 6, "not a given public key"},
};

INSTANTIATE_TEST_SUITE_P(Evidence, Tamper, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace aimsgate::evidence
