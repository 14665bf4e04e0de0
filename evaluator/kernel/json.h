// The JSON types every part of aimsgate uses: RapidJSON's, over an allocator
// that throws std::bad_alloc when memory runs out.
//
//   aimsgate::JsonDocument doc;                       // instead of rapidjson::Document
//   const aimsgate::JsonValue* name = kernel::Member(doc, "name");
//   aimsgate::JsonStringBuffer out;
//   aimsgate::JsonWriter<aimsgate::JsonStringBuffer> writer(out);
//
// Why: RapidJSON's own CrtAllocator returns null when malloc fails, and nothing
// in RapidJSON checks: its memory pool, parser stack and string buffer write
// through the null pointer.  Under an address-space limit (`ulimit -v`,
// vm.overcommit_memory=2) `aimsgate check` on a large object died of SIGSEGV
// inside a string copy.  With this allocator the failure is an exception like
// any other failed allocation, which the callers already turn into an error:
// exit 2 for `check` and `lint`, a 500 answer for `serve`, the rule's error for
// an evaluation.  RapidJSON holds its buffers in objects with destructors, so an
// exception out of a parse or a write leaks nothing.
//
// The default-allocator types (rapidjson::Value, Document, StringBuffer,
// Writer<...>) must not be used: their values do not mix with these.
#pragma once

#include <cstdlib>
#include <new>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace aimsgate {

// RapidJSON's Allocator concept over std::malloc, as rapidjson::CrtAllocator,
// except that a failed allocation throws instead of returning null.
class JsonCrtAllocator {
 public:
  static const bool kNeedFree = true;
  void* Malloc(size_t size) {
    if (size == 0) return nullptr;  // as CrtAllocator: malloc(0) is implementation-defined
    void* p = std::malloc(size);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void* Realloc(void* original, size_t /*original_size*/, size_t new_size) {
    if (new_size == 0) {
      std::free(original);
      return nullptr;
    }
    void* p = std::realloc(original, new_size);
    if (p == nullptr) throw std::bad_alloc();  // `original` is still valid and still owned
    return p;
  }
  static void Free(void* p) { std::free(p); }
};

using JsonPool = rapidjson::MemoryPoolAllocator<JsonCrtAllocator>;
using JsonValue = rapidjson::GenericValue<rapidjson::UTF8<>, JsonPool>;
using JsonDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, JsonPool, JsonCrtAllocator>;
using JsonReader = rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, JsonCrtAllocator>;
using JsonStringBuffer = rapidjson::GenericStringBuffer<rapidjson::UTF8<>, JsonCrtAllocator>;
template <typename Out>
using JsonWriter = rapidjson::Writer<Out, rapidjson::UTF8<>, rapidjson::UTF8<>, JsonCrtAllocator>;
template <typename Out>
using JsonPrettyWriter = rapidjson::PrettyWriter<Out, rapidjson::UTF8<>, rapidjson::UTF8<>, JsonCrtAllocator>;

}  // namespace aimsgate
