// Binds `model` and `modelRef` per object from the model catalogue (`--models DIR`,
// evaluator/model/model_catalogue.h), kept out of engine.cc.
//
//   ModelBinding b;
//   BindModel(catalogue, object, "aimsgate.io/", inventory_entry, engine_model, &b);
//   act.Set(slots.model, b.model ? Json(*b.model) : Null());
//   act.Set(slots.model_ref, b.ref ? Json(*b.ref) : Null());
//
// The object names its model with the annotation <prefix>model (its own metadata, else
// its pod template's, as the pack reads annotations), else its inventory entry's `model`.
// Without a catalogue, or when the object names no model, `model` is the engine-wide
// model (--model-card/--bom/--model-signature, or null) and `modelRef` is null.  With a
// catalogue and a reference: `modelRef` = {reference, source, id, found, reason}, and
// `model` is the catalogue entry, or null when the reference is unknown (`reason` says
// why and where the reference was read).
//
// Thread-safety: reads only; one ModelBinding per evaluation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/diagnostic.h"
#include "evaluator/kernel/json.h"

namespace aimsgate {

namespace model {
class ModelCatalogue;
}

struct ModelBinding {
  const aimsgate::JsonValue* model = nullptr;
  std::optional<aimsgate::JsonDocument> ref;  // set only when a catalogue is loaded and the object names a model
};

// Loads the catalogue (model_catalogue.h) for Engine::Load; null with diagnostics on error.
std::shared_ptr<const model::ModelCatalogue> LoadModelCatalogueInput(const std::string& dir, int64_t now_unix,
                                                                     std::vector<Diagnostic>* diagnostics);

// The object's model from `catalogue` (non-null), after BindModel set the engine-wide one.
void BindModelFromCatalogue(const model::ModelCatalogue& catalogue, const aimsgate::JsonValue& object,
                            const std::string& prefix, const aimsgate::JsonValue* inventory_entry, ModelBinding* out);

// Inline: without a catalogue (most runs) binding is two stores per object.
inline void BindModel(const model::ModelCatalogue* catalogue, const aimsgate::JsonValue& object, const std::string& prefix,
                      const aimsgate::JsonValue* inventory_entry, const aimsgate::JsonValue* engine_model, ModelBinding* out) {
  out->model = engine_model != nullptr && !engine_model->IsNull() ? engine_model : nullptr;
  out->ref.reset();
  if (catalogue != nullptr) BindModelFromCatalogue(*catalogue, object, prefix, inventory_entry, out);
}

}  // namespace aimsgate
