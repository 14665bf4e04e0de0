#include "evaluator/pack/model_signature_input.h"

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_signature.h"

namespace aimsgate {

bool LoadModelSignature(const EngineOptions::ModelSignatureInputs& in, aimsgate::JsonDocument* model,
                        std::vector<Diagnostic>* diagnostics) {
  if (in.dir.empty()) {
    diagnostics->push_back({"--model-signature", 0, 0, "needs --model-dir, the directory the signature covers"});
    return false;
  }
  model::ModelVerifyOptions options;
  options.trust = {in.public_key, in.cert_chain, in.ca, in.now_unix};
  model::ModelSignatureResult r = model::VerifyModelSignature(in.dir, in.signature, options);
  if (r.ExitCode() == 2) {
    diagnostics->insert(diagnostics->end(), r.errors.begin(), r.errors.end());
    return false;
  }
  if (!model->IsObject()) model::ModelMetadataToJson(model::ModelMetadata(), model);
  aimsgate::JsonValue signature;
  model::ModelSignatureToJson(r, &signature, model->GetAllocator());
  model->AddMember("signature", signature, model->GetAllocator());
  return true;
}

}  // namespace aimsgate
