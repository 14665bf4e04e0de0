// libFuzzer target: manifest loading (YAML streams and JSON) with the default
// limits, plus the field-position index the reports use; the streaming Reader
// with a small per-object budget. LoadJson must say exactly what the general
// JSON reader alone says (its fast path only takes input that loads cleanly).
#include <cstddef>
#include <cstdint>

#include "evaluator/manifest/internal.h"
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

void ExpectSame(const aimsgate::manifest::LoadResult& a, const aimsgate::manifest::LoadResult& b) {
  if (a.errors.size() != b.errors.size() || a.resources.size() != b.resources.size() ||
      a.not_objects != b.not_objects) {
    __builtin_trap();
  }
  for (size_t i = 0; i < a.errors.size(); ++i) {
    if (a.errors[i].ToString() != b.errors[i].ToString()) __builtin_trap();
  }
  for (size_t i = 0; i < a.resources.size(); ++i) {
    const auto& x = a.resources[i];
    const auto& y = b.resources[i];
    if (x.line != y.line || x.column != y.column || x.document_index != y.document_index ||
        x.item_index != y.item_index || !(*x.object == *y.object) ||
        x.owner->positions.size() != y.owner->positions.size()) {
      __builtin_trap();
    }
    auto m = y.object->MemberBegin();
    for (const auto& n : x.object->GetObject()) {
      const auto px = x.FieldPosition(&n.value), py = y.FieldPosition(&m->value);
      const auto nx = x.FieldPosition(&n.name), ny = y.FieldPosition(&m->name);
      if (px.line != py.line || px.column != py.column || nx.line != ny.line || nx.column != ny.column) {
        __builtin_trap();
      }
      ++m;
    }
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
  aimsgate::manifest::LoadResult json = aimsgate::manifest::LoadJson(bytes, "fuzz.json", limits);
  Touch(json);
  ExpectSame(json, aimsgate::manifest::internal::LoadJsonGeneral(bytes, "fuzz.json", limits));
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
