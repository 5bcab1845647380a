// OwnershipHost: the host side of the controller pool. On the leader it runs the ownership
// driver after every poll and hands back the commands to propose; on every controller it answers
// may_act against the clock's reading now. Host layer: core only (the caller encodes and
// proposes). Thread safety: the host's executor only.
#pragma once

#include <vector>

#include "engine/core/ownership/driver.h"
#include "engine/core/ownership/may_act.h"
#include "engine/core/ownership/promote.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/node.h"

namespace quorum::host {

class OwnershipHost {
 public:
  explicit OwnershipHost(ownership::DriverConfig config) : driver_(config) {}

  // The commands the leader's driver wants proposed now (empty on followers, without the lease,
  // or before an entry of the leader's term committed). `node` must have been fed every tick due
  // (the host's catch-up rule), so its tick count is the clock's reading.
  std::vector<ownership::Command> drive(const raft::Node& node,
                                        const ownership::StateMachine& state);
  void on_proposed(LogIndex index, Ticks now_ticks) { driver_.on_proposed(index, now_ticks); }

  // The standby promotion rule (ownership/promote.h), judged on the leader before a Promote is
  // proposed, from the same view the driver plans with. `node` must be the leader and fed every
  // tick due, as for drive().
  ownership::PromoteVerdict judge_promote(const raft::Node& node,
                                          const ownership::StateMachine& state,
                                          const ownership::Promote& promote) const;

  // Judged at `clock_now_ticks`, the clock's reading in ticks (which may be ahead of the ticks
  // fed to the core: a paused host must not act on time it has not seen). No (kBackendUnfit)
  // while this controller's database backend is unfit.
  static ownership::MayAct may_act(const raft::Node& node, const ownership::StateMachine& state,
                                   ownership::ClusterId cluster, Ticks clock_now_ticks);

  const ownership::Driver& driver() const { return driver_; }

 private:
  // What the leader sees now (driver.h LeaderView), for the driver and the promotion rule.
  static ownership::LeaderView leader_view(const raft::Node& node,
                                           const ownership::StateMachine& state);

  ownership::Driver driver_;
  bool was_leader_ = false;
};

}  // namespace quorum::host
