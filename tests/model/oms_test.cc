// The OMS layers read without the CLI: DSSE PAE, base64, bundles and JSONL claims,
// and the in-toto statement checks (the signed end-to-end cases are in
// test_model_verify.py, against sigstore-js).
#include <gtest/gtest.h>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/model/oms_bundle.h"
#include "evaluator/model/oms_statement.h"

namespace aimsgate::model {
namespace {

TEST(Dsse, PreAuthEncodingIsTheSpecsFormat) {
  // DSSE protocol.md: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal.
  EXPECT_EQ(DssePreAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(DssePreAuthEncoding("", ""), "DSSEv1 0  0 ");
}

TEST(Dsse, Base64StandardUrlSafeAndUnpadded) {
  std::string out;
  ASSERT_TRUE(DecodeBase64("+/8=", &out));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(DecodeBase64("-_8", &out));
  EXPECT_EQ(out, "\xfb\xff");
  ASSERT_TRUE(DecodeBase64("aGk", &out));
  EXPECT_EQ(out, "hi");
  ASSERT_TRUE(DecodeBase64("aGk=", &out));
  EXPECT_EQ(out, "hi");
  EXPECT_FALSE(DecodeBase64("a*k=", &out));
}

std::string Bundle(const std::string& payload_b64) {
  return R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 "verificationMaterial":{"publicKey":{"hint":"abc"},"tlogEntries":[{"integratedTime":"1726673855"}]},
 "dsseEnvelope":{"payload":")" + payload_b64 + R"(","payloadType":"application/vnd.in-toto+json",
 "signatures":[{"sig":"AAEC"}]}})";
}

TEST(Bundle, ReadsTheEnvelopeAndMaterial) {
  std::vector<SigstoreBundle> b;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseSigstoreBundles(Bundle("aGk="), "model.sig", &b, &errors));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].payload, "hi");
  EXPECT_EQ(b[0].payload_type, "application/vnd.in-toto+json");
  EXPECT_EQ(b[0].signatures, std::vector<std::string>{std::string("\x00\x01\x02", 3)});
  EXPECT_EQ(b[0].public_key_hint, "abc");
  EXPECT_EQ(b[0].integrated_time, 1726673855);
}

TEST(Bundle, JsonLinesKeepTheirLineNumbers) {
  std::string one = Bundle("aGk=");
  for (char& c : one) c = c == '\n' ? ' ' : c;
  std::vector<SigstoreBundle> b;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseSigstoreBundles(one + "\n\n" + one + "\n", "claims.jsonl", &b, &errors));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].line, 3);
  EXPECT_FALSE(ParseSigstoreBundles(one + "\n" + "{\"x\": [1,\n", "claims.jsonl", &b, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_NE(errors[0].ToString().find("claims.jsonl:2:"), std::string::npos) << errors[0].ToString();
}

TEST(Bundle, MalformedShapesAreErrors) {
  std::vector<SigstoreBundle> b;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseSigstoreBundles("", "s", &b, &errors));
  EXPECT_FALSE(ParseSigstoreBundles("[]", "s", &b, &errors));
  EXPECT_FALSE(ParseSigstoreBundles(R"({"messageSignature":{}})", "s", &b, &errors));
  EXPECT_FALSE(ParseSigstoreBundles(Bundle("a*k="), "s", &b, &errors));
  EXPECT_NE(errors.back().message.find("dsseEnvelope.payload is not valid base64"), std::string::npos);
}


std::string Raw(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string Statement(const std::string& root, const std::string& predicate_type = kOmsPredicateType) {
  std::string a = kernel::Sha256Hex("a"), b = kernel::Sha256Hex("b");
  return R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m","digest":{"sha256":")" + root +
         R"("}}],"predicateType":")" + predicate_type +
         R"(","predicate":{"serialization":{"method":"files","hash_type":"sha256","allow_symlinks":false,
         "ignore_paths":["model.sig"]},"resources":[{"name":"a.txt","algorithm":"sha256","digest":")" + a +
         R"("},{"name":"d/b.txt","algorithm":"sha256","digest":")" + b + R"("}]}})";
}

TEST(Statement, RootDigestIsOverRawDigestsInPredicateOrder) {
  std::string root = kernel::Sha256Hex(Raw(kernel::Sha256Hex("a")) + Raw(kernel::Sha256Hex("b")));
  OmsManifest m;
  std::string problem;
  StatementProblem kind;
  ASSERT_TRUE(ParseOmsStatement(Statement(root), &m, &problem, &kind)) << problem;
  EXPECT_EQ(m.root_digest, root);
  EXPECT_EQ(m.method, "files");
  ASSERT_EQ(m.resources.size(), 2u);
  EXPECT_EQ(m.resources[1].name, "d/b.txt");
  EXPECT_EQ(m.ignore_paths, std::vector<std::string>{"model.sig"});

  // Hex digests concatenated (a plausible mistake) give another root: refused.
  std::string wrong = kernel::Sha256Hex(kernel::Sha256Hex("a") + kernel::Sha256Hex("b"));
  EXPECT_FALSE(ParseOmsStatement(Statement(wrong), &m, &problem, &kind));
  EXPECT_EQ(kind, StatementProblem::kRootDigest);
  EXPECT_NE(problem.find("which hash to " + root), std::string::npos) << problem;
}

TEST(Statement, RefusesOtherTypesAndShapes) {
  std::string root = kernel::Sha256Hex(Raw(kernel::Sha256Hex("a")) + Raw(kernel::Sha256Hex("b")));
  OmsManifest m;
  std::string problem;
  StatementProblem kind;
  EXPECT_FALSE(ParseOmsStatement(Statement(root, "https://model_signing/Digests/v0.1"), &m, &problem, &kind));
  EXPECT_EQ(kind, StatementProblem::kWrongPredicate);
  std::string s = Statement(root);
  s.replace(s.find("Statement/v1"), 12, "Statement/v0");
  EXPECT_FALSE(ParseOmsStatement(s, &m, &problem, &kind));
  EXPECT_EQ(kind, StatementProblem::kWrongType);
  s = Statement(root);
  s.replace(s.find("\"sha256\",\"allow"), 8, "\"blake2\"");
  EXPECT_FALSE(ParseOmsStatement(s, &m, &problem, &kind));
  EXPECT_EQ(kind, StatementProblem::kUnsupported);
  s = Statement(root);
  s.replace(s.find("d/b.txt"), 7, "a.txt");
  EXPECT_FALSE(ParseOmsStatement(s, &m, &problem, &kind));
  EXPECT_EQ(problem, "resource 'a.txt' is listed twice");
  EXPECT_FALSE(ParseOmsStatement("not json", &m, &problem, &kind));
  EXPECT_EQ(kind, StatementProblem::kMalformed);
}

}  // namespace
}  // namespace aimsgate::model
