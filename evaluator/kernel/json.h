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

// What the JSON allocators of one thread may still take while a budget is in scope:
// a parse whose document would cost more throws JsonBudgetExceeded (a bad_alloc)
// instead of taking it.  Bodies of a few MB can parse into documents twenty times
// their size (`[0,0,0,...]`: 2 bytes of text, 16 of value, and the parser's stack),
// and the body budget of `serve` counts bytes of text only.
//
//   { JsonAllocationBudget budget(8 << 20); doc.Parse(text); }   // throws past 8 MiB
//
// Counts what is allocated (and grown by realloc), not what is freed: an upper
// bound of the peak.  Thread-safety: per thread; budgets do not nest.
class JsonAllocationBudget {
 public:
  explicit JsonAllocationBudget(size_t bytes) : left_(bytes) { current_ = this; }
  ~JsonAllocationBudget() { current_ = nullptr; }
  JsonAllocationBudget(const JsonAllocationBudget&) = delete;
  JsonAllocationBudget& operator=(const JsonAllocationBudget&) = delete;

  static void Charge(size_t n) {
    if (current_ == nullptr) return;
    if (n > current_->left_) throw JsonBudgetExceeded();
    current_->left_ -= n;
  }
  struct JsonBudgetExceeded : std::bad_alloc {
    const char* what() const noexcept override { return "JSON document over its memory budget"; }
  };

 private:
  size_t left_;
  static inline thread_local JsonAllocationBudget* current_ = nullptr;
};

// RapidJSON's Allocator concept over std::malloc, as rapidjson::CrtAllocator,
// except that a failed allocation throws instead of returning null.
class JsonCrtAllocator {
 public:
  static const bool kNeedFree = true;
  void* Malloc(size_t size) {
    if (size == 0) return nullptr;  // as CrtAllocator: malloc(0) is implementation-defined
    JsonAllocationBudget::Charge(size);
    void* p = std::malloc(size);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void* Realloc(void* original, size_t original_size, size_t new_size) {
    if (new_size == 0) {
      std::free(original);
      return nullptr;
    }
    if (new_size > original_size) JsonAllocationBudget::Charge(new_size - original_size);
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
