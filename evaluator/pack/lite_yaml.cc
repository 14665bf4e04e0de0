#include "evaluator/pack/lite_yaml.h"

#include <yaml.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace aimsgate {

namespace {

const std::string kEmpty;
const std::string kPlainTag = "?";
const std::string kNonPlainTag = "!";

bool IsNullString(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// libyaml's marks count characters; yaml-cpp's count bytes.  Converts with the
// offsets of the lines' starts.
class Marks {
 public:
  // `ascii`: every byte of `text` is below 0x80, so characters are bytes.
  Marks(std::string_view text, bool ascii) : text_(text), ascii_(ascii) {
    starts_.reserve(text.size() / 32 + 1);
    starts_.push_back(0);
    for (const char* p = text.data(), *end = p + text.size();
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) != nullptr; ++p) {
      starts_.push_back(static_cast<size_t>(p - text.data()) + 1);
    }
  }
  bool Convert(const yaml_mark_t& m, YAML::Mark* out) const {
    if (m.line >= starts_.size()) return false;
    size_t pos = starts_[m.line];
    if (ascii_) {
      // As the loop below would: at most the end of the text.
      if (m.column > text_.size() - pos) return false;
      pos += m.column;
      out->pos = static_cast<int>(pos);
      out->line = static_cast<int>(m.line);
      out->column = static_cast<int>(m.column);
      return true;
    }
    for (size_t c = 0; c < m.column; ++c) {
      if (pos >= text_.size()) return false;
      ++pos;
      while (pos < text_.size() && (static_cast<unsigned char>(text_[pos]) & 0xC0) == 0x80) ++pos;
    }
    out->pos = static_cast<int>(pos);
    out->line = static_cast<int>(m.line);
    out->column = static_cast<int>(pos - starts_[m.line]);
    return true;
  }

 private:
  std::string_view text_;
  bool ascii_;
  std::vector<size_t> starts_;
};

// Line breaks other than '\n' (libyaml also breaks on \r, U+0085, U+2028 and
// U+2029) and a byte-order mark would make the two parsers' marks differ.
// *ascii: no byte of `text` is 0x80 or above.
bool OnlyNewlineBreaks(std::string_view text, bool* ascii) {
  *ascii = true;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80 && c != '\r') continue;
    if (c >= 0x80) *ascii = false;
    if (c == '\r') return false;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x85) return false;
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      return false;
    }
  }
  return true;
}

}  // namespace

YAML::NodeType::value LiteNode::Type() const {
  return index_ < 0 ? YAML::NodeType::Undefined : tree_->nodes_[index_].type;
}

const std::string& LiteNode::Scalar() const { return IsScalar() ? tree_->nodes_[index_].scalar : kEmpty; }

const std::string& LiteNode::Tag() const {
  if (index_ < 0) return kEmpty;
  const LiteTree::Node& n = tree_->nodes_[index_];
  return n.type == YAML::NodeType::Scalar && !n.plain ? kNonPlainTag : kPlainTag;
}

YAML::Mark LiteNode::Mark() const { return index_ < 0 ? YAML::Mark::null_mark() : tree_->nodes_[index_].mark; }

size_t LiteNode::size() const {
  if (index_ < 0) return 0;
  const LiteTree::Node& n = tree_->nodes_[index_];
  if (n.type == YAML::NodeType::Map) return n.children.size() / 2;
  if (n.type == YAML::NodeType::Sequence) return n.children.size();
  return 0;
}

LiteNode LiteNode::operator[](std::string_view key) const {
  if (index_ < 0) return {};
  const LiteTree::Node& n = tree_->nodes_[index_];
  if (n.type == YAML::NodeType::Scalar) throw LiteYamlUnsupported("operator[] on a scalar");
  if (n.type != YAML::NodeType::Map) return {};
  for (size_t i = 0; i + 1 < n.children.size(); i += 2) {
    const LiteTree::Node& k = tree_->nodes_[n.children[i]];
    if (k.type == YAML::NodeType::Scalar && k.scalar == key) return LiteNode(tree_, n.children[i + 1]);
  }
  return {};
}

LiteNode LiteNode::operator[](size_t i) const {
  if (index_ < 0) return {};
  const LiteTree::Node& n = tree_->nodes_[index_];
  if (n.type == YAML::NodeType::Scalar) throw LiteYamlUnsupported("operator[] on a scalar");
  if (n.type != YAML::NodeType::Sequence || i >= n.children.size()) return {};
  return LiteNode(tree_, n.children[i]);
}

LiteEntry LiteNode::Iterator::operator*() const {
  const LiteTree::Node& n = node_->tree_->nodes_[node_->index_];
  LiteEntry e;
  if (n.type == YAML::NodeType::Map) {
    e.first = LiteNode(node_->tree_, n.children[2 * i_]);
    e.second = LiteNode(node_->tree_, n.children[2 * i_ + 1]);
  } else {
    static_cast<LiteNode&>(e) = LiteNode(node_->tree_, n.children[i_]);
  }
  return e;
}

std::vector<LiteNode> LiteTree::documents() const {
  std::vector<LiteNode> out;
  for (int32_t d : documents_) out.emplace_back(this, d);
  return out;
}

bool ParseLiteYaml(std::string_view text, LiteTree* out) {
  out->nodes_.clear();
  out->documents_.clear();
  bool ascii = true;
  if (!OnlyNewlineBreaks(text, &ascii)) return false;
  const Marks marks(text, ascii);
  out->nodes_.reserve(text.size() / 16);
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return false;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  std::vector<int32_t> open;  // collections being filled
  bool ok = true, done = false;
  while (ok && !done) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      ok = false;
      break;
    }
    LiteTree::Node node;
    bool add = false;
    switch (event.type) {
      case YAML_STREAM_END_EVENT: done = true; break;
      case YAML_STREAM_START_EVENT:
      case YAML_DOCUMENT_START_EVENT:
      case YAML_DOCUMENT_END_EVENT:
        break;
      case YAML_ALIAS_EVENT: ok = false; break;
      case YAML_SCALAR_EVENT: {
        const auto& s = event.data.scalar;
        if (s.anchor || s.tag) {
          ok = false;
          break;
        }
        node.scalar.assign(reinterpret_cast<const char*>(s.value), s.length);
        node.plain = s.style == YAML_PLAIN_SCALAR_STYLE;
        node.type = node.plain && IsNullString(node.scalar) ? YAML::NodeType::Null : YAML::NodeType::Scalar;
        if (node.type == YAML::NodeType::Null) node.scalar.clear();
        add = true;
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
        if (event.data.sequence_start.anchor || event.data.sequence_start.tag) ok = false;
        node.type = YAML::NodeType::Sequence;
        add = ok;
        break;
      case YAML_MAPPING_START_EVENT:
        if (event.data.mapping_start.anchor || event.data.mapping_start.tag) ok = false;
        node.type = YAML::NodeType::Map;
        add = ok;
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (open.empty()) ok = false;
        else open.pop_back();
        break;
      default: ok = false; break;
    }
    if (add && !marks.Convert(event.start_mark, &node.mark)) ok = false;
    if (add && ok) {
      const auto index = static_cast<int32_t>(out->nodes_.size());
      const bool collection = node.type == YAML::NodeType::Sequence || node.type == YAML::NodeType::Map;
      if (open.empty()) {
        out->documents_.push_back(index);
      } else {
        LiteTree::Node& parent = out->nodes_[open.back()];
        // A map's key: a scalar, and not the merge key yaml-cpp does not merge.
        if (parent.type == YAML::NodeType::Map && parent.children.size() % 2 == 0 &&
            (node.type != YAML::NodeType::Scalar || (node.plain && std::string_view(node.scalar) == "<<"))) {
          ok = false;
        }
        parent.children.push_back(index);
      }
      out->nodes_.push_back(std::move(node));
      if (collection) open.push_back(index);
    }
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return ok && done && open.empty();
}

bool LiteTree::operator==(const LiteTree& other) const {
  if (documents_ != other.documents_ || nodes_.size() != other.nodes_.size()) return false;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& a = nodes_[i];
    const Node& b = other.nodes_[i];
    if (a.type != b.type || a.plain != b.plain || a.scalar != b.scalar || a.children != b.children ||
        a.mark.pos != b.mark.pos || a.mark.line != b.mark.line || a.mark.column != b.mark.column) {
      return false;
    }
  }
  return true;
}

namespace {

// The snapshot: "LiteTree1", the node count, then per node its type, plain flag,
// mark (pos, line, column), scalar (length, bytes) and children (count, indexes),
// then the document count and indexes.  Integers are 4 bytes, little-endian.
constexpr std::string_view kSnapshotMagic = "LiteTree1";

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view bytes) : bytes_(bytes) {}
  bool U32(uint32_t* v) {
    if (bytes_.size() - at_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes_[at_ + i])) << (8 * i);
    at_ += 4;
    return true;
  }
  bool I32(int* v) {
    uint32_t u;
    if (!U32(&u) || u > static_cast<uint32_t>(INT32_MAX)) return false;
    *v = static_cast<int>(u);
    return true;
  }
  bool Bytes(size_t n, std::string_view* v) {
    if (bytes_.size() - at_ < n) return false;
    *v = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  size_t left() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

}  // namespace

std::string WriteLiteTree(const LiteTree& tree) {
  std::string out(kSnapshotMagic);
  PutU32(&out, static_cast<uint32_t>(tree.nodes_.size()));
  for (const LiteTree::Node& n : tree.nodes_) {
    PutU32(&out, static_cast<uint32_t>(n.type));
    PutU32(&out, n.plain ? 1 : 0);
    PutU32(&out, static_cast<uint32_t>(n.mark.pos));
    PutU32(&out, static_cast<uint32_t>(n.mark.line));
    PutU32(&out, static_cast<uint32_t>(n.mark.column));
    PutU32(&out, static_cast<uint32_t>(n.scalar.size()));
    out += n.scalar;
    PutU32(&out, static_cast<uint32_t>(n.children.size()));
    for (int32_t c : n.children) PutU32(&out, static_cast<uint32_t>(c));
  }
  PutU32(&out, static_cast<uint32_t>(tree.documents_.size()));
  for (int32_t d : tree.documents_) PutU32(&out, static_cast<uint32_t>(d));
  return out;
}

bool ReadLiteTree(std::string_view bytes, LiteTree* out) {
  out->nodes_.clear();
  out->documents_.clear();
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) return false;
  SnapshotReader in(bytes.substr(kSnapshotMagic.size()));
  constexpr size_t kSmallestNode = 7 * 4;
  uint32_t count;
  if (!in.U32(&count) || count > in.left() / kSmallestNode) return false;
  out->nodes_.resize(count);
  // ParseLiteYaml adds a node before its children: a child's index is above its
  // parent's, so what reads back is a forest, never a cycle.
  for (uint32_t self = 0; self < count; ++self) {
    LiteTree::Node& n = out->nodes_[self];
    uint32_t type, plain, length, children;
    std::string_view scalar;
    if (!in.U32(&type) || !in.U32(&plain) || !in.I32(&n.mark.pos) || !in.I32(&n.mark.line) ||
        !in.I32(&n.mark.column) || !in.U32(&length) || !in.Bytes(length, &scalar) || !in.U32(&children) ||
        children > in.left() / 4 || plain > 1) {
      return false;
    }
    if (type != YAML::NodeType::Null && type != YAML::NodeType::Scalar && type != YAML::NodeType::Sequence &&
        type != YAML::NodeType::Map) {
      return false;
    }
    n.type = static_cast<YAML::NodeType::value>(type);
    n.plain = plain == 1;
    n.scalar.assign(scalar);
    n.children.resize(children);
    for (int32_t& c : n.children) {
      uint32_t i;
      if (!in.U32(&i) || i <= self || i >= count) return false;
      c = static_cast<int32_t>(i);
    }
  }
  uint32_t documents;
  if (!in.U32(&documents) || documents > in.left() / 4) return false;
  out->documents_.resize(documents);
  for (int32_t& d : out->documents_) {
    uint32_t i;
    if (!in.U32(&i) || i >= count) return false;
    d = static_cast<int32_t>(i);
  }
  return in.left() == 0;
}

}  // namespace aimsgate
