// Every kind of tampering is detected at the right line (table-driven).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "evaluator/evidence/canonical_json.h"
#include "evaluator/evidence/crypto.h"
#include "evaluator/evidence/entry.h"
#include "evaluator/evidence/verifier.h"
#include "evaluator/evidence/writer.h"
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
  rapidjson::Document d;
  d.Parse(line.data(), line.size());
  std::string h = Sha256Hex(CanonicalWithout(d, "hash"));
  d["hash"].SetString(h.data(), static_cast<rapidjson::SizeType>(h.size()), d.GetAllocator());
  return CanonicalJson(d);
}

struct TamperCase {
  const char* name;
  // Edits the lines of a 12-line log: records 1-4, cp 5, records 6-9, cp 10, records 11-12,
  // closing cp 13 (13 lines, 1-based line numbers in comments).
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
  ASSERT_EQ(lines.size(), 13u);
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
     [](auto* l) { FlipByte(&(*l)[3], "declares no "); }, 4, "hash mismatch"},
    {"edit_one_byte_in_hash",
     [](auto* l) { FlipByte(&(*l)[2], "\"hash\":\""); }, 3, "hash mismatch"},
    {"edit_whitespace",
     [](auto* l) { (*l)[1].insert(1, " "); }, 2, "canonical"},
    {"edit_and_rehash_one_record",
     [](auto* l) {
       rapidjson::Document d;
       d.Parse((*l)[1].data(), (*l)[1].size());
       d["decision"].SetString("warn");
       (*l)[1] = Rehash(CanonicalJson(d));
     },
     3, "prev does not match"},
    {"insert_copy_of_record",
     [](auto* l) { l->insert(l->begin() + 2, (*l)[1]); }, 3, "seq 2, expected 3"},
    {"delete_record",
     [](auto* l) { l->erase(l->begin() + 6); }, 7, "seq 8, expected 7"},
    {"delete_first_record",
     [](auto* l) { l->erase(l->begin()); }, 1, "seq 2, expected 1"},
    {"reorder_records",
     [](auto* l) { std::swap((*l)[7], (*l)[8]); }, 8, "seq 9, expected 8"},
    {"delete_checkpoint",
     [](auto* l) { l->erase(l->begin() + 4); }, 5, "seq 6, expected 5"},
    {"truncated_mid_line",
     [](auto* l) { (*l)[12].resize(40); }, 13, "no newline"},
    {"truncated_after_checkpoint",
     [](auto* l) { l->resize(11); }, 12, "does not end with a checkpoint", true, true},
    {"forged_signature",
     [](auto* l) {
       std::string& cp = (*l)[9];
       size_t pos = cp.find("\"signature\":\"") + 13;
       cp[pos] = cp[pos] == 'A' ? 'B' : 'A';
       cp = Rehash(cp);
     },
     10, "signature does not verify"},
    {"rewritten_chain_after_edit",
     [](auto* l) {
       // Edit record 2 and recompute every later hash and prev: only the signature of
       // the next checkpoint can tell.
       for (size_t i = 1; i < l->size(); ++i) {
         rapidjson::Document d;
         d.Parse((*l)[i].data(), (*l)[i].size());
         rapidjson::Document p;
         p.Parse((*l)[i - 1].data(), (*l)[i - 1].size());
         if (i == 1) d["objectSha256"].SetString(std::string(64, 'c'), d.GetAllocator());
         d["prev"].SetString(std::string(p["hash"].GetString()), d.GetAllocator());
         if (d.HasMember("lastHash")) d["lastHash"].SetString(std::string(p["hash"].GetString()), d.GetAllocator());
         (*l)[i] = Rehash(CanonicalJson(d));
       }
     },
     5, "signature does not verify"},
    {"unsigned_checkpoint_with_key",
     [](auto* l) {
       rapidjson::Document d;
       d.Parse((*l)[4].data(), (*l)[4].size());
       d.RemoveMember("signature");
       d.RemoveMember("keyId");
       (*l)[4] = Rehash(CanonicalJson(d));
     },
     5, "not signed"},
    {"checkpoint_count_edited",
     [](auto* l) {
       rapidjson::Document d;
       d.Parse((*l)[4].data(), (*l)[4].size());
       d["count"].SetUint64(3);
       (*l)[4] = Rehash(CanonicalJson(d));
     },
     5, "count does not match", false},
    {"wrong_pubkey", [](auto*) {}, 5, "not a given public key"},
};

INSTANTIATE_TEST_SUITE_P(Evidence, Tamper, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace aimsgate::evidence
