// What the checkers report. One checker class per DESIGN.md invariant, each in its own file;
// they are fed by the World from NodeHost hooks (on_role_change, on_persist, on_apply, on_trace)
// and from client acknowledgements, and each check is incremental: O(1) or O(log n) per
// observation, never a whole-log scan per event.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/base/types.h"

namespace quorum::check {

enum class ViolationClass : std::uint8_t { kSafety, kLiveness };

struct InvariantViolation {
  ViolationClass violation_class = ViolationClass::kSafety;
  std::string invariant;  // "election-safety", "log-matching", ...
  std::string detail;
  std::uint64_t time_us = 0;
  NodeId node = kNoNode;
};

// Collects violations; the World stops a run at the first safety violation.
class Findings {
 public:
  void report(InvariantViolation v) { violations_.push_back(std::move(v)); }
  bool any() const { return !violations_.empty(); }
  bool any_safety() const {
    for (const InvariantViolation& v : violations_) {
      if (v.violation_class == ViolationClass::kSafety) return true;
    }
    return false;
  }
  const std::vector<InvariantViolation>& all() const { return violations_; }

 private:
  std::vector<InvariantViolation> violations_;
};


}  // namespace quorum::check
