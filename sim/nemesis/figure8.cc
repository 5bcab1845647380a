#include "sim/nemesis/figure8.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/base/assert.h"
#include "engine/core/base/prng.h"

namespace quorum::sim {

namespace {

constexpr std::uint32_t kVoteRequests =
    (std::uint32_t{1} << static_cast<unsigned>(MessageClass::kPreVote)) |
    (std::uint32_t{1} << static_cast<unsigned>(MessageClass::kVote));
constexpr std::uint32_t kAppends = std::uint32_t{1} << static_cast<unsigned>(MessageClass::kAppend);

std::uint32_t all_nodes(std::size_t n) {
  std::uint32_t m = 0;
  for (NodeId k = 1; k <= n; ++k) m |= std::uint32_t{1} << k;
  return m;
}

// Only `node` may campaign: every other node's pre-vote and vote requests are dropped.
MessageRule only_campaigner(std::size_t n, NodeId node, const std::string& label) {
  MessageRule r;
  r.label = label;
  r.from_mask = all_nodes(n) & ~(std::uint32_t{1} << node);
  r.class_mask = kVoteRequests;
  return r;
}

// `node`'s entries of its current term reach none of `to_mask` (the older ones still do).
MessageRule strip_current_term(NodeId node, std::uint32_t to_mask, const std::string& label) {
  MessageRule r;
  r.label = label;
  r.from_mask = std::uint32_t{1} << node;
  r.to_mask = to_mask;
  r.class_mask = kAppends;
  r.entries = EntryFilter::kCurrentTerm;
  r.action = RuleAction::kStrip;
  return r;
}

struct Roles {
  NodeId a = kNoNode;
  std::uint32_t s_mask = 0;  // nodes that get A's first-term entries
  NodeId c = kNoNode;
};

Roles roles_of(const FaultAction& action, std::size_t n) {
  Roles r;
  r.a = action.node;
  std::vector<NodeId> others;
  for (NodeId k = 1; k <= n; ++k) {
    if (k != r.a) others.push_back(k);
  }
  Prng prng = Prng(action.param).fork(1);
  for (std::size_t k = others.size(); k > 1; --k) {  // Fisher-Yates
    std::swap(others[k - 1], others[prng.uniform(0, k)]);
  }
  // |S| <= (n - 3) / 2: then A and S are a minority, and C finds a majority outside them.
  const std::size_t s_size = prng.uniform(0, (n - 3) / 2 + 1);
  for (std::size_t k = 0; k < s_size; ++k) r.s_mask |= std::uint32_t{1} << others[k];
  r.c = others[s_size];
  return r;
}

}  // namespace

std::vector<std::uint64_t> figure8_phase_lengths_us(std::uint64_t param,
                                                    std::uint64_t election_timeout_us) {
  Prng prng = Prng(param).fork(2);
  const std::uint64_t t = election_timeout_us;
  return {
      prng.uniform(50'000, 500'001),              // 0: A appends what only S receives
      t * prng.uniform(30, 61) / 10,              // 1: C campaigns and wins
      t * prng.uniform(40, 81) / 10,              // 2: A wins again, old entries spread
      t * prng.uniform(30, 61) / 10,              // 3: C wins again
  };
}

Figure8Plan figure8_plan(FaultAction& action, std::size_t index, std::uint64_t phase,
                         NodeId leader, std::size_t n, std::uint64_t election_timeout_us) {
  QUORUM_ASSERT(action.kind == FaultKind::kFigure8);
  Figure8Plan plan;
  plan.rules_label = fmt::format("figure8#{}", index);
  if (n < 3) {
    plan.note = "figure8: needs at least 3 nodes, skipped";
    return plan;
  }
  if (phase == 0) {
    if (leader == kNoNode) {
      plan.note = "figure8: no leader, skipped";
      return plan;
    }
    action.node = leader;
  }
  const Roles r = roles_of(action, n);
  const std::vector<std::uint64_t> lengths = figure8_phase_lengths_us(action.param, election_timeout_us);
  const std::uint32_t everyone = all_nodes(n);
  switch (phase) {
    case 0:
      plan.rules.push_back(strip_current_term(r.a, everyone & ~r.s_mask, plan.rules_label));
      plan.note = fmt::format("figure8 phase 0: A=n{} (leader); its new entries reach only", r.a);
      for (NodeId k = 1; k <= n; ++k) {
        if (k == r.a || ((r.s_mask >> k) & 1U) != 0) plan.note += fmt::format(" n{}", k);
      }
      break;
    case 1:
      plan.crash.push_back(r.a);
      plan.rules.push_back(only_campaigner(n, r.c, plan.rules_label));
      plan.rules.push_back(strip_current_term(r.c, everyone, plan.rules_label));
      plan.note = fmt::format("figure8 phase 1: A=n{} crashes; only C=n{} may campaign, its new "
                              "entries reach nobody", r.a, r.c);
      break;
    case 2:
      plan.crash.push_back(r.c);
      plan.restart.push_back(r.a);
      plan.rules.push_back(only_campaigner(n, r.a, plan.rules_label));
      plan.rules.push_back(strip_current_term(r.a, everyone, plan.rules_label));
      plan.note = fmt::format("figure8 phase 2: C=n{} crashes, A=n{} restarts and alone may "
                              "campaign; its new entries reach nobody, its old ones everyone",
                              r.c, r.a);
      break;
    case 3:
      plan.crash.push_back(r.a);
      plan.restart.push_back(r.c);
      plan.rules.push_back(only_campaigner(n, r.c, plan.rules_label));
      plan.note = fmt::format("figure8 phase 3: A=n{} crashes, C=n{} restarts and alone may "
                              "campaign", r.a, r.c);
      break;
    default:
      plan.restart.push_back(r.a);
      plan.note = fmt::format("figure8 phase 4: rules removed, A=n{} restarts", r.a);
      return plan;
  }
  plan.next_phase_in_us = lengths[phase];
  return plan;
}

}  // namespace quorum::sim
