// YAML: libyaml's event parser straight into rapidjson Documents, one pass, no
// intermediate tree, pulled one document at a time; libyaml reads the text through
// an input handler from a TextInput (blocks), which also runs the flow-depth
// pre-scan and the per-document byte budget. The frame stack makes it iterative
// (no recursion on input depth); the depth limit bounds what later passes recurse over.
#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/flow_depth.h"
#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/scalar.h"

namespace aimsgate::manifest::internal {
namespace {

using Value = aimsgate::JsonValue;

Position MarkPosition(const yaml_mark_t& m) {
  return Position{static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

class YamlLoader : public Parser {
 public:
  YamlLoader(TextInput* input, std::string_view source, const Limits& limits, bool scan_flow_depth)
      : input_(input), source_(source), limits_(Effective(limits)), flow_(limits_.max_depth),
        scan_flow_(scan_flow_depth) {
    frames_.reserve(static_cast<size_t>(std::clamp(limits_.max_depth, 0, 1024)) + 2);
    ready_ = yaml_parser_initialize(&parser_) != 0;
    if (ready_) yaml_parser_set_input(&parser_, &YamlLoader::ReadHandler, this);
  }
  ~YamlLoader() override {
    if (ready_) yaml_parser_delete(&parser_);
  }
  YamlLoader(const YamlLoader&) = delete;
  YamlLoader& operator=(const YamlLoader&) = delete;

  bool Step(Queue* out) override {
    out_ = out;
    if (!ready_) {
      if (!done_) out_->Push(MakeError(source_, Position{}, "cannot initialise the YAML parser"));
      done_ = true;
    }
    while (!done_ && out_->empty()) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser_, &event)) {
        ReportParserError(parser_);
        done_ = true;
        break;
      }
      bool end = event.type == YAML_STREAM_END_EVENT;
      bool keep_going = Handle(event);
      yaml_event_delete(&event);
      if (end || !keep_going) done_ = true;
    }
    return !done_;
  }

 private:
  struct Frame {
    Value value;
    Value key;
    bool is_map = false;
    bool have_key = false;
    bool key_is_merge = false;
    uint32_t depth_below = 0;  // depth of the deepest child (scalar = 0)
    size_t nodes_at_start = 0;
    uint64_t text_at_start = 0;
    size_t merge_begin = 0;  // this frame's merge sources: merges_[merge_begin..]
    std::string anchor;
    Position pos;
    Position merge_pos;
  };
  struct Anchor {
    std::string name;
    Value value;
    size_t nodes;
    uint32_t depth;
    uint64_t text;  // scalar and key bytes an alias to it copies
  };
  struct MergeSource {
    Value value;
    Position pos;
  };

  static int ReadHandler(void* data, unsigned char* buffer, size_t size, size_t* size_read) {
    return static_cast<YamlLoader*>(data)->Read(buffer, size, size_read);
  }

  // Hands libyaml the next bytes. Returns 0 (a libyaml reader error, which
  // ReportParserError replaces by input_error_) at a bad byte, at an excessive
  // flow nesting, or when the current document outgrows max_object_bytes.
  int Read(unsigned char* buffer, size_t size, size_t* size_read) {
    *size_read = 0;
    if (!input_error_.empty()) return 0;
    if (pending_.empty()) {
      pending_ = input_->Next();
      if (scan_flow_) {
        size_t at = pending_.empty() ? flow_.Finish() : flow_.Feed(pending_);
        if (at != std::string_view::npos) {
          uint64_t base = input_->offset() - pending_.size();
          flow_error_at_ = at;
          pending_ = pending_.substr(0, at >= base ? static_cast<size_t>(at - base) : 0);
          flow_error_pos_ = input_->PositionAt(at);
          flow_error_ = true;
        }
      }
      if (pending_.empty()) {
        if (flow_error_) {
          input_error_pos_ = flow_error_pos_;
          input_error_ = "nesting depth limit exceeded: more than " + std::to_string(limits_.max_depth) + " levels";
          return 0;
        }
        if (input_->failed()) {
          input_error_pos_ = input_->error_position();
          input_error_ = input_->error();
          return 0;
        }
        return 1;  // the end
      }
    }
    const uint64_t max = limits_.max_object_bytes;
    if (max != 0 && max != std::numeric_limits<size_t>::max() && delivered_ - boundary_delivered_ > max) {
      input_error_pos_ = boundary_pos_;
      input_error_ = "document larger than the limit of " + std::to_string(max) + " bytes";
      return 0;
    }
    size_t n = std::min(size, pending_.size());
    std::memcpy(buffer, pending_.data(), n);
    pending_.remove_prefix(n);
    delivered_ += n;
    *size_read = n;
    return 1;
  }

  // A document that fitted in the blocks read so far is measured at its end
  // (libyaml counts characters, at most its bytes; Read catches the rest).
  bool OverObjectBytes(size_t characters) const {
    const uint64_t max = limits_.max_object_bytes;
    return max != 0 && max != std::numeric_limits<size_t>::max() && characters > max;
  }

  // A document starts or ends: the byte budget counts from here.
  void Boundary(Position pos) {
    boundary_delivered_ = delivered_;
    boundary_pos_ = pos;
  }

  aimsgate::JsonPool& alloc() { return doc_->doc.GetAllocator(); }
  bool Suppressed() const { return suppress_frame_ >= 0; }

  void PushEntry(Position p, bool whole = false) {
    if (!Suppressed()) entries_.push_back(MakeEntry(p, whole));
  }

  void ReportParserError(const yaml_parser_t& p) {
    if (!input_error_.empty()) {
      out_->Push(MakeError(source_, input_error_pos_, input_error_));
      return;
    }
    if (!input_->pending_error().empty()) {
      // Binary content: libyaml stumbled on a control byte just before the NUL
      // or invalid UTF-8 the text check found; that one says what the file is.
      out_->Push(MakeError(source_, input_->pending_error_position(), input_->pending_error()));
      return;
    }
    std::string msg = p.problem != nullptr ? p.problem : "invalid YAML";
    Position pos;
    if (p.error == YAML_READER_ERROR) {
      pos = input_->PositionAt(p.problem_offset);
    } else {
      pos = MarkPosition(p.problem_mark);
    }
    if (p.context != nullptr) {
      Position cp = MarkPosition(p.context_mark);
      msg += " (" + std::string(p.context) + " at line " + std::to_string(cp.line) + ", column " +
             std::to_string(cp.column) + ")";
    }
    out_->Push(MakeError(source_, pos, std::move(msg)));
  }

  // A per-document error: the document is dropped, the stream goes on.
  void FailDocument(Position p, std::string msg) {
    out_->Push(MakeError(source_, p, std::move(msg)));
    skipping_ = true;
  }
  // A per-file error: the stream stops here.
  bool FailFile(Position p, std::string msg) {
    out_->Push(MakeError(source_, p, std::move(msg)));
    return false;
  }

  // Text of the document as loaded, aliases expanded: a few aliases to a long string copy
  // it as many times (`l: [*b, *b, ...]`), past any count of nodes, so the copies count
  // against the document's byte budget as the text they repeat did.  Checked at aliases
  // only: a document without them is measured by its bytes, with its own message.
  void CountText(uint64_t n) { text_ += n; }
  bool CountAliasText(uint64_t n, Position p) {
    text_ += n;
    const uint64_t max = limits_.max_expanded_bytes != 0 ? limits_.max_expanded_bytes : limits_.max_object_bytes;
    if (max != 0 && max != std::numeric_limits<size_t>::max() && text_ > max) {
      return FailFile(p, "document larger than the limit of " + std::to_string(max) +
                             " bytes once its aliases are expanded");
    }
    return true;
  }

  bool CountNodes(size_t n, Position p) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      return FailFile(p, "node limit exceeded: more than " + std::to_string(limits_.max_nodes) +
                             " nodes in one document");
    }
    return true;
  }

  void StartDocument() {
    doc_ = std::make_shared<LoadedDocument>();
    entries_.clear();
    frames_.clear();
    anchors_.clear();
    merges_.clear();
    suppress_frame_ = -1;
    skipping_ = false;
    nodes_ = 0;
    text_ = 0;
  }

  bool Handle(const yaml_event_t& ev) {
    Position pos = MarkPosition(ev.start_mark);
    switch (ev.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > limits_.max_documents) {
          return FailFile(pos, "document limit exceeded: more than " +
                                   std::to_string(limits_.max_documents) + " documents");
        }
        StartDocument();
        Boundary(pos);
        document_start_index_ = ev.start_mark.index;
        return true;
      case YAML_DOCUMENT_END_EVENT:
        if (OverObjectBytes(ev.end_mark.index - document_start_index_)) {
          return FailFile(boundary_pos_, "document larger than the limit of " +
                                             std::to_string(limits_.max_object_bytes) + " bytes");
        }
        if (!skipping_ && doc_ != nullptr) {
          FinishDocument(std::move(doc_), entries_, static_cast<int>(documents_ - 1), source_, limits_, out_);
        }
        doc_.reset();
        Boundary(MarkPosition(ev.end_mark));
        return true;
      case YAML_STREAM_START_EVENT:
      case YAML_STREAM_END_EVENT:
      case YAML_NO_EVENT:
        return true;
      default:
        break;
    }
    if (skipping_ || doc_ == nullptr) return true;
    switch (ev.type) {
      case YAML_SCALAR_EVENT:
        return OnScalar(ev, pos);
      case YAML_ALIAS_EVENT:
        return OnAlias(ev, pos);
      case YAML_SEQUENCE_START_EVENT:
        return OnStart(false, ev.data.sequence_start.anchor, pos);
      case YAML_MAPPING_START_EVENT:
        return OnStart(true, ev.data.mapping_start.anchor, pos);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return OnEnd(pos);
      default:
        return true;
    }
  }

  bool ExpectingKey() const {
    return !frames_.empty() && frames_.back().is_map && !frames_.back().have_key;
  }

  // Types a scalar event; false (document failed) on a bad explicit tag.
  bool Resolve(const yaml_event_t& ev, std::string_view text, Position pos, ScalarValue* v) {
    const auto& s = ev.data.scalar;
    if (s.tag == nullptr) {
      if (s.plain_implicit) {
        ResolvePlain(text, v);
      } else {
        v->kind = ScalarValue::kString;
      }
      return true;
    }
    std::string err;
    if (!ResolveTagged(reinterpret_cast<const char*>(s.tag), text, v, &err)) {
      FailDocument(pos, err);
      return false;
    }
    return true;
  }

  void SetValue(const ScalarValue& sv, std::string_view text, Value* out) {
    switch (sv.kind) {
      case ScalarValue::kNull: out->SetNull(); break;
      case ScalarValue::kBool: out->SetBool(sv.b); break;
      case ScalarValue::kInt: out->SetInt64(sv.i); break;
      case ScalarValue::kUint: out->SetUint64(sv.u); break;
      case ScalarValue::kFloat: out->SetDouble(sv.d); break;
      case ScalarValue::kString:
        out->SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc());
        break;
    }
  }

  bool SetKey(const ScalarValue& sv, std::string_view text, Position pos) {
    Frame& f = frames_.back();
    if (sv.kind == ScalarValue::kString) {
      f.key.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc());
    } else if (!KeyString(sv, text, &key_buf_)) {
      FailDocument(pos, "null mapping key is not supported (Kubernetes objects have string keys)");
      return false;
    } else {
      f.key.SetString(key_buf_.data(), static_cast<rapidjson::SizeType>(key_buf_.size()), alloc());
    }
    f.have_key = true;
    f.key_is_merge = false;
    PushEntry(pos);
    return true;
  }

  bool OnScalar(const yaml_event_t& ev, Position pos) {
    const auto& s = ev.data.scalar;
    std::string_view text(reinterpret_cast<const char*>(s.value), s.length);
    if (!CountNodes(1, pos)) return false;
    CountText(text.size());
    if (text.size() > limits_.max_string_bytes) {
      FailDocument(pos, "string of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                            std::to_string(limits_.max_string_bytes) + " bytes");
      return true;
    }
    if (ExpectingKey()) {
      // go-yaml's isMerge: a plain untagged `<<`, or any `<<` tagged !!merge.
      bool merge_tag = s.tag != nullptr &&
                       std::string_view(reinterpret_cast<const char*>(s.tag)) ==
                           "tag:yaml.org,2002:merge";
      if (text == "<<" && ((s.tag == nullptr && s.plain_implicit) || merge_tag)) {
        BeginMerge(pos);
        return true;
      }
      ScalarValue sv;
      if (!Resolve(ev, text, pos, &sv)) return true;
      SetKey(sv, text, pos);
      if (s.anchor != nullptr) RecordScalarAnchor(s.anchor, sv, text);
      return true;
    }
    ScalarValue sv;
    if (!Resolve(ev, text, pos, &sv)) return true;
    PushEntry(pos);
    Value v;
    SetValue(sv, text, &v);
    if (s.anchor != nullptr) RecordAnchor(reinterpret_cast<const char*>(s.anchor), v, 1, 0, text.size());
    Deliver(std::move(v), 0, pos);
    return true;
  }

  void RecordScalarAnchor(const yaml_char_t* name, const ScalarValue& sv, std::string_view text) {
    Value v;
    SetValue(sv, text, &v);
    RecordAnchor(reinterpret_cast<const char*>(name), v, 1, 0, text.size());
  }

  void RecordAnchor(const char* name, const Value& v, size_t nodes, uint32_t depth, uint64_t text) {
    Anchor a{name, Value(v, alloc()), nodes, depth, text};
    anchors_.push_back(std::move(a));
  }

  void BeginMerge(Position pos) {
    Frame& f = frames_.back();
    f.have_key = true;
    f.key_is_merge = true;
    f.merge_pos = pos;
    if (suppress_frame_ < 0) suppress_frame_ = static_cast<int>(frames_.size()) - 1;
  }

  bool OnAlias(const yaml_event_t& ev, Position pos) {
    const char* name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    const Anchor* a = nullptr;
    for (auto it = anchors_.rbegin(); it != anchors_.rend(); ++it) {
      if (it->name == name) {
        a = &*it;
        break;
      }
    }
    if (a == nullptr) {
      FailDocument(pos, "unknown anchor '" + std::string(name) + "' referenced");
      return true;
    }
    alias_nodes_ += a->nodes;
    if (alias_nodes_ > limits_.max_alias_nodes) {
      return FailFile(pos, "alias expansion limit exceeded: more than " +
                               std::to_string(limits_.max_alias_nodes) +
                               " nodes produced by aliases");
    }
    if (!CountNodes(a->nodes, pos) || !CountAliasText(a->text, pos)) return false;
    if (frames_.size() + a->depth > static_cast<size_t>(limits_.max_depth)) {
      FailDocument(pos, "nesting depth limit exceeded: more than " +
                            std::to_string(limits_.max_depth) + " levels (through alias *" +
                            name + ")");
      return true;
    }
    if (ExpectingKey()) {
      const Value& v = a->value;
      if (v.IsObject() || v.IsArray()) {
        FailDocument(pos, "alias *" + std::string(name) + " to a collection used as a mapping key");
        return true;
      }
      ScalarValue sv;
      std::string_view text;
      if (v.IsString()) {
        text = std::string_view(v.GetString(), v.GetStringLength());
        sv.kind = ScalarValue::kString;
      } else if (v.IsBool()) {
        sv.kind = ScalarValue::kBool;
        sv.b = v.GetBool();
      } else if (v.IsInt64()) {
        sv.kind = ScalarValue::kInt;
        sv.i = v.GetInt64();
      } else if (v.IsUint64()) {
        sv.kind = ScalarValue::kUint;
        sv.u = v.GetUint64();
      } else if (v.IsNumber()) {
        sv.kind = ScalarValue::kFloat;
        sv.d = v.GetDouble();
      } else {
        sv.kind = ScalarValue::kNull;
      }
      SetKey(sv, text, pos);
      return true;
    }
    PushEntry(pos, /*whole=*/true);
    Value copy(a->value, alloc());
    Deliver(std::move(copy), a->depth, pos);
    return true;
  }

  bool OnStart(bool is_map, const yaml_char_t* anchor, Position pos) {
    if (!CountNodes(1, pos)) return false;
    if (ExpectingKey()) {
      FailDocument(pos, "a mapping or sequence used as a mapping key is not supported");
      return true;
    }
    if (frames_.size() + 1 > static_cast<size_t>(limits_.max_depth)) {
      FailDocument(pos, "nesting depth limit exceeded: more than " +
                            std::to_string(limits_.max_depth) + " levels");
      return true;
    }
    PushEntry(pos);
    frames_.emplace_back();
    Frame& f = frames_.back();
    f.is_map = is_map;
    if (is_map) {
      f.value.SetObject();
    } else {
      f.value.SetArray();
    }
    f.nodes_at_start = nodes_;
    f.text_at_start = text_;
    f.merge_begin = merges_.size();
    if (anchor != nullptr) f.anchor = reinterpret_cast<const char*>(anchor);
    f.pos = pos;
    return true;
  }

  bool OnEnd(Position pos) {
    if (frames_.empty()) return true;
    Frame& f = frames_.back();
    if (f.is_map && f.merge_begin < merges_.size()) ApplyMerges(&f);
    Value v(std::move(f.value));
    uint32_t depth = f.depth_below + 1;
    if (!f.anchor.empty()) {
      RecordAnchor(f.anchor.c_str(), v, nodes_ - f.nodes_at_start + 1, depth, text_ - f.text_at_start);
    }
    frames_.pop_back();
    Deliver(std::move(v), depth, pos);
    return true;
  }

  // Adds merged members the mapping does not already have; explicit keys win,
  // earlier sources win over later ones.
  // Linear: one hash set of the keys present (FindMember per merged key would make a
  // 40,000-key merge into a 40,000-key mapping quadratic).
  void ApplyMerges(Frame* f) {
    std::unordered_set<std::string> present;
    present.reserve(f->value.MemberCount());
    for (const auto& member : f->value.GetObject()) {
      present.emplace(member.name.GetString(), member.name.GetStringLength());
    }
    for (size_t s = f->merge_begin; s < merges_.size(); ++s) {
      Value& src = merges_[s].value;
      Position mpos = merges_[s].pos;
      auto merge_one = [&](Value& m) {
        for (auto& member : m.GetObject()) {
          if (!present.emplace(member.name.GetString(), member.name.GetStringLength()).second) continue;
          PushEntry(mpos, true);  // the member name
          PushEntry(mpos, true);  // its value
          f->value.AddMember(member.name, member.value, alloc());
        }
      };
      if (src.IsObject()) {
        merge_one(src);
      } else {
        for (Value& m : src.GetArray()) merge_one(m);
      }
    }
    merges_.resize(f->merge_begin);
  }

  void Deliver(Value&& v, uint32_t depth, Position pos) {
    if (frames_.empty()) {
      static_cast<Value&>(doc_->doc) = std::move(v);
      return;
    }
    Frame& f = frames_.back();
    f.depth_below = std::max(f.depth_below, depth);
    if (!f.is_map) {
      f.value.PushBack(v, alloc());
      return;
    }
    if (f.key_is_merge) {
      if (suppress_frame_ == static_cast<int>(frames_.size()) - 1) suppress_frame_ = -1;
      f.have_key = false;
      f.key_is_merge = false;
      bool ok = v.IsObject();
      if (v.IsArray()) {
        ok = true;
        for (const Value& m : v.GetArray()) ok = ok && m.IsObject();
      }
      if (!ok) {
        FailDocument(f.merge_pos,
                     "merge key << needs a mapping or a sequence of mappings");
        return;
      }
      // The walk after the document never sees a merge source as such: check its
      // keys here (keys that the mapping already has are legitimately shadowed).
      auto has_duplicate = [this, &f](const Value& m) {
        names_.clear();
        for (const auto& member : m.GetObject()) {
          names_.emplace_back(member.name.GetString(), member.name.GetStringLength());
        }
        std::sort(names_.begin(), names_.end());
        auto dup = std::adjacent_find(names_.begin(), names_.end());
        if (dup == names_.end()) return false;
        FailDocument(f.merge_pos, "duplicate key \"" + std::string(*dup) + "\" in a mapping merged by <<");
        return true;
      };
      if (v.IsObject() ? has_duplicate(v) : false) return;
      merges_.push_back(MergeSource{std::move(v), f.merge_pos});
      return;
    }
    f.value.AddMember(f.key, v, alloc());
    f.have_key = false;
    (void)pos;
  }

  TextInput* input_;
  std::string source_;
  Limits limits_;
  FlowDepthScanner flow_;
  bool scan_flow_;
  Queue* out_ = nullptr;
  yaml_parser_t parser_;
  bool ready_ = false;
  bool done_ = false;
  std::string_view pending_;  // of the current block, not yet given to libyaml
  uint64_t delivered_ = 0;
  uint64_t boundary_delivered_ = 0;
  size_t document_start_index_ = 0;
  Position boundary_pos_{1, 1};
  bool flow_error_ = false;
  uint64_t flow_error_at_ = 0;
  Position flow_error_pos_;
  std::string input_error_;
  Position input_error_pos_;

  std::shared_ptr<LoadedDocument> doc_;
  std::vector<Entry> entries_;
  std::vector<Frame> frames_;
  std::vector<Anchor> anchors_;
  std::vector<MergeSource> merges_;
  std::string key_buf_;
  std::vector<std::string_view> names_;  // scratch for merge-source key checks
  int suppress_frame_ = -1;
  bool skipping_ = false;
  size_t documents_ = 0;
  size_t nodes_ = 0;
  size_t alias_nodes_ = 0;
  uint64_t text_ = 0;  // this document's (CountText)
};

}  // namespace

std::unique_ptr<Parser> NewYamlParser(TextInput* input, std::string_view source, const Limits& limits,
                                      bool scan_flow_depth) {
  return std::make_unique<YamlLoader>(input, source, limits, scan_flow_depth);
}

}  // namespace aimsgate::manifest::internal
