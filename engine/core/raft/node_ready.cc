// The Ready/advance contract (ready.h). Core: std and fmt only.
#include "engine/core/base/assert.h"
#include "engine/core/raft/node_impl.h"

namespace quorum::raft {

bool Node::Impl::has_ready() const {
  return soft_state() != reported_soft_ || hard_state() != reported_hard_ || log_.has_unstable() ||
         log_.has_committed_to_apply() || snapshot_to_report_.has_value() || appends_pending_ || commit_notify_pending_ ||
         !messages_.empty() || !messages_after_persist_.empty() || !read_states_.empty() ||
         !trace_events_.empty();
}

Ready Node::Impl::ready() {
  QUORUM_ASSERT(!ready_outstanding_, "ready() called twice without advance() (seq {})", seq_);
  // Proposals since the last batch leave together: one append per follower, not one per call.
  if (appends_pending_ && role_ == Role::kLeader) broadcast_append();
  appends_pending_ = false;
  if (commit_notify_pending_ && role_ == Role::kLeader) send_commit_notifications();
  commit_notify_pending_ = false;
  Ready r;
  r.seq = ++seq_;
  if (soft_state() != reported_soft_) {
    r.soft_state = soft_state();
    reported_soft_ = soft_state();
  }
  const HardState hard = hard_state();
  bool must_sync = false;
  if (hard != reported_hard_) {
    r.hard_state = hard;
    must_sync = hard.current_term != reported_hard_.current_term ||
                hard.voted_for != reported_hard_.voted_for;
    reported_hard_ = hard;
  }
  if (snapshot_to_report_) {
    r.snapshot = std::move(snapshot_to_report_);
    r.snapshot_received = snapshot_received_;
    snapshot_to_report_.reset();
    snapshot_received_ = false;
    must_sync = true;
  }
  r.entries = log_.take_unstable();
  handed_last_ = r.entries.empty() ? EntryId{} : r.entries.back().id();
  // Committed entries may include entries of this very batch: the host persists before it
  // applies (ready.h, steps 2 and 5).
  r.committed_entries = log_.take_committed();
  handed_applying_ = log_.applying_index();
  r.must_sync = must_sync || !r.entries.empty();
  r.messages = std::move(messages_);
  r.messages_after_persist = std::move(messages_after_persist_);
  r.read_states = std::move(read_states_);
  r.trace_events = std::move(trace_events_);
  messages_.clear();
  messages_after_persist_.clear();
  read_states_.clear();
  trace_events_.clear();
  round_emitted_ = true;
  ready_outstanding_ = true;
  QUORUM_ASSERT_EXPENSIVE(r.check().empty(), "{}", r.check());
  return r;
}

void Node::Impl::advance(const ReadyAck& ack) {
  QUORUM_ASSERT(ready_outstanding_, "advance() without a ready()");
  QUORUM_ASSERT(ack.seq == seq_, "advance() acknowledges seq {} but the last Ready was {}", ack.seq,
                seq_);
  ready_outstanding_ = false;
  log_.on_persisted(handed_last_);
  log_.on_applied(handed_applying_);
  QUORUM_ASSERT(log_.applied_index() >= handed_applying_);
  // The leader's own persisted entries count towards the commit majority.
  if (role_ == Role::kLeader) maybe_commit();
}

}  // namespace quorum::raft
