// libFuzzer target: manifest loading (YAML streams and JSON) with the default
// limits, plus the field-position index the reports use; the streaming Reader
// with a small per-object budget.
#include <cstddef>
#include <cstdint>

#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/stream.h"
#include "fuzz/fuzz_util.h"

namespace {

void Touch(const aimsgate::manifest::LoadResult& r) {
  for (const auto& res : r.resources) {
    if (res.object == nullptr || !res.object->IsObject()) __builtin_trap();
    for (const auto& m : res.object->GetObject()) (void)res.FieldLine(&m.value);
  }
  for (const auto& e : r.errors) {
    if (e.message.empty()) __builtin_trap();  // every error says what is wrong
    (void)e.ToString();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (64 << 10)) return 0;
  auto bytes = aimsgate::fuzz::AsView(data, size);
  aimsgate::manifest::Limits limits;
  limits.max_alias_nodes = 100000;  // keeps each run fast; the cap itself is what is exercised
  Touch(aimsgate::manifest::LoadBytes(bytes, "fuzz", limits));
  Touch(aimsgate::manifest::LoadYaml(bytes, "fuzz.yaml", limits));
  Touch(aimsgate::manifest::LoadJson(bytes, "fuzz.json", limits));
  limits.max_object_bytes = 4096;
  auto reader = aimsgate::manifest::Reader::FromBytes(bytes, "fuzz", limits);
  aimsgate::manifest::LoadResult streamed;
  aimsgate::manifest::Resource res;
  aimsgate::Diagnostic error;
  for (;;) {
    auto item = reader->Next(&res, &error);
    if (item == aimsgate::manifest::ReadItem::kEnd) break;
    if (item == aimsgate::manifest::ReadItem::kError) {
      streamed.errors.push_back(error);
    } else {
      streamed.resources.push_back(res);
    }
  }
  streamed.not_objects = reader->not_objects();
  if (streamed.not_objects > streamed.errors.size()) __builtin_trap();
  Touch(streamed);
  return 0;
}
