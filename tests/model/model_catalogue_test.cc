// The model catalogue (--models): loading, references, and located errors.
#include "evaluator/kernel/json.h"
#include "evaluator/model/model_catalogue.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace aimsgate::model {
namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(AIMSGATE_SOURCE_DIR) + "/examples/models";
const char kDigest[] = "sha256:bd973e22db0e1c40f9843c0261fc7801818332f7451deb2f5a1c2d1f2d08a2c3";

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "catalogue-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& text) const {
    fs::create_directories(fs::path(path_ + "/" + rel).parent_path());
    std::ofstream(path_ + "/" + rel) << text;
  }

 private:
  std::string path_;
};

std::string Errors(const std::vector<Diagnostic>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.ToString() + "\n";
  return out;
}

TEST(ModelCatalogue, LoadsTheExamples) {
  std::vector<Diagnostic> errors;
  auto c = LoadModelCatalogue(kExamples, {}, &errors);
  ASSERT_TRUE(c) << Errors(errors);
  EXPECT_EQ(c->ids(), (std::vector<std::string>{"fraud-scorer", "ticket-priority-classifier"}));
  const CatalogueEntry* fraud = c->Find("fraud-scorer");
  ASSERT_TRUE(fraud);
  EXPECT_EQ(fraud->root_digest, kDigest);
  const aimsgate::JsonValue& m = fraud->model;
  EXPECT_STREQ(m["id"].GetString(), "fraud-scorer");
  EXPECT_STREQ(m["license"].GetString(), "apache-2.0");
  // README.md, verify.yaml and the key beside the signed files are not "extra files".
  EXPECT_TRUE(m["signature"]["verified"].GetBool()) << m["signature"]["errors"].Size();
  const CatalogueEntry* ticket = c->Find("ticket-priority-classifier");
  ASSERT_TRUE(ticket);
  EXPECT_FALSE(ticket->model.HasMember("signature"));
  EXPECT_TRUE(ticket->root_digest.empty());
}

TEST(ModelCatalogue, ResolvesIdsAndDigests) {
  std::vector<Diagnostic> errors;
  auto c = LoadModelCatalogue(kExamples, {}, &errors);
  ASSERT_TRUE(c) << Errors(errors);
  std::string reason;
  EXPECT_EQ(c->Resolve("fraud-scorer", &reason), c->Find("fraud-scorer"));
  EXPECT_EQ(c->Resolve(std::string("fraud-scorer@") + kDigest, &reason), c->Find("fraud-scorer"));
  // The name is informative when one entry has the digest.
  EXPECT_EQ(c->Resolve(std::string("fraud@") + kDigest, &reason), c->Find("fraud-scorer"));
  EXPECT_EQ(c->Resolve("fraud-scorer-v9", &reason), nullptr);
  EXPECT_EQ(reason, "model 'fraud-scorer-v9' is not in the model catalogue " + kExamples +
                        " (models: fraud-scorer, ticket-priority-classifier)");
  EXPECT_EQ(c->Resolve("fraud-scorer@sha256:" + std::string(64, '0'), &reason), nullptr);
  EXPECT_NE(reason.find("has the signed root digest sha256:0000"), std::string::npos) << reason;
  EXPECT_EQ(c->Resolve("fraud-scorer@sha256:ABC", &reason), nullptr);
  EXPECT_NE(reason.find("is not a model reference"), std::string::npos) << reason;
}

TEST(ModelCatalogue, ConfigMapLayout) {
  // The kubelet's projection: ..<stamp>/<id>/<file>, ..data -> ..<stamp>, <id> -> ..data/<id>.
  TempDir d;
  d.Write("..2026_12_02/m/README.md", "---\nlicense: mit\n---\n# m\n");
  fs::create_directory_symlink("..2026_12_02", d.path() + "/..data");
  fs::create_directory_symlink("..data/m", d.path() + "/m");
  std::vector<Diagnostic> errors;
  auto c = LoadModelCatalogue(d.path(), {}, &errors);
  ASSERT_TRUE(c) << Errors(errors);
  EXPECT_EQ(c->ids(), std::vector<std::string>{"m"});
  EXPECT_STREQ(c->Find("m")->model["license"].GetString(), "mit");
}

TEST(ModelCatalogue, LocatedErrors) {
  struct Case {
    std::string file, text, want;
  } cases[] = {
      {"m/model.sig", "{}", "m/model.sig: error: model.sig needs verify.yaml beside it"},
      {"m/verify.yaml", "publicKey: k.pub\n", "m/verify.yaml: error: verify.yaml without model.sig"},
      {"m/notes.txt", "x", "m: error: model folder holds none of README.md, bom.json, model.sig"},
      {"bad name/README.md", "# x\n", "bad name: error: model id 'bad name' (the folder name) may hold only"},
      {"m/README.md", "---\nlicense: [unclosed\n---\n", "m/README.md:"},
  };
  for (const auto& k : cases) {
    TempDir d;
    d.Write(k.file, k.text);
    std::vector<Diagnostic> errors;
    EXPECT_EQ(LoadModelCatalogue(d.path(), {}, &errors), nullptr) << k.file;
    EXPECT_NE(Errors(errors).find(d.path() + "/" + k.want), std::string::npos) << Errors(errors);
  }
  // verify.yaml: unknown keys and a missing trust are located in it.
  TempDir d;
  d.Write("m/model.sig", "{}");
  d.Write("m/verify.yaml", "publicKey: k.pub\npubkey: k.pub\n");
  std::vector<Diagnostic> errors;
  EXPECT_EQ(LoadModelCatalogue(d.path(), {}, &errors), nullptr);
  EXPECT_NE(Errors(errors).find("m/verify.yaml:2:1: error: unknown key 'pubkey'"), std::string::npos) << Errors(errors);
  // A repeated key: which of the two keys' trust would be used is refused, not guessed.
  TempDir r;
  r.Write("m/model.sig", "{}");
  r.Write("m/verify.yaml", "publicKey: a.pub\nmodelDir: m\npublicKey: b.pub\n");
  errors.clear();
  EXPECT_EQ(LoadModelCatalogue(r.path(), {}, &errors), nullptr);
  EXPECT_NE(Errors(errors).find("m/verify.yaml:3:1: error:"), std::string::npos) << Errors(errors);
  EXPECT_NE(Errors(errors).find("duplicate key 'publicKey' (first at line 1)"), std::string::npos) << Errors(errors);
  TempDir e;
  e.Write("m/model.sig", "{}");
  e.Write("m/verify.yaml", "modelDir: /tmp\n");
  errors.clear();
  EXPECT_EQ(LoadModelCatalogue(e.path(), {}, &errors), nullptr);
  EXPECT_NE(Errors(errors).find("name exactly one of publicKey (key mode) and ca"), std::string::npos) << Errors(errors);
  errors.clear();
  EXPECT_EQ(LoadModelCatalogue(e.path() + "/nope", {}, &errors), nullptr);
  EXPECT_NE(Errors(errors).find("/nope: error: cannot read the model catalogue: No such file"), std::string::npos)
      << Errors(errors);
  errors.clear();
  EXPECT_EQ(LoadModelCatalogue(e.path() + "/m/verify.yaml", {}, &errors), nullptr);
  EXPECT_NE(Errors(errors).find("must be a directory of model folders"), std::string::npos) << Errors(errors);
}

TEST(ModelCatalogue, FailedSignatureIsData) {
  // The signed files edited after signing: the entry loads, signature.verified is false with the reason.
  TempDir d;
  fs::create_directories(d.path() + "/fraud");
  for (const char* f : {"README.md", "model.sig", "verify.yaml", "signing-key.pub", "weights.safetensors"}) {
    fs::copy_file(kExamples + "/fraud-scorer/" + f, d.path() + "/fraud/" + f);
  }
  d.Write("fraud/config.json", "{\"model_type\": \"tampered\"}");
  std::vector<Diagnostic> errors;
  auto c = LoadModelCatalogue(d.path(), {}, &errors);
  ASSERT_TRUE(c) << Errors(errors);
  const aimsgate::JsonValue& sig = c->Find("fraud")->model["signature"];
  EXPECT_FALSE(sig["verified"].GetBool());
  ASSERT_GT(sig["errors"].Size(), 0u);
  EXPECT_NE(std::string(sig["errors"][0].GetString()).find("config.json"), std::string::npos);
}

}  // namespace
}  // namespace aimsgate::model
