// Text renderings of core values. Test support.
#include "tests/support/raft_text.h"

#include <fmt/format.h>

#include <variant>

namespace quorum::testing {
namespace {

std::string node_text(NodeId id) {
  return id == kNoNode ? "none" : std::to_string(id);
}

struct MessageBodyText {
  std::string operator()(const raft::VoteRequest& r) const {
    return fmt::format(
        "{} last={}@{}{}", r.pre_vote ? "pre-vote" : "vote", r.last_log_index, r.last_log_term,
        r.leadership_transfer ? fmt::format(" transfer round={}", r.transfer_round) : "");
  }
  std::string operator()(const raft::VoteResponse& r) const {
    return fmt::format("{} {}", r.pre_vote ? "pre-vote-resp" : "vote-resp",
                       r.granted ? "granted" : "refused");
  }
  std::string operator()(const raft::AppendRequest& r) const {
    std::string text = fmt::format("app prev={}@{} commit={} round={}", r.prev_log_index,
                                   r.prev_log_term, r.leader_commit, r.round);
    if (!r.entries.empty()) text += " [" + entries_text(r.entries) + "]";
    return text;
  }
  std::string operator()(const raft::AppendResponse& r) const {
    if (r.success) return fmt::format("app-resp ok match={} round={}", r.match_index, r.round);
    return fmt::format("app-resp reject index={} hint={}@{} round={}", r.reject_index, r.hint_index,
                       r.hint_term, r.round);
  }
  std::string operator()(const raft::SnapshotRequest& r) const {
    return fmt::format("snap at={}@{} round={} conf=({})", r.snapshot.meta.last_index,
                       r.snapshot.meta.last_term, r.round,
                       membership_text(r.snapshot.meta.membership));
  }
  std::string operator()(const raft::TimeoutNow& r) const {
    return fmt::format("timeout-now round={}", r.round);
  }
};

// "app" etc. carry the term right after the kind for every message.
std::string with_term(const std::string& body, Term term) {
  const std::size_t space = body.find(' ');
  if (space == std::string::npos) return fmt::format("{} term={}", body, term);
  return fmt::format("{} term={}{}", body.substr(0, space), term, body.substr(space));
}

}  // namespace

std::string membership_text(const raft::Membership& membership) {
  std::string text;
  for (const raft::Member& m : membership.members) {
    if (!text.empty()) text += " ";
    text += fmt::format("{}{}", m.role == raft::MemberRole::kVoter ? "v" : "l", m.id);
    if (m.priority != 1) text += fmt::format(":p{}", m.priority);
  }
  return text;
}

std::string entry_text(const raft::Entry& entry) {
  switch (entry.kind) {
    case raft::EntryKind::kNoop:
      return fmt::format("{}@{} noop", entry.index, entry.term);
    case raft::EntryKind::kCommand:
      return fmt::format("{}@{} cmd \"{}\"", entry.index, entry.term, entry.data);
    case raft::EntryKind::kMembership:
      return fmt::format("{}@{} conf {}", entry.index, entry.term,
                         membership_text(entry.membership));
  }
  return "?";
}

std::string entries_text(const std::vector<raft::Entry>& entries) {
  std::string text;
  for (const raft::Entry& e : entries) {
    if (!text.empty()) text += ", ";
    text += entry_text(e);
  }
  return text;
}

std::string message_text(const raft::Message& message) {
  return fmt::format("{}->{} {}", message.from, message.to,
                     with_term(std::visit(MessageBodyText{}, message.body), message.term));
}

std::string trace_text(const raft::TraceEvent& event) {
  std::string text = fmt::format("{} term={}", raft::trace_kind_name(event.kind), event.term);
  if (event.kind == raft::TraceKind::kRoleChanged) {
    text += fmt::format(" role={}", raft::role_name(event.role));
  }
  if (event.peer != kNoNode) text += fmt::format(" peer={}", event.peer);
  if (event.index != 0) text += fmt::format(" index={}", event.index);
  return text;
}

std::string request_result_text(raft::RequestResult result) {
  switch (result) {
    case raft::RequestResult::kOk:
      return "ok";
    case raft::RequestResult::kNotLeader:
      return "not-leader";
    case raft::RequestResult::kNoSuchVoter:
      return "no-such-voter";
    case raft::RequestResult::kAlreadyLeader:
      return "already-leader";
    case raft::RequestResult::kNoCandidate:
      return "no-candidate";
    case raft::RequestResult::kTransferInProgress:
      return "transfer-in-progress";
  }
  return "?";
}

std::string ready_text(NodeId id, const raft::Ready& ready) {
  std::string text = fmt::format("{}: ready{}", id, ready.must_sync ? " (sync)" : "");
  if (ready.soft_state) {
    text += fmt::format("\n  role: {} term={} leader={}", raft::role_name(ready.soft_state->role),
                        ready.soft_state->term, node_text(ready.soft_state->leader_id));
  }
  if (ready.hard_state) {
    text += fmt::format("\n  hard: term={} vote={} commit={}", ready.hard_state->current_term,
                        node_text(ready.hard_state->voted_for), ready.hard_state->commit_index);
  }
  if (!ready.entries.empty()) text += "\n  entries: " + entries_text(ready.entries);
  if (ready.snapshot) {
    text += fmt::format("\n  snapshot: {}@{} conf=({}){}", ready.snapshot->meta.last_index,
                        ready.snapshot->meta.last_term,
                        membership_text(ready.snapshot->meta.membership),
                        ready.snapshot_received ? " received" : "");
  }
  if (!ready.committed_entries.empty()) {
    text += "\n  committed: " + entries_text(ready.committed_entries);
  }
  for (const raft::Message& m : ready.messages) text += "\n  send: " + message_text(m);
  for (const raft::Message& m : ready.messages_after_persist) {
    text += "\n  send after persist: " + message_text(m);
  }
  for (const raft::ReadState& r : ready.read_states) {
    text += fmt::format("\n  read: id={} index={}", r.request_id, r.index);
  }
  for (const raft::TraceEvent& e : ready.trace_events) text += "\n  trace: " + trace_text(e);
  return text;
}

std::string ready_roles_text(NodeId id, const raft::Ready& ready, raft::Role before) {
  if (!ready.soft_state || ready.soft_state->role == before) return {};
  return fmt::format("{}: {} -> {} term={} leader={}", id, raft::role_name(before),
                     raft::role_name(ready.soft_state->role), ready.soft_state->term,
                     node_text(ready.soft_state->leader_id));
}

}  // namespace quorum::testing
