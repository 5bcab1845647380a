// Validity rules of the values the codec carries. Encoding asserts them (a bad value is a bug of
// the caller); decoding returns them as Status::corruption (bad bytes are an operating error).
// Wire layer: engine/core + protobuf (this file needs only the core).
#include <fmt/format.h>

#include "engine/wire/codec.h"

namespace quorum::wire {
namespace {

// Log position 0 has term 0 and every real entry has a term >= 1, so an (index, term) pair
// naming a log position is either (0, 0) or has both non-zero.
std::string check_log_position(std::string_view what, LogIndex index, Term term) {
  if (index == 0 && term != 0) return fmt::format("{} index is 0 but its term is {}", what, term);
  if (index != 0 && term == 0) return fmt::format("{} index is {} but its term is 0", what, index);
  return {};
}

std::string check_vote_request(const raft::VoteRequest& request, Term term) {
  std::string reason =
      check_log_position("last log", request.last_log_index, request.last_log_term);
  if (!reason.empty()) return reason;
  if (request.last_log_term > term) {
    return fmt::format("last log term {} is above the campaign term {}", request.last_log_term,
                       term);
  }
  return {};
}

std::string check_append_request(const raft::AppendRequest& request, Term term) {
  std::string reason =
      check_log_position("prev log", request.prev_log_index, request.prev_log_term);
  if (!reason.empty()) return reason;
  if (request.prev_log_term > term) {
    return fmt::format("prev log term {} is above the leader's term {}", request.prev_log_term,
                       term);
  }
  reason = check_entries(request.entries, request.prev_log_index + 1);
  if (!reason.empty()) return reason;
  if (!request.entries.empty()) {
    if (request.entries.front().term < request.prev_log_term) {
      return fmt::format("first entry term {} is below prev log term {}",
                         request.entries.front().term, request.prev_log_term);
    }
    if (request.entries.back().term > term) {
      return fmt::format("last entry term {} is above the leader's term {}",
                         request.entries.back().term, term);
    }
  }
  return {};
}

std::string check_append_response(const raft::AppendResponse& response) {
  if (response.success && response.reject_index != 0) {
    return fmt::format("a successful response carries reject index {}", response.reject_index);
  }
  return {};
}

std::string check_snapshot_request(const raft::SnapshotRequest& request, Term term) {
  std::string reason = check_snapshot_meta(request.snapshot.meta);
  if (!reason.empty()) return "snapshot " + reason;
  if (request.snapshot.meta.last_term > term) {
    return fmt::format("snapshot last term {} is above the leader's term {}",
                       request.snapshot.meta.last_term, term);
  }
  return {};
}

static_assert(std::variant_size_v<raft::MessageBody> == 6,
              "a new message kind needs a name and a codec case");

// Our own names (the core's message_kind_name may not be linked into every wire user).
std::string_view body_name(const raft::MessageBody& body) {
  switch (body.index()) {
    case 0:
      return "vote_request";
    case 1:
      return "vote_response";
    case 2:
      return "append_request";
    case 3:
      return "append_response";
    case 4:
      return "snapshot_request";
    case 5:
      return "timeout_now";
    default:
      return "unknown message";
  }
}

// Requests are sent by a candidate or a leader, which always has a term >= 1.
bool is_request(const raft::MessageBody& body) {
  return !std::holds_alternative<raft::VoteResponse>(body) &&
         !std::holds_alternative<raft::AppendResponse>(body);
}

std::string check_body(const raft::Message& message) {
  if (const auto* vote = std::get_if<raft::VoteRequest>(&message.body)) {
    return check_vote_request(*vote, message.term);
  }
  if (const auto* append = std::get_if<raft::AppendRequest>(&message.body)) {
    return check_append_request(*append, message.term);
  }
  if (const auto* response = std::get_if<raft::AppendResponse>(&message.body)) {
    return check_append_response(*response);
  }
  if (const auto* snapshot = std::get_if<raft::SnapshotRequest>(&message.body)) {
    return check_snapshot_request(*snapshot, message.term);
  }
  return {};
}

}  // namespace

std::string check_membership(const raft::Membership& membership) {
  if (membership.members.empty()) return "membership has no member";
  std::size_t voter_count = 0;
  NodeId previous = kNoNode;
  for (const raft::Member& member : membership.members) {
    if (member.id == kNoNode) return "membership has a member with node id 0";
    if (member.id <= previous) {
      return fmt::format("membership ids are not strictly increasing ({} after {})", member.id,
                         previous);
    }
    previous = member.id;
    switch (member.role) {
      case raft::MemberRole::kVoter:
        ++voter_count;
        break;
      case raft::MemberRole::kLearner:
        break;
      default:
        return fmt::format("member {} has an unknown role", member.id);
    }
  }
  if (voter_count == 0) return "membership has no voter";
  return {};
}

std::string check_entry(const raft::Entry& entry) {
  if (entry.index == 0) return "entry index is 0";
  if (entry.term == 0) return fmt::format("entry {} has term 0", entry.index);
  if (entry.term > kTermMax) {
    return fmt::format("entry {} has term {}, above the largest term {}", entry.index, entry.term,
                       kTermMax);
  }
  switch (entry.kind) {
    case raft::EntryKind::kNoop:
      if (!entry.data.empty()) return fmt::format("noop entry {} carries data", entry.index);
      if (!entry.membership.members.empty()) {
        return fmt::format("noop entry {} carries a membership", entry.index);
      }
      return {};
    case raft::EntryKind::kCommand:
      if (!entry.membership.members.empty()) {
        return fmt::format("command entry {} carries a membership", entry.index);
      }
      return {};
    case raft::EntryKind::kMembership: {
      if (!entry.data.empty()) return fmt::format("membership entry {} carries data", entry.index);
      std::string reason = check_membership(entry.membership);
      if (!reason.empty()) return fmt::format("membership entry {}: {}", entry.index, reason);
      return {};
    }
  }
  return fmt::format("entry {} has an unknown kind", entry.index);
}

std::string check_entries(const std::vector<raft::Entry>& entries, LogIndex first_index) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const raft::Entry& entry = entries[i];
    if (entry.index != first_index + i) {
      return fmt::format("entry {}: index {} where {} was expected", i, entry.index,
                         first_index + i);
    }
    if (i > 0 && entry.term < entries[i - 1].term) {
      return fmt::format("entry {}: term {} is below the previous entry's term {}", i, entry.term,
                         entries[i - 1].term);
    }
    std::string reason = check_entry(entry);
    if (!reason.empty()) return fmt::format("entry {}: {}", i, reason);
  }
  return {};
}

std::string check_hard_state(const raft::HardState& hard_state) {
  if (hard_state.current_term > kTermMax) {
    return fmt::format("current term {} is above the largest term {}", hard_state.current_term,
                       kTermMax);
  }
  if (hard_state.current_term == 0 && hard_state.voted_for != kNoNode) {
    return fmt::format("voted for {} in term 0 (no election has term 0)", hard_state.voted_for);
  }
  return {};
}

std::string check_snapshot_meta(const raft::SnapshotMeta& meta) {
  if (meta.last_index == 0) return "meta: last index is 0";
  if (meta.last_term == 0) return "meta: last term is 0";
  if (meta.last_term > kTermMax) {
    return fmt::format("meta: last term {} is above the largest term {}", meta.last_term, kTermMax);
  }
  std::string reason = check_membership(meta.membership);
  if (!reason.empty()) return "meta: " + reason;
  return {};
}

std::string check_message(const raft::Message& message) {
  if (message.from == kNoNode) return "sender node id is 0";
  if (message.to == kNoNode) return "recipient node id is 0";
  if (message.term > kTermMax) {
    return fmt::format("term {} is above the largest term {}", message.term, kTermMax);
  }
  const std::string_view kind = body_name(message.body);
  if (is_request(message.body) && message.term == 0) return fmt::format("{} with term 0", kind);
  std::string reason = check_body(message);
  if (!reason.empty()) return fmt::format("{}: {}", kind, reason);
  return {};
}

}  // namespace quorum::wire
