// Moved: the decision and its results live in evaluator/decision/decision.h.  This
// header stays one release so that code in flight keeps compiling.
#pragma once

#include "evaluator/decision/decision.h"
