#include "sim/history/synthetic_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/core/base/assert.h"
#include "engine/core/base/prng.h"

namespace quorum::sim {

History generate_linearizable_history(const SyntheticHistoryOptions& o) {
  QUORUM_ASSERT(o.clients_count > 0 && o.keys_count > 0);
  QUORUM_ASSERT(o.op_duration_us_min <= o.op_duration_us_max);
  Prng prng(o.seed);
  struct Planned {
    Operation op;
    std::uint64_t point_us;
    bool takes_effect;
  };
  std::vector<Planned> planned;
  std::vector<std::uint64_t> client_time_us(o.clients_count, 0);
  for (std::size_t n = 0; n < o.ops_count; ++n) {
    const std::size_t c = prng.uniform(0, o.clients_count);
    Operation op;
    op.client_id = c + 1;
    op.key = fmt::format("/cfg/{}", prng.uniform(0, o.keys_count));
    const std::uint64_t roll = prng.uniform(0, 100);
    op.kind = roll < 40 ? OpKind::kRead : roll < 70 ? OpKind::kPut
                                        : roll < 92 ? OpKind::kCas : OpKind::kDelete;
    if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) op.value = fmt::format("v{}", n);
    op.invoke_us = client_time_us[c] + prng.uniform(0, 300);
    op.complete_us = op.invoke_us + prng.uniform(o.op_duration_us_min, o.op_duration_us_max + 1);
    client_time_us[c] = op.complete_us;
    std::uint64_t point_us = prng.uniform(op.invoke_us, op.complete_us + 1);
    bool takes_effect = true;
    if (prng.chance(o.rejected_per_mille, 1000)) {
      op.outcome = Outcome::kFailed;
      op.failure = Failure::kRejected;
      takes_effect = false;
    } else if (prng.chance(o.unknown_per_mille, 1000)) {
      op.outcome = Outcome::kUnknown;
      takes_effect = op.kind != OpKind::kRead && prng.chance(1, 2);
      point_us = op.invoke_us + prng.uniform(0, o.late_effect_us_max + 1);  // may be after
    } else {
      op.outcome = Outcome::kOk;
    }
    planned.push_back({std::move(op), point_us, takes_effect});
  }
  std::vector<std::size_t> order(planned.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return planned[a].point_us < planned[b].point_us;
  });
  struct Register {
    bool present = false;
    std::string value;
    LogIndex version = 0;
  };
  std::map<std::string, Register> truth;
  LogIndex last_index = 0;
  for (std::size_t i : order) {
    Planned& p = planned[i];
    Operation& op = p.op;
    if (!p.takes_effect) continue;
    Register& reg = truth[op.key];
    const bool known = op.outcome == Outcome::kOk;
    switch (op.kind) {
      case OpKind::kRead:
        op.found = reg.present;
        op.read_value = reg.value;
        op.version = reg.version;
        break;
      case OpKind::kCas:
        // Most cas operations name the right version (clients read before they write).
        op.expected_version = prng.chance(7, 10) ? reg.version : reg.version + 1;
        if (op.expected_version != reg.version) {
          if (!known) break;  // a timed-out cas that failed: no effect, nothing to record
          op.outcome = Outcome::kFailed;
          op.failure = Failure::kVersionMismatch;
          op.version = prng.chance(1, 2) ? reg.version : kVersionNotReported;
          break;
        }
        [[fallthrough]];
      case OpKind::kPut:
        reg = Register{true, op.value, ++last_index};
        if (known) op.version = prng.chance(o.unreported_index_per_mille, 1000) ? 0 : reg.version;
        break;
      case OpKind::kDelete:
        if (!reg.present) {
          if (known) {
            op.outcome = Outcome::kFailed;
            op.failure = Failure::kNotFound;
          }
          break;
        }
        reg = Register{false, "", 0};
        ++last_index;
        if (known) op.version = last_index;
        break;
    }
  }
  std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
    return a.op.invoke_us < b.op.invoke_us;
  });
  History h;
  for (Planned& p : planned) h.add(std::move(p.op));
  return h;
}

}  // namespace quorum::sim
