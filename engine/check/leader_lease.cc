#include "engine/check/leader_lease.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/core/base/assert.h"

namespace quorum::check {

void LeaderLease::observe(std::uint64_t time_us, const std::vector<LeaseView>& nodes) {
  const LeaseView* newest_leader = nullptr;
  for (const LeaseView& v : nodes) {
    if (v.up && v.leader && (newest_leader == nullptr || v.term > newest_leader->term)) {
      newest_leader = &v;
    }
  }
  for (const LeaseView& v : nodes) {
    if (!v.up || !v.believes_lease) continue;
    QUORUM_ASSERT(v.leader && v.membership != nullptr);
    ++beliefs_judged_;
    if (newest_leader != nullptr && newest_leader->term > v.term) {
      findings_.report({ViolationClass::kSafety, "leader-lease",
                        fmt::format("node {} believes it holds the leader lease of term {} ({} "
                                    "ticks left by its clock) while node {} leads term {}",
                                    v.node, v.term, v.lease_remaining_ticks, newest_leader->node,
                                    newest_leader->term),
                        time_us, v.node});
      return;
    }
    if (judge_refusals(time_us, v, nodes)) return;
  }
}

bool LeaderLease::judge_refusals(std::uint64_t time_us, const LeaseView& holder,
                                 const std::vector<LeaseView>& nodes) {
  for (const LeaseView& v : nodes) {
    if (v.up && !(*v.membership == *holder.membership)) return false;  // a change in flight
  }
  ++refusals_judged_;
  const std::vector<NodeId> voters = holder.membership->voters();
  std::vector<NodeId> would_grant;
  for (const LeaseView& v : nodes) {
    if (!v.refuses_votes && holder.membership->is_voter(v.node)) would_grant.push_back(v.node);
  }
  if (would_grant.size() < voters.size() / 2 + 1) return false;
  findings_.report({ViolationClass::kSafety, "leader-lease",
                    fmt::format("node {} believes it holds the leader lease of term {} ({} ticks "
                                "left by its clock) while voters {} of {} would grant a vote: a "
                                "majority could elect another leader",
                                holder.node, holder.term, holder.lease_remaining_ticks,
                                fmt::join(would_grant, ","), fmt::join(voters, ",")),
                    time_us, holder.node});
  return true;
}

}  // namespace quorum::check
