#include "evaluator/decision/decision.h"

#include <algorithm>
#include <cstring>

namespace aimsgate {

namespace {

// memcpy for the short strings of a resource's identity: up to 16 bytes with two
// overlapping word moves, inline; memcpy beyond.
inline void CopyBytes(char* to, const char* from, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, from, 8);
    std::memcpy(&b, from + n - 8, 8);
    std::memcpy(to, &a, 8);
    std::memcpy(to + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, from, 4);
    std::memcpy(&b, from + n - 4, 4);
    std::memcpy(to, &a, 4);
    std::memcpy(to + n - 4, &b, 4);
  } else if (n > 16) {
    std::memcpy(to, from, n);
  } else {
    for (size_t i = 0; i < n; ++i) to[i] = from[i];
  }
}

}  // namespace

void ResourceRef::Assign(const Fields& f) {
  const size_t total = f.api_version.size() + f.kind.size() + f.namespace_.size() + f.name.size() +
                       f.source.size() + f.system_id.size() + f.uid.size() + f.controller_uid.size() +
                       f.owner.size() + f.risk_tier.size();
  // The offsets are 32-bit: past 4 GiB in all (no manifest gets there) the
  // fields are cut rather than wrapped.
  constexpr size_t kMaxText = UINT32_MAX;
  if (total > kMaxText) {
    Fields cut = f;
    size_t room = kMaxText;
    for (std::string_view Fields::*field : {&Fields::api_version, &Fields::kind, &Fields::namespace_, &Fields::name,
                                            &Fields::source, &Fields::system_id, &Fields::uid, &Fields::controller_uid,
                                            &Fields::owner, &Fields::risk_tier}) {
      std::string_view& s = cut.*field;
      s = s.substr(0, std::min(s.size(), room));
      room -= s.size();
    }
    Assign(cut);
    return;
  }
  // Filled in a fresh buffer (`f` may view this ref's own text): on the stack,
  // then moved in place, when it fits.
  char scratch[kInline];
  std::unique_ptr<char[]> heap;
  char* text = scratch;
  if (total > kInline) {
    heap.reset(new char[total]);
    text = heap.get();
  }
  uint32_t at = 0;
  size_t i = 0;
  auto put = [&](std::string_view s) {
    offsets_[i++] = at;
    CopyBytes(text + at, s.data(), s.size());
    at += static_cast<uint32_t>(s.size());
  };
  // In the order of Field.
  put(f.api_version);
  put(f.kind);
  put(f.namespace_);
  put(f.name);
  put(f.source);
  put(f.system_id);
  put(f.uid);
  put(f.controller_uid);
  put(f.owner);
  put(f.risk_tier);
  offsets_[kFields] = at;
  if (!heap) std::memcpy(inline_, scratch, at);
  heap_ = std::move(heap);
}

void ResourceRef::CopyTextFrom(const ResourceRef& o) {
  offsets_ = o.offsets_;
  if (o.heap_) {
    heap_.reset(new char[size()]);
    std::memcpy(heap_.get(), o.heap_.get(), size());
  } else {
    heap_.reset();
    std::memcpy(inline_, o.inline_, size());
  }
}

ResourceRef::Fields ResourceRef::fields() const {
  Fields f;
  f.api_version = api_version();
  f.kind = kind();
  f.namespace_ = namespace_();
  f.name = name();
  f.source = source();
  f.system_id = system_id();
  f.uid = uid();
  f.controller_uid = controller_uid();
  f.owner = owner();
  f.risk_tier = risk_tier();
  return f;
}

void ResourceRef::Set(std::string_view Fields::*field, std::string_view v) {
  Fields f = fields();
  f.*field = v;
  Assign(f);
}

const char* ToString(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
    case Outcome::kError: return "error";
    case Outcome::kWaived: return "waived";
  }
  return "?";
}

const char* ToString(Action a) {
  switch (a) {
    case Action::kDeny: return "deny";
    case Action::kWarn: return "warn";
    case Action::kAudit: return "audit";
  }
  return "?";
}

const char* ToString(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

const char* ToString(Verdict v) {
  switch (v) {
    case Verdict::kAllow: return "allow";
    case Verdict::kAudit: return "audit";
    case Verdict::kWarn: return "warn";
    case Verdict::kDeny: return "deny";
  }
  return "?";
}

bool ParseVerdict(std::string_view text, Verdict* out) {
  for (Verdict v : {Verdict::kAllow, Verdict::kAudit, Verdict::kWarn, Verdict::kDeny}) {
    if (text == ToString(v)) {
      *out = v;
      return true;
    }
  }
  return false;
}

const char* ToString(EnforcementMode m) {
  switch (m) {
    case EnforcementMode::kEnforce: return "enforce";
    case EnforcementMode::kWarn: return "warn";
    case EnforcementMode::kAudit: return "audit";
  }
  return "?";
}

namespace {

bool ParseMode(std::string_view text, EnforcementMode* out) {
  if (text == "enforce") *out = EnforcementMode::kEnforce;
  else if (text == "warn") *out = EnforcementMode::kWarn;
  else if (text == "audit") *out = EnforcementMode::kAudit;
  else return false;
  return true;
}

}  // namespace

bool Enforcement::Add(std::string_view spec, std::string* error) {
  size_t eq = spec.find('=');
  EnforcementMode m;
  if (eq == std::string_view::npos) {
    if (!ParseMode(spec, &m)) {
      *error = "--enforcement '" + std::string(spec) + "': expected enforce, warn, audit or PACK=MODE";
      return false;
    }
    mode = m;
    return true;
  }
  if (eq == 0 || !ParseMode(spec.substr(eq + 1), &m)) {
    *error = "--enforcement '" + std::string(spec) + "': expected PACK=enforce|warn|audit";
    return false;
  }
  per_pack[std::string(spec.substr(0, eq))] = m;
  return true;
}

EnforcementMode Enforcement::For(const std::string& pack) const {
  auto it = per_pack.find(pack);
  return it == per_pack.end() ? mode : it->second;
}

Action Enforcement::Apply(Action declared, const std::string& pack) const {
  if (declared != Action::kDeny) return declared;
  switch (For(pack)) {
    case EnforcementMode::kEnforce: return Action::kDeny;
    case EnforcementMode::kWarn: return Action::kWarn;
    case EnforcementMode::kAudit: return Action::kAudit;
  }
  return declared;
}

Effect EffectOf(const RuleResult& r) {
  if (r.result == Outcome::kFail) {
    switch (r.action) {
      case Action::kDeny: return Effect::kDeny;
      case Action::kWarn: return Effect::kWarn;
      case Action::kAudit: return Effect::kAudit;
    }
  }
  if (r.result == Outcome::kError) {
    if (r.action == Action::kDeny && r.failure_policy_fail()) return Effect::kDeny;
    if (r.action == Action::kAudit) return Effect::kAudit;
    return Effect::kWarn;  // Ignore, or a warn rule: allowed, and said so
  }
  return Effect::kNone;
}

void Settle(Decision* d) {
  Effect strongest = Effect::kNone;
  bool warns = false;
  for (const RuleResult& r : d->results) {
    if (r.result == Outcome::kPass) continue;  // most results, and no effect
    Effect e = EffectOf(r);
    warns |= e == Effect::kWarn;
    if (static_cast<int>(e) > static_cast<int>(strongest)) strongest = e;
  }
  d->has_warnings = warns;
  switch (strongest) {
    case Effect::kNone: d->verdict = Verdict::kAllow; break;
    case Effect::kAudit: d->verdict = Verdict::kAudit; break;
    case Effect::kWarn: d->verdict = Verdict::kWarn; break;
    case Effect::kDeny: d->verdict = Verdict::kDeny; break;
  }
}

}  // namespace aimsgate
