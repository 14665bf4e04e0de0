// Reader (stream.h) and the Load functions of manifest.h, which run the same
// parsers over bytes in memory.
#include "evaluator/manifest/stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "evaluator/manifest/flow_depth.h"
#include "evaluator/manifest/internal.h"

namespace aimsgate::manifest {
namespace {

using internal::Queue;
using internal::TextInput;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The format sniff of LoadBytes and Reader: a first non-blank `{` or `[` (after a BOM) is JSON.
bool StartsLikeJson(std::string_view bytes) {
  size_t i = 0;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < bytes.size() && IsJsonSpace(bytes[i])) ++i;
  return i < bytes.size() && (bytes[i] == '{' || bytes[i] == '[');
}

// A regular file's bytes into *out when it is at most `bound` bytes; false (the
// file offset untouched, so it can be streamed) when it is not a regular file, is
// larger, cannot be read, or changed size while being read.
bool ReadSmallFile(int fd, size_t bound, std::string* out) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
      static_cast<uint64_t>(st.st_size) > bound) {
    return false;
  }
  const size_t want = static_cast<size_t>(st.st_size) + 1;  // one more byte tells it grew
  out->resize(want);
  size_t have = 0;
  while (have < want) {
    ssize_t n = ::pread(fd, out->data() + have, want - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    // A short read of a regular file is its end (POSIX: fewer bytes were left, or
    // a signal came, and then `have` falls short of the size below): no second
    // read to see 0 bytes, which was one system call in five per file of `check`.
    if (have == want - 1) break;
  }
  if (have != want - 1) {
    out->clear();
    return false;
  }
  out->resize(have);
  return true;
}

// Runs `parser` to the end into a LoadResult.
void Drain(internal::Parser* parser, LoadResult* out) {
  Queue queue;
  while (parser->Step(&queue)) queue.DrainInto(out);
  queue.DrainInto(out);
}

// The Load functions hold the whole file: no per-object budget, Lists read whole.
Limits InMemory(const Limits& limits) {
  Limits l = internal::Effective(limits);
  if (l.max_expanded_bytes == 0) l.max_expanded_bytes = l.max_object_bytes;
  l.max_object_bytes = std::numeric_limits<size_t>::max();
  return l;
}

// *unquoted_key: the first value failed because an object key was not a string,
// the signature of flow-style YAML such as `{kind: Pod}`.
// `fast`: try LoadJsonFast first.
LoadResult LoadJsonImpl(std::string_view bytes, std::string_view source, const Limits& requested,
                        bool* unquoted_key, bool fast = true) {
  const Limits limits = InMemory(requested);
  LoadResult out;
  *unquoted_key = false;
  bool ascii = false;
  if (!internal::PrepareText(&bytes, source, limits, &out, &ascii)) return out;
  if (fast && internal::LoadJsonFast(bytes, ascii, source, limits, &out)) return out;
  TextInput input(bytes, /*validated=*/true);
  auto parser = internal::NewJsonParser(&input, source, limits, /*stream_items=*/false);
  Drain(parser.get(), &out);
  *unquoted_key = parser->unquoted_key();
  return out;
}

}  // namespace

LoadResult LoadYaml(std::string_view bytes, std::string_view source, const Limits& requested) {
  const Limits limits = InMemory(requested);
  LoadResult out;
  if (!internal::PrepareText(&bytes, source, limits, &out)) return out;
  size_t too_deep = FindExcessiveFlowDepth(bytes, limits.max_depth);
  if (too_deep != std::string_view::npos) {
    out.errors.push_back(internal::MakeError(source, internal::OffsetToPosition(bytes, too_deep),
                                             "nesting depth limit exceeded: more than " +
                                                 std::to_string(limits.max_depth) + " levels"));
    return out;
  }
  TextInput input(bytes, /*validated=*/true);
  auto parser = internal::NewYamlParser(&input, source, limits, /*scan_flow_depth=*/false);
  Drain(parser.get(), &out);
  return out;
}

LoadResult LoadJson(std::string_view bytes, std::string_view source, const Limits& limits) {
  bool unquoted_key;
  return LoadJsonImpl(bytes, source, limits, &unquoted_key);
}

namespace internal {
LoadResult LoadJsonGeneral(std::string_view bytes, std::string_view source, const Limits& limits) {
  bool unquoted_key;
  return LoadJsonImpl(bytes, source, limits, &unquoted_key, /*fast=*/false);
}
}  // namespace internal

LoadResult LoadBytes(std::string_view bytes, std::string_view source, const Limits& limits) {
  if (StartsLikeJson(bytes)) {
    bool unquoted_key;
    LoadResult json = LoadJsonImpl(bytes, source, limits, &unquoted_key);
    if (!unquoted_key) return json;
    // Flow-style YAML (`{kind: Pod, ...}`) is not JSON: take YAML when it loads cleanly.
    LoadResult yaml = LoadYaml(bytes, source, limits);
    if (yaml.ok()) return yaml;
    return json;
  }
  return LoadYaml(bytes, source, limits);
}

size_t WholeReadBytes(const Limits& limits) {
  return std::min(internal::Effective(limits).max_object_bytes, kItemsLookaheadBytes);
}

// ---- Reader ----

Reader::Reader(std::unique_ptr<TextInput> input, int owned_fd, std::string source, const Limits& limits)
    : input_(std::move(input)), owned_fd_(owned_fd), source_(std::move(source)),
      limits_(internal::Effective(limits)), queue_(std::make_unique<Queue>()) {}

Reader::~Reader() {
  parser_.reset();
  input_.reset();
  if (owned_fd_ >= 0) ::close(owned_fd_);
}

std::unique_ptr<Reader> Reader::Open(const std::string& path, const Limits& limits, Diagnostic* error) {
  if (path == "-") return FromFd(0, "<stdin>", limits);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = internal::MakeError(path, Position{}, std::string("cannot open file: ") + std::strerror(errno));
    return nullptr;
  }
  uint64_t max = limits.max_file_bytes == std::numeric_limits<size_t>::max() ? 0 : limits.max_file_bytes;
  std::string bytes;
  size_t bound = WholeReadBytes(limits);
  if (max != 0) bound = std::min<uint64_t>(bound, max);
  if (ReadSmallFile(fd, bound, &bytes)) {
    ::close(fd);
    std::unique_ptr<Reader> reader(new Reader(nullptr, -1, path, limits));
    reader->owned_bytes_ = std::move(bytes);
    reader->input_ = std::make_unique<TextInput>(reader->owned_bytes_, /*validated=*/false);
    return reader;
  }
  return std::unique_ptr<Reader>(new Reader(std::make_unique<TextInput>(fd, max), fd, path, limits));
}

std::unique_ptr<Reader> Reader::FromFd(int fd, std::string source, const Limits& limits) {
  uint64_t max = limits.max_file_bytes == std::numeric_limits<size_t>::max() ? 0 : limits.max_file_bytes;
  return std::unique_ptr<Reader>(new Reader(std::make_unique<TextInput>(fd, max), -1, std::move(source), limits));
}

std::unique_ptr<Reader> Reader::FromBytes(std::string_view bytes, std::string source, const Limits& limits) {
  return std::unique_ptr<Reader>(
      new Reader(std::make_unique<TextInput>(bytes, /*validated=*/false), -1, std::move(source), limits));
}

uint64_t Reader::bytes_read() const { return whole_bytes_read_ != 0 ? whole_bytes_read_ : input_->offset(); }

bool Reader::LoadWholeJson(std::string_view bytes) {
  if (bytes.size() > WholeReadBytes(limits_)) return false;
  LoadResult out;
  bool ascii = false;
  if (!internal::PrepareText(&bytes, source_, limits_, &out, &ascii)) return false;
  if (!internal::LoadJsonFast(bytes, ascii, source_, limits_, &out)) return false;
  for (Resource& r : out.resources) queue_->Push(std::move(r));
  whole_bytes_read_ = bytes.size();
  return true;
}

// Looks at the first non-blank byte (recording what it reads), then starts over.
void Reader::Sniff() {
  if (input_->in_memory()) {
    format_ = StartsLikeJson(input_->whole()) ? Format::kJson : Format::kYaml;
    if (format_ == Format::kJson && LoadWholeJson(input_->whole())) {
      done_ = true;
      return;
    }
    if (format_ == Format::kJson) {  // a memory input rewinds without a recording
      parser_ = internal::NewJsonParser(input_.get(), source_, limits_, /*stream_items=*/true);
    } else {
      parser_ = internal::NewYamlParser(input_.get(), source_, limits_, /*scan_flow_depth=*/true);
    }
    return;
  }
  input_->StartRecording(kReplayBytes);
  format_ = Format::kYaml;
  // Past the cap the sniff can only fail: stop reading, or endless blank input
  // (`yes '' | aimsgate check -`) is read for ever.
  while (!input_->recording_overflowed()) {
    std::string_view block = input_->Next();
    if (block.empty()) break;
    size_t i = 0;
    while (i < block.size() && IsJsonSpace(block[i])) ++i;
    if (i < block.size()) {
      if (block[i] == '{' || block[i] == '[') format_ = Format::kJson;
      break;
    }
  }
  if (!input_->Rewind()) {
    queue_->Push(internal::MakeError(source_, Position{}, "more than " + std::to_string(kReplayBytes) +
                                                             " bytes of blank space before the first document"));
    done_ = true;
    return;
  }
  if (format_ == Format::kJson) {
    parser_ = internal::NewJsonParser(input_.get(), source_, limits_, /*stream_items=*/true);
  } else {
    input_->StopRecording();
    parser_ = internal::NewYamlParser(input_.get(), source_, limits_, /*scan_flow_depth=*/true);
  }
}

bool Reader::Step() {
  if (format_ == Format::kUnknown) {
    Sniff();
    if (done_) return false;
  }
  bool more = parser_->Step(queue_.get());
  if (format_ == Format::kJson && !yielded_ && parser_->unquoted_key() && input_->Rewind()) {
    // Flow-style YAML: read it again as YAML; if YAML fails at once, the JSON error stands.
    // What JSON queued is dropped but its last error, kept in case YAML fails too.
    json_error_ = std::make_unique<Diagnostic>();
    Resource r;
    Diagnostic e;
    for (;;) {
      bool not_object = false;
      ReadItem item = queue_->Pop(&r, &e, &not_object);
      if (item == ReadItem::kEnd) break;
      if (item == ReadItem::kError) {
        *json_error_ = std::move(e);
        json_error_not_object_ = not_object;
      }
    }
    input_->StopRecording();
    format_ = Format::kYaml;
    yaml_fallback_ = true;
    parser_ = internal::NewYamlParser(input_.get(), source_, limits_, /*scan_flow_depth=*/true);
    more = parser_->Step(queue_.get());
  }
  if (yaml_fallback_) {
    yaml_fallback_ = false;
    Resource r;
    Diagnostic e;
    Queue kept;
    bool failed_first = false;
    bool first = true;
    while (!queue_->empty()) {
      bool not_object = false;
      ReadItem item = queue_->Pop(&r, &e, &not_object);
      if (first && item == ReadItem::kError) failed_first = true;
      first = false;
      if (item == ReadItem::kError) {
        if (not_object) {
          kept.PushNotObject(std::move(e));
        } else {
          kept.Push(std::move(e));
        }
      } else {
        kept.Push(std::move(r));
      }
    }
    if (failed_first) {
      if (json_error_not_object_) {
        queue_->PushNotObject(std::move(*json_error_));
      } else {
        queue_->Push(std::move(*json_error_));
      }
      return false;
    }
    *queue_ = std::move(kept);
  }
  return more;
}

ReadItem Reader::Next(Resource* resource, Diagnostic* error) {
  while (queue_->empty() && !done_) {
    if (!Step()) done_ = true;
  }
  bool not_object = false;
  ReadItem item = queue_->Pop(resource, error, &not_object);
  not_objects_ += not_object;
  if (item != ReadItem::kEnd && !yielded_) {
    yielded_ = true;
    input_->StopRecording();
  }
  return item;
}

}  // namespace aimsgate::manifest
