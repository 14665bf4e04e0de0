// A read-only YAML tree built with libyaml, shaped like the part of
// yaml-cpp's YAML::Node that pack_loader.cc reads: the built-in packs' fast
// path (pack_loader_fast.h).  yaml-cpp spent ~950 instructions per byte on the
// built-in pack, 40% of `check`'s start-up; libyaml spends a fifth of that.
//
//   LiteTree tree;
//   if (!ParseLiteYaml(text, &tree)) { /* use yaml-cpp: it has the diagnostics */ }
//   for (LiteNode doc : tree.documents()) { LiteNode kind = doc["kind"]; ... }
//
// It reproduces what yaml-cpp gives a pack without anchors, aliases, explicit
// tags, merge keys or non-'\n' line breaks: node types (plain ~, null, Null,
// NULL and empty are Null), scalar values, tags ("?" for plain scalars and
// collections, "!" for quoted and block scalars) and marks (byte offset, line
// and byte column, 0-based).  ParseLiteYaml refuses anything else, and on a
// YAML error; the caller then reads the text with yaml-cpp.  operator[] on a
// scalar throws LiteYamlUnsupported where yaml-cpp throws BadSubscript.
//
// Thread-compatible; a LiteNode borrows its LiteTree.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/type.h>

namespace aimsgate {

struct LiteYamlUnsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class LiteTree;
struct LiteEntry;

class LiteNode {
 public:
  LiteNode() = default;  // undefined, as a missing key's YAML::Node
  LiteNode(const LiteTree* tree, int32_t index) : tree_(tree), index_(index) {}

  explicit operator bool() const { return index_ >= 0; }
  YAML::NodeType::value Type() const;
  bool IsDefined() const { return index_ >= 0; }
  bool IsNull() const { return Type() == YAML::NodeType::Null; }
  bool IsScalar() const { return Type() == YAML::NodeType::Scalar; }
  bool IsSequence() const { return Type() == YAML::NodeType::Sequence; }
  bool IsMap() const { return Type() == YAML::NodeType::Map; }
  const std::string& Scalar() const;  // "" unless a scalar
  const std::string& Tag() const;
  YAML::Mark Mark() const;            // YAML::Mark::null_mark() when undefined
  size_t size() const;                // entries of a map, elements of a sequence

  // The value of the first entry whose key is the scalar `key`; undefined when
  // there is none or this is not a map.  Throws LiteYamlUnsupported on a scalar.
  LiteNode operator[](std::string_view key) const;
  LiteNode operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  LiteNode operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  // A sequence's element; undefined past the end or when not a sequence.
  LiteNode operator[](size_t i) const;

  // Iteration as yaml-cpp's: a sequence yields its elements, a map entries
  // whose `first` and `second` are the key and the value.
  class Iterator {
   public:
    Iterator(const LiteNode* node, size_t i) : node_(node), i_(i) {}
    LiteEntry operator*() const;
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const LiteNode* node_;
    size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size()); }

 private:
  const LiteTree* tree_ = nullptr;
  int32_t index_ = -1;
};

// What iterating a LiteNode yields (yaml-cpp's iterator_value): a sequence's
// element, or a map entry's key and value.
struct LiteEntry : LiteNode {
  LiteNode first, second;
};

class LiteTree {
 public:
  std::vector<LiteNode> documents() const;
  // Same nodes (types, scalars, tags, marks, children) and documents.
  bool operator==(const LiteTree& other) const;

 private:
  friend class LiteNode;
  friend bool ParseLiteYaml(std::string_view text, LiteTree* out);
  friend std::string WriteLiteTree(const LiteTree& tree);
  friend bool ReadLiteTree(std::string_view bytes, LiteTree* out);
  struct Node {
    YAML::NodeType::value type = YAML::NodeType::Null;
    bool plain = true;
    YAML::Mark mark;
    std::string scalar;
    std::vector<int32_t> children;  // a map's key, value, key, value, ...
  };
  std::vector<Node> nodes_;
  std::vector<int32_t> documents_;
};

// Parses every document of `text`; false (and *out unspecified) on a YAML
// error or on anything outside what LiteNode reproduces (see above).
bool ParseLiteYaml(std::string_view text, LiteTree* out);

// A LiteTree as bytes and back.  The build parses each embedded YAML file once
// (lite_yaml_snapshot.cc, embedded_files.h's EmbeddedLiteTree) and start-up reads
// the tree instead of running libyaml again, which costs about 125 instructions a
// byte: 8.3 M of `check`'s start-up for the built-in pack, 7.5 M for the framework
// catalogues.  ReadLiteTree refuses (false, *out unspecified) bytes that are not
// a whole tree WriteLiteTree wrote (a child always after its parent, so no cycle):
// a truncated or altered snapshot is not used.
std::string WriteLiteTree(const LiteTree& tree);
bool ReadLiteTree(std::string_view bytes, LiteTree* out);

}  // namespace aimsgate
