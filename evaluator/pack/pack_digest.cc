#include "evaluator/pack/pack_digest.h"

#include <utility>

#include "evaluator/kernel/sha256.h"

namespace aimsgate {

PackDigest::PackDigest(std::string value) : cell_(std::make_shared<Cell>()) {
  cell_->value = std::move(value);
  std::call_once(cell_->once, [] {});
}

PackDigest PackDigest::Of(std::string canonical_json) {
  PackDigest d;
  d.cell_ = std::make_shared<Cell>();
  d.cell_->canonical = std::move(canonical_json);
  return d;
}

const std::string& PackDigest::value() const {
  static const std::string kNone;
  if (!cell_) return kNone;
  std::call_once(cell_->once, [cell = cell_.get()] {
    cell->value = "sha256:" + kernel::Sha256Hex(cell->canonical);
    std::string().swap(cell->canonical);
  });
  return cell_->value;
}

}  // namespace aimsgate
