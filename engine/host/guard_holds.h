// GuardHolds: the holds that local guards (`quorumctl run`) keep on the clusters this controller
// acts on, and the cap they put on the applied index the node reports to the leader
// (docs/ownership.md, "The hand-over waits for local guards"). Host layer: core types only; no
// clock (time is passed in, in ticks of this host's clock), so every case is a table test.
//
// The rule. A guard H asking may-act on cluster c with a hold of X gets, on each "yes" answered
// at clock reading `now` with permission end N, a hold on c until min(N, now + X) plus one tick
// (the tick count lags the clock by less than one tick: the hold never ends before the guard's
// own deadline). The hold ends when H drops it (its COMMAND's group is gone) or when the clock
// reaches its end. While c is handing over from this controller (it applied the Release) and
// any hold on c has not ended, the node reports an applied index below that Release's index, so
// the leader, which grants c to the next owner only once this node reported the Release applied,
// grants nothing yet. Without holds nothing changes: no cap.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "engine/core/base/types.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/raft/node.h"

namespace quorum::host {

class GuardHolds {
 public:
  // Bounds what a misbehaving client can make the host keep. A hold refused for it leaves the
  // guard without the node's promise, and the guard then must not start (or keep) COMMAND.
  static constexpr std::size_t kHoldsMax = 4096;
  static constexpr std::size_t kHolderBytesMax = 64;

  enum class Added : std::uint8_t { kAdded, kRenewed, kFull };
  // Records or renews H's hold on `cluster` until `until_ticks`; a renewal never shortens it.
  Added hold(ownership::ClusterId cluster, const std::string& holder, Ticks until_ticks);
  // Drops H's hold; false if there was none (never taken, already dropped or expired).
  bool drop(ownership::ClusterId cluster, const std::string& holder);
  // Ends every hold whose end is at or before `now_ticks`.
  void expire(Ticks now_ticks);

  // The cap on the applied index to report (raft::kNoAppliedReportCap: none), after expiring
  // holds at `now_ticks`. Call it after every batch the node applied, before the node sends
  // anything else, with the node's applied index now: a cluster first seen handing over from
  // `self` was released by an entry after the index of the previous call, so that index is below
  // the Release and is the cap while the cluster stays held and handing over from self.
  LogIndex report_cap(const ownership::StateMachine& state, NodeId self, LogIndex applied_index,
                      Ticks now_ticks);

  std::size_t size() const { return holds_.size(); }
  bool empty() const { return holds_.empty(); }
  // The latest end of any hold on `cluster`; 0 for none.
  Ticks held_until(ownership::ClusterId cluster) const;

 private:
  std::map<std::pair<ownership::ClusterId, std::string>, Ticks> holds_;  // -> end, ticks
  // Cluster handing over from self while held -> an applied index below its Release.
  std::map<ownership::ClusterId, LogIndex> release_bound_;
  LogIndex last_applied_index_ = 0;
};

// Whether `holder` is a usable token: 1 to kHolderBytesMax bytes of [A-Za-z0-9._-].
bool valid_holder(const std::string& holder);

}  // namespace quorum::host
