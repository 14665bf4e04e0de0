// TextInput: an input's bytes in validated UTF-8 blocks (see internal.h).
#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "evaluator/manifest/internal.h"

namespace aimsgate::manifest::internal {
namespace {

// Length of the UTF-8 sequence a lead byte opens (1 for ASCII and for bytes that
// cannot lead: FindInvalidText reports those).
size_t SequenceLength(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// Bytes at the end of `s` that start a sequence `s` does not complete (0-3).
size_t IncompleteTail(std::string_view s) {
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    unsigned char c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    return SequenceLength(c) > back ? back : 0;
  }
  return 0;
}

}  // namespace

TextInput::TextInput(std::string_view bytes, bool validated)
    : memory_(true), validated_(validated), whole_(bytes) {}

TextInput::TextInput(int fd, uint64_t max_bytes) : fd_(fd), max_bytes_(max_bytes) {}

void TextInput::Fail(uint64_t offset, std::string message) {
  if (!pending_error_.empty()) return;
  pending_offset_ = offset;
  pending_error_ = std::move(message);
}

bool TextInput::Fill() {
  BlockBuffer& buf = buf_;
  const size_t carry = carry_buf_.size();
  if (buf.capacity < kBlockBytes + carry) {
    buf.data.reset(new char[kBlockBytes + carry]);  // uninitialized: read() fills it
    buf.capacity = kBlockBytes + carry;
  }
  std::memcpy(buf.data.get(), carry_buf_.data(), carry);
  size_t have = carry;
  // The first block needs three bytes (or the end) to recognise a BOM.
  const size_t want = started_ ? 1 : 3;
  while (!eof_ && have < want + carry) {
    ssize_t n = ::read(fd_, buf.data.get() + have, buf.capacity - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Fail(block_base_ + block_.size() + (have - carry), std::string("cannot read input: ") + std::strerror(errno));
      eof_ = true;
      break;
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    have += static_cast<size_t>(n);
  }
  buf.size = have;
  std::string_view text = buf.view();
  if (!started_) {
    started_ = true;
    if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
  }
  size_t tail = eof_ ? 0 : IncompleteTail(text);
  carry_buf_.assign(text.substr(text.size() - tail));
  text.remove_suffix(tail);
  const uint64_t base = block_base_ + block_.size();
  size_t bad = FindInvalidText(text);
  if (bad != std::string_view::npos) {
    Fail(base + bad, InvalidTextMessage(text[bad], base + bad));
    text = text.substr(0, bad);
  }
  if (max_bytes_ != 0 && base + text.size() > max_bytes_) {
    text = text.substr(0, static_cast<size_t>(max_bytes_ - std::min<uint64_t>(base, max_bytes_)));
    Fail(max_bytes_, "input is over the limit of " + std::to_string(max_bytes_) + " bytes");
  }
  block_ = text;
  return !text.empty() || !eof_;
}

Position TextInput::BlockPosition() const {
  if (!block_pos_known_) {
    block_pos_ = Advance(prev_pos_, prev_block_);
    block_pos_known_ = true;
  }
  return block_pos_;
}

std::string_view TextInput::Next(const Position* end_position) {
  // Retire the current block: it becomes the previous one. Its start must be
  // known before the block before it goes.
  const Position start = BlockPosition();
  prev_block_ = block_;
  prev_base_ = block_base_;
  prev_pos_ = start;
  if (end_position != nullptr) {
    block_pos_ = *end_position;
  } else {
    block_pos_known_ = false;
  }
  block_base_ += block_.size();
  block_ = {};
  if (!error_.empty()) return block_;
  if (replaying_) {
    replaying_ = false;
    replay_block_ = std::move(replay_);
    replay_.clear();
    block_ = replay_block_;
  } else if (memory_) {
    if (!started_) {
      started_ = true;
      std::string_view text = whole_;
      if (!validated_) {
        if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
        size_t bad = FindInvalidText(text);
        if (bad != std::string_view::npos) {
          Fail(bad, InvalidTextMessage(text[bad], bad));
          text = text.substr(0, bad);
        }
      }
      block_ = text;
    }
  } else if (pending_error_.empty() && !eof_) {
    std::swap(buf_, prev_buf_);  // prev_block_ stays valid: it lives in prev_buf_ now
    while (pending_error_.empty() && Fill() && block_.empty()) {
    }
  }
  if (block_.empty() && !pending_error_.empty()) {  // the text before the bad byte is consumed
    error_ = std::move(pending_error_);
    pending_error_.clear();
    error_pos_ = PositionAt(pending_offset_);
  }
  if (recording_ && !memory_ && !block_.empty()) {  // a memory input rewinds without a copy
    if (recorded_.size() + block_.size() > record_cap_) {
      recording_ = false;
      overflowed_ = true;
      recorded_.clear();
      recorded_.shrink_to_fit();
    } else {
      recorded_.append(block_);
    }
  }
  return block_;
}

Position TextInput::PositionAt(uint64_t offset) const {
  if (offset >= block_base_) {
    return Advance(BlockPosition(), block_.substr(0, static_cast<size_t>(std::min<uint64_t>(offset - block_base_, block_.size()))));
  }
  if (offset >= prev_base_) {
    return Advance(prev_pos_, prev_block_.substr(0, static_cast<size_t>(offset - prev_base_)));
  }
  return prev_pos_;
}

char TextInput::ByteAt(uint64_t offset) const {
  if (offset >= block_base_ && offset - block_base_ < block_.size()) return block_[offset - block_base_];
  if (offset >= prev_base_ && offset - prev_base_ < prev_block_.size()) return prev_block_[offset - prev_base_];
  return 0;
}

void TextInput::StartRecording(size_t cap) {
  recording_ = true;
  overflowed_ = false;
  record_cap_ = cap;
  recorded_.clear();
}

void TextInput::StopRecording() {
  recording_ = false;
  recorded_.clear();
  recorded_.shrink_to_fit();
}

bool TextInput::Rewind() {
  if (memory_) {
    started_ = false;
  } else {
    if (overflowed_ || !recording_) return false;
    replay_ = recorded_;
    replaying_ = !replay_.empty();
    recorded_.clear();
  }
  block_ = prev_block_ = {};
  block_base_ = prev_base_ = 0;
  block_pos_ = prev_pos_ = Position{1, 1};
  block_pos_known_ = true;
  return true;
}

}  // namespace aimsgate::manifest::internal
