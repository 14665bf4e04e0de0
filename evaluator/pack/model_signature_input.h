// Binds a model signature verification into the `model` variable at engine load
// (`check --model-dir DIR --model-signature FILE …`), kept out of engine.cc.
//
//   if (!LoadModelSignature(options.model_signature, model_doc, &diagnostics)) return nullptr;
//
// The model directory is hashed once, at load.  A failed verification is not a
// load error: model.signature.verified is false and .errors says why, so rules
// decide.  Unreadable inputs (signature, key, directory) are load errors (exit 2).
// When no model card or BOM was given, `model` becomes the empty normalised object
// with the signature, so the model rules see the model as known.
#pragma once

#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate {

bool LoadModelSignature(const EngineOptions::ModelSignatureInputs& inputs, aimsgate::JsonDocument* model,
                        std::vector<Diagnostic>* diagnostics);

}  // namespace aimsgate
