// aimsgate model verify DIR --signature FILE (--pubkey KEY | --ca ROOTS [--cert-chain CERTS]):
// exit 0 verified, 1 verification failed, 2 unreadable or malformed input.
#include <iostream>
#include <memory>

#include <rapidjson/prettywriter.h>

#include "cli/command.h"
#include "cli/json_out.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/utf8.h"
#include "evaluator/model/model_signature.h"
#include "evaluator/pack/inputs.h"

namespace aimsgate::cli {
namespace {

struct ModelVerifyFlags {
  std::string dir;
  std::string signature;
  std::string now;
  std::string format = "text";
  model::ModelVerifyOptions options;
};

int RunModelVerify(ModelVerifyFlags& f) {
  if (!f.now.empty() && !ParseRfc3339(f.now, &f.options.trust.now_unix)) {
    std::cerr << "aimsgate model verify: error: --now '" << f.now << "' is not an RFC 3339 date-time\n";
    return 2;
  }
  model::ModelSignatureResult r = model::VerifyModelSignature(f.dir, f.signature, f.options);
  for (const auto& e : r.errors) std::cerr << e.ToString() << "\n";
  if (f.format == "json") {
    aimsgate::JsonDocument doc;
    model::ModelSignatureToJson(r, &doc, doc.GetAllocator());
    auto& a = doc.GetAllocator();
    doc.AddMember("method", aimsgate::JsonValue(r.method.c_str(), a), a);
    doc.AddMember("resources", static_cast<uint64_t>(r.resources), a);
    doc.AddMember("claims", static_cast<uint64_t>(r.claims), a);
    JsonOut out(std::cout);
    aimsgate::JsonPrettyWriter<JsonOut> w(out);
    doc.Accept(w);
    out.Put('\n');
    return r.ExitCode();
  }
  if (r.ExitCode() == 2) return 2;
  // File names in the failures are the model directory's: escaped, one line each.
  for (const auto& failure : r.failures) std::cerr << kernel::EscapeControls(f.dir + ": " + failure.ToString()) << "\n";
  if (!r.verified) {
    std::cerr << "aimsgate model verify: FAILED: " << r.failures.size() << " problem(s)\n";
    return 1;
  }
  std::cout << "verified: " << r.files << " files (" << r.method << ", " << r.resources
            << " signed entries), root digest " << r.root_digest << ", signed by " << r.mode << " "
            << kernel::EscapeControls(r.signer) << "\n";
  return 0;
}

}  // namespace

void AddModelCommands(CLI::App& root, CommandList* commands) {
  CLI::App* model = root.add_subcommand("model", "Model supply chain: verify OpenSSF Model Signing signatures");
  model->require_subcommand(1);
  auto f = std::make_shared<ModelVerifyFlags>();
  CLI::App* verify = model->add_subcommand(
      "verify", "Verify a model directory against its OMS v1.0 signature (exit 0 ok, 1 failed, 2 unreadable input)");
  verify->add_option("dir", f->dir, "The model directory")->required();
  verify->add_option("--signature", f->signature, "Sigstore bundle (model.sig) or claims.jsonl")->required();
  auto* pubkey = verify->add_option("--pubkey", f->options.trust.public_key_path,
                                    "ECDSA P-256/P-384/P-521 public key (PEM or DER) for key-signed models");
  auto* ca = verify->add_option("--ca", f->options.trust.ca_path,
                                "Trusted root certificate(s), PEM, for certificate-signed models");
  verify->add_option("--cert-chain", f->options.trust.cert_chain_path,
                     "Signing certificate and intermediates (PEM) when the bundle does not carry them")
      ->needs(ca);
  pubkey->excludes(ca);
  verify->add_option("--now", f->now,
                     "Check certificate validity at this RFC 3339 time when the bundle has no signing time");
  verify->add_option("--jobs", f->options.jobs, "Files hashed in parallel (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  verify->add_option("--format", f->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  commands->push_back({verify, [f] { return RunModelVerify(*f); }});
}

}  // namespace aimsgate::cli
