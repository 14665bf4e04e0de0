// The answers of constant-pattern matches (`s.matches('...')`, and a constant
// pattern list folded into one RE2::Set) on short subjects, remembered across
// the evaluations of one EvalState.  The same subjects come back again and again:
// every Pod of a Deployment names the same images, a repository's manifests the
// same registries and owner addresses.  An RE2 match on a 90-byte image costs
// about 1,800 instructions, most of it RE2's fixed cost per call; a hit here
// costs a hash of the subject and a comparison.
//
//   MatchMemo memo;                                // one per EvalState (per thread)
//   const uint64_t id = MatchMemo::NewMatcherId();  // one per constant pattern, at plan time
//   size_t slot;
//   int known = memo.Find(id, subject, &slot);     // 1 matched, 0 did not, -1 not known
//   if (known < 0) memo.Store(slot, id, subject, re.Match(...));
//
// Only the time changes: the caller charges the match's cost either way, so
// results, errors and costs are the same with or without the memo.
// Bounded (64 KiB): kSlots direct-mapped slots of at most kMaxSubject bytes (a longer
// subject is not kept), allocated at the first Store; a slot is overwritten by
// the next subject that hashes to it.  Ids are never reused, so a slot cannot
// answer for a pattern freed by a pack reload and another compiled at its address.
// Thread-safety: none (an EvalState is used by one thread at a time);
// NewMatcherId is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace aimsgate::cel::internal {

class MatchMemo {
 public:
  static constexpr size_t kSlots = 256;
  // Room for a digest-pinned image reference (registry/path:tag@sha256:<64 hex>,
  // 71 bytes of digest alone): at 118 bytes, one image in five of the bench
  // corpus, and many a real registry path, went to RE2 every time.
  static constexpr size_t kMaxSubject = 246;  // a slot is 256 bytes

  static uint64_t NewMatcherId();

  // 1: matched, 0: did not, -1: not known; *slot is where Store keeps the answer
  // (the subject is hashed once for both).
  int Find(uint64_t id, std::string_view subject, size_t* slot) const {
    if (subject.size() > kMaxSubject) return -1;
    *slot = Index(id, subject);
    if (!slots_) return -1;
    const Slot& s = slots_[*slot];
    if (s.id != id || s.size != subject.size()) return -1;
    // (An empty view may have no data pointer, which memcmp must not be given.)
    if (!subject.empty() && std::memcmp(s.bytes, subject.data(), subject.size()) != 0) return -1;
    return s.matched;
  }
  // After a Find that returned -1 for the same id and subject.
  void Store(size_t slot, uint64_t id, std::string_view subject, bool matched) {
    if (subject.size() > kMaxSubject) return;
    if (!slots_) slots_.reset(new Slot[kSlots]);  // not value-initialized: the empty id is enough
    Slot& s = slots_[slot];
    s.id = id;
    s.size = static_cast<uint8_t>(subject.size());
    s.matched = matched;
    if (!subject.empty()) std::memcpy(s.bytes, subject.data(), subject.size());
  }
  int Find(uint64_t id, std::string_view subject) const {
    size_t slot = 0;
    return Find(id, subject, &slot);
  }
  void Store(uint64_t id, std::string_view subject, bool matched) {
    if (subject.size() <= kMaxSubject) Store(Index(id, subject), id, subject, matched);
  }

 private:
  struct Slot {
    uint64_t id = 0;  // 0: empty (ids start at 1)
    uint8_t size = 0;
    bool matched = false;
    char bytes[kMaxSubject];
  };
  static_assert(sizeof(Slot) == 256);

  // Every byte of the subject counts: image names often share their registry
  // prefix and their digest suffix, and differ in the middle.
  static size_t Index(uint64_t id, std::string_view subject) {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
    const char* p = subject.data();
    const size_t n = subject.size();
    uint64_t h = (id * kMul) ^ n;
    auto mix = [&h](uint64_t w) {
      h = (h ^ w) * kMul;
      h ^= h >> 29;
    };
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix(w);
    }
    if (i < n) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, n - i);
      mix(w);
    }
    return static_cast<size_t>(h >> 56) % kSlots;
  }

  std::unique_ptr<Slot[]> slots_;
};

}  // namespace aimsgate::cel::internal
