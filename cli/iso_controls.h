// ISO/IEC 42001 Annex A controls, for `aimsgate rules controls`.
#pragma once

#include <vector>

namespace aimsgate::cli {

struct IsoControl {
  const char* id;
  const char* title;
  const char* checkable;  // "yes", "partial" or "no"
};

const std::vector<IsoControl>& IsoControls();

}  // namespace aimsgate::cli
