#include "sim/checkers/lease_feed.h"

#include "engine/host/node_host.h"
#include "sim/network/network.h"

namespace quorum::sim {

void LeaseFeed::on_step(std::uint64_t time_us, NodeId /*node*/) {
  views_.clear();
  for (NodeId n = 1; n <= world_.node_count(); ++n) {
    const host::NodeHost* h = world_.live_host(n);
    check::LeaseView v;
    v.node = n;
    v.up = h != nullptr;
    if (v.up) {
      const raft::Node& core = h->node();
      // Judged at the node's own clock reading: the ticks due by it but not fed yet would be
      // fed before the node steps any input (node_host.h).
      const Ticks behind = h->ticks_behind(world_.node_clock_us(n));
      v.term = core.term();
      v.leader = core.role() == raft::Role::kLeader;
      v.believes_lease = core.has_lease() && behind == 0;
      v.lease_remaining_ticks = v.believes_lease ? core.lease_remaining_ticks() : 0;
      v.refuses_votes = v.leader || core.leader_contact_elapsed_ticks() + behind < stickiness_ticks_;
      v.membership = &core.membership();
    }
    views_.push_back(v);
  }
  leader_lease_.observe(time_us, views_);
  if (judge_disruptions_) {
    // Links as partitions leave them (scripted message rules are not counted: a scenario judged
    // for disruptions cuts links, it does not drop chosen messages).
    const Network& network = world_.network();
    disruption_.observe(time_us, views_,
                        [&network](NodeId from, NodeId to) { return network.can_deliver(from, to); });
  }
}

}  // namespace quorum::sim
