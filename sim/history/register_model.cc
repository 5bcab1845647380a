#include "sim/history/register_model.h"

#include <fmt/format.h>

#include "engine/core/base/assert.h"

namespace quorum::sim {

namespace {

// Can the current version be `version`? Pins an unknown version when it can.
bool match_version(RegisterState& s, LogIndex version) {
  if (version == 0) return !s.present;
  if (!s.present) return false;
  if (s.version_known) return s.version == version;
  if (version <= s.floor_index) return false;
  s.version_known = true;
  s.version = version;
  s.floor_index = version;
  return true;
}

// A failed operation that says something: a cas mismatch or a delete that found nothing.
bool step_failed(const Operation& op, RegisterState& n) {
  if (op.failure == Failure::kNotFound) return !n.present;
  QUORUM_ASSERT(op.failure == Failure::kVersionMismatch, "{}", format_operation(op));
  if (op.version != kVersionNotReported) {
    return op.version != op.expected_version && match_version(n, op.version);
  }
  // Unreported: only a known current version can contradict the mismatch.
  if (n.present && !n.version_known) return true;
  return (n.present ? n.version : 0) != op.expected_version;
}

}  // namespace

LogIndex known_write_index(const Operation& op) {
  if (op.kind == OpKind::kRead || op.outcome != Outcome::kOk) return 0;
  return op.version;
}

bool register_step(const RegisterState& s, const ModelOp& k, RegisterState* next,
                   std::string* reason, const std::vector<std::string_view>& values) {
  const Operation& op = *k.op;
  QUORUM_ASSERT(op.failure != Failure::kRejected && !(op.kind == OpKind::kRead &&
                                                      op.outcome == Outcome::kUnknown));
  RegisterState n = s;
  auto fail = [&](std::string_view why) {
    if (reason != nullptr) {
      *reason = fmt::format("{}; register is {}", why, register_state_text(s, values));
    }
    return false;
  };
  if (op.outcome == Outcome::kFailed) {
    if (!step_failed(op, n)) {
      return fail(op.failure == Failure::kNotFound ? "delete answered not-found on a present key"
                                                   : "cas mismatch contradicts the version");
    }
    *next = n;
    return true;
  }
  if (op.kind == OpKind::kRead) {
    if (!op.found) {
      if (s.present) return fail("read found nothing on a present key");
    } else {
      if (!s.present || s.value_id != k.read_value_id) return fail("read another value");
      if (!match_version(n, op.version)) return fail("read the value at another version");
    }
    *next = n;
    return true;
  }
  // A write taking effect (kOk, or kUnknown taking effect here).
  if (op.kind == OpKind::kCas && !match_version(n, op.expected_version)) {
    return fail("cas took effect but the version did not match");
  }
  if (op.kind == OpKind::kDelete && !s.present) return fail("delete took effect on an absent key");
  const LogIndex index = known_write_index(op);
  if (index != 0 && index <= n.floor_index) {
    return fail("write took effect at an index not above an earlier write's");
  }
  if (index != 0) n.floor_index = index;
  n.present = op.kind != OpKind::kDelete;
  n.value_id = n.present ? k.value_id : 0;
  n.version = n.present ? index : 0;
  n.version_known = !n.present || index != 0;
  *next = n;
  return true;
}

std::string register_state_text(const RegisterState& s,
                                const std::vector<std::string_view>& values) {
  if (!s.present) return fmt::format("absent (last index {})", s.floor_index);
  if (s.version_known) return fmt::format("{:?}@{}", values[s.value_id], s.version);
  return fmt::format("{:?}@>{} (index not known yet)", values[s.value_id], s.floor_index);
}

}  // namespace quorum::sim
