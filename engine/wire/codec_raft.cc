// Codec of Raft messages and records (raft.proto). Wire layer: engine/core + protobuf.
// Decoding moves strings out of the parsed Protobuf objects instead of copying them: the
// simulator round-trips every message, so a heartbeat must stay cheap.
#include <fmt/format.h>

#include <climits>
#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"
#include "engine/wire/codec_detail.h"
#include "engine/wire/proto/raft.pb.h"

namespace quorum::wire {
namespace {

// Field-count guards: a structured binding stops compiling when a field is added to one of these
// types, so a new field cannot be dropped silently by the codec (the simulator once caught
// TimeoutNow::round being lost on the wire). When this fails: carry the field in raft.proto,
// here (both directions), in codec_test.cc and in the generators of codec_prop_test.cc.
[[maybe_unused]] void field_count_guards(const raft::Message& m, const raft::VoteRequest& vq,
                                         const raft::VoteResponse& vs,
                                         const raft::AppendRequest& aq,
                                         const raft::AppendResponse& as) {
  [[maybe_unused]] const auto& [from, to, term, body] = m;
  [[maybe_unused]] const auto& [vq1, vq2, vq3, vq4, vq5] = vq;
  [[maybe_unused]] const auto& [vs1, vs2] = vs;
  [[maybe_unused]] const auto& [aq1, aq2, aq3, aq4, aq5, aq6] = aq;
  [[maybe_unused]] const auto& [as1, as2, as3, as4, as5, as6, as7, as8, as9, as10] = as;
}

[[maybe_unused]] void field_count_guards(const raft::SnapshotRequest& sq, const raft::TimeoutNow& t,
                                         const raft::Entry& e, const raft::Member& member,
                                         const raft::Snapshot& s) {
  [[maybe_unused]] const auto& [sq1, sq2] = sq;
  [[maybe_unused]] const auto& [t1] = t;
  [[maybe_unused]] const auto& [e1, e2, e3, e4, e5] = e;
  [[maybe_unused]] const auto& [member1, member2, member3] = member;
  [[maybe_unused]] const auto& [s1, s2] = s;
}

[[maybe_unused]] void field_count_guards(const raft::SnapshotMeta& meta, const raft::HardState& hs,
                                         const raft::Membership& membership) {
  [[maybe_unused]] const auto& [meta1, meta2, meta3] = meta;
  [[maybe_unused]] const auto& [hs1, hs2, hs3] = hs;
  [[maybe_unused]] const auto& [membership1] = membership;
}

// ---- core -> proto ----

void to_proto(const raft::Membership& membership, pb::Membership* out) {
  out->mutable_members()->Reserve(static_cast<int>(membership.members.size()));
  for (const raft::Member& member : membership.members) {
    pb::Member* m = out->add_members();
    m->set_node_id(member.id);
    m->set_role(member.role == raft::MemberRole::kVoter ? pb::MEMBER_ROLE_VOTER
                                                        : pb::MEMBER_ROLE_LEARNER);
    m->set_priority(member.priority);
  }
}

pb::EntryKind to_proto(raft::EntryKind kind) {
  switch (kind) {
    case raft::EntryKind::kNoop:
      return pb::ENTRY_KIND_NOOP;
    case raft::EntryKind::kCommand:
      return pb::ENTRY_KIND_COMMAND;
    case raft::EntryKind::kMembership:
      return pb::ENTRY_KIND_MEMBERSHIP;
  }
  QUORUM_UNREACHABLE();
}

void to_proto(const raft::Entry& entry, pb::Entry* out) {
  out->set_term(entry.term);
  out->set_index(entry.index);
  out->set_kind(to_proto(entry.kind));
  if (entry.kind == raft::EntryKind::kCommand) out->set_command_bytes(entry.data);
  if (entry.kind == raft::EntryKind::kMembership)
    to_proto(entry.membership, out->mutable_membership());
}

void to_proto(const raft::SnapshotMeta& meta, pb::SnapshotMeta* out) {
  out->set_last_index(meta.last_index);
  out->set_last_term(meta.last_term);
  to_proto(meta.membership, out->mutable_membership());
}

void to_proto(const raft::Snapshot& snapshot, pb::Snapshot* out) {
  to_proto(snapshot.meta, out->mutable_meta());
  out->set_data_bytes(snapshot.data);
}

void body_to_proto(const raft::MessageBody& body, pb::Message* out) {
  if (const auto* v = std::get_if<raft::VoteRequest>(&body)) {
    pb::VoteRequest* p = out->mutable_vote_request();
    p->set_pre_vote(v->pre_vote);
    p->set_last_log_index(v->last_log_index);
    p->set_last_log_term(v->last_log_term);
    p->set_leadership_transfer(v->leadership_transfer);
    p->set_transfer_round(v->transfer_round);
  } else if (const auto* r = std::get_if<raft::VoteResponse>(&body)) {
    pb::VoteResponse* p = out->mutable_vote_response();
    p->set_pre_vote(r->pre_vote);
    p->set_granted(r->granted);
  } else if (const auto* a = std::get_if<raft::AppendRequest>(&body)) {
    pb::AppendRequest* p = out->mutable_append_request();
    p->set_prev_log_index(a->prev_log_index);
    p->set_prev_log_term(a->prev_log_term);
    p->mutable_entries()->Reserve(static_cast<int>(a->entries.size()));
    for (const raft::Entry& entry : a->entries) to_proto(entry, p->add_entries());
    p->set_leader_commit(a->leader_commit);
    p->set_round(a->round);
    p->set_session_acked_round(a->session_acked_round);
  } else if (const auto* ar = std::get_if<raft::AppendResponse>(&body)) {
    pb::AppendResponse* p = out->mutable_append_response();
    p->set_success(ar->success);
    p->set_match_index(ar->match_index);
    p->set_reject_index(ar->reject_index);
    p->set_hint_index(ar->hint_index);
    p->set_hint_term(ar->hint_term);
    p->set_round(ar->round);
    p->set_applied_index(ar->applied_index);
    p->set_session_start_index(ar->session_start_index);
    p->set_session_generation(ar->session_generation);
    p->set_backend_unfit(ar->backend_unfit);
  } else if (const auto* s = std::get_if<raft::SnapshotRequest>(&body)) {
    pb::SnapshotRequest* p = out->mutable_snapshot_request();
    to_proto(s->snapshot, p->mutable_snapshot());
    p->set_round(s->round);
  } else {
    const auto* t = std::get_if<raft::TimeoutNow>(&body);
    QUORUM_ASSERT(t != nullptr);
    out->mutable_timeout_now()->set_round(t->round);
  }
}

// ---- proto -> core (structural checks only; semantic rules are in check.cc) ----

Result<raft::Membership> from_proto(pb::Membership* in) {
  raft::Membership membership;
  membership.members.reserve(static_cast<std::size_t>(in->members_size()));
  for (const pb::Member& m : in->members()) {
    raft::Member member;
    member.id = m.node_id();
    switch (m.role()) {
      case pb::MEMBER_ROLE_VOTER:
        member.role = raft::MemberRole::kVoter;
        break;
      case pb::MEMBER_ROLE_LEARNER:
        member.role = raft::MemberRole::kLearner;
        break;
      default:
        return Status::corruption(
            fmt::format("member {} has unknown role {}", m.node_id(), static_cast<int>(m.role())));
    }
    member.priority = m.priority();
    membership.members.push_back(member);
  }
  return membership;
}

Result<raft::Entry> from_proto(pb::Entry* in) {
  raft::Entry entry;
  entry.term = in->term();
  entry.index = in->index();
  switch (in->kind()) {
    case pb::ENTRY_KIND_NOOP:
      entry.kind = raft::EntryKind::kNoop;
      break;
    case pb::ENTRY_KIND_COMMAND:
      entry.kind = raft::EntryKind::kCommand;
      break;
    case pb::ENTRY_KIND_MEMBERSHIP:
      entry.kind = raft::EntryKind::kMembership;
      break;
    default:
      return Status::corruption(
          fmt::format("entry {} has unknown kind {}", in->index(), static_cast<int>(in->kind())));
  }
  // A membership field on a non-membership entry, or a missing one on a membership entry, is
  // an impossible combination even if it is empty: the encoder never writes it.
  if (in->has_membership() != (entry.kind == raft::EntryKind::kMembership)) {
    return Status::corruption(fmt::format("entry {}: membership field {} for kind {}", in->index(),
                                          in->has_membership() ? "present" : "missing",
                                          static_cast<int>(in->kind())));
  }
  entry.data = std::move(*in->mutable_command_bytes());
  if (in->has_membership()) {
    Result<raft::Membership> membership = from_proto(in->mutable_membership());
    if (!membership) return membership.error();
    entry.membership = std::move(membership).value();
  }
  return entry;
}

Result<raft::SnapshotMeta> from_proto(pb::SnapshotMeta* in) {
  raft::SnapshotMeta meta;
  meta.last_index = in->last_index();
  meta.last_term = in->last_term();
  if (!in->has_membership()) return Status::corruption("snapshot meta has no membership");
  Result<raft::Membership> membership = from_proto(in->mutable_membership());
  if (!membership) return membership.error();
  meta.membership = std::move(membership).value();
  return meta;
}

Result<raft::Snapshot> from_proto(pb::Snapshot* in) {
  if (!in->has_meta()) return Status::corruption("snapshot has no meta");
  Result<raft::SnapshotMeta> meta = from_proto(in->mutable_meta());
  if (!meta) return meta.error();
  return raft::Snapshot{std::move(meta).value(), std::move(*in->mutable_data_bytes())};
}

Result<raft::MessageBody> append_from_proto(pb::AppendRequest* p) {
  raft::AppendRequest a;
  a.prev_log_index = p->prev_log_index();
  a.prev_log_term = p->prev_log_term();
  a.entries.reserve(static_cast<std::size_t>(p->entries_size()));
  for (pb::Entry& e : *p->mutable_entries()) {
    Result<raft::Entry> entry = from_proto(&e);
    if (!entry) return entry.error();
    a.entries.push_back(std::move(entry).value());
  }
  a.leader_commit = p->leader_commit();
  a.round = p->round();
  a.session_acked_round = p->session_acked_round();
  return raft::MessageBody{std::move(a)};
}

Result<raft::MessageBody> body_from_proto(pb::Message* in) {
  switch (in->body_case()) {
    case pb::Message::kVoteRequest: {
      const pb::VoteRequest& p = in->vote_request();
      return raft::MessageBody{raft::VoteRequest{p.pre_vote(), p.last_log_index(),
                                                 p.last_log_term(), p.leadership_transfer(),
                                                 p.transfer_round()}};
    }
    case pb::Message::kVoteResponse:
      return raft::MessageBody{
          raft::VoteResponse{in->vote_response().pre_vote(), in->vote_response().granted()}};
    case pb::Message::kAppendRequest:
      return append_from_proto(in->mutable_append_request());
    case pb::Message::kAppendResponse: {
      const pb::AppendResponse& p = in->append_response();
      return raft::MessageBody{raft::AppendResponse{
          p.success(), p.match_index(), p.reject_index(), p.hint_index(), p.hint_term(), p.round(),
          p.applied_index(), p.session_start_index(), p.session_generation(), p.backend_unfit()}};
    }
    case pb::Message::kSnapshotRequest: {
      pb::SnapshotRequest* p = in->mutable_snapshot_request();
      if (!p->has_snapshot()) return Status::corruption("snapshot_request has no snapshot");
      Result<raft::Snapshot> snapshot = from_proto(p->mutable_snapshot());
      if (!snapshot) return snapshot.error();
      return raft::MessageBody{raft::SnapshotRequest{std::move(snapshot).value(), p->round()}};
    }
    case pb::Message::kTimeoutNow:
      return raft::MessageBody{raft::TimeoutNow{in->timeout_now().round()}};
    case pb::Message::BODY_NOT_SET:
      break;
  }
  return Status::corruption("no body or a body of an unknown kind");
}

// Prefixes a decode error with what was being decoded.
Status named(std::string_view what, const Status& status) {
  return Status(status.code(), fmt::format("{}: {}", what, status.message()));
}

}  // namespace

std::string encode_message(const raft::Message& message) {
  const std::string reason = check_message(message);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid raft message: {}", reason);
  pb::Message out;
  out.set_from_node_id(message.from);
  out.set_to_node_id(message.to);
  out.set_term(message.term);
  body_to_proto(message.body, &out);
  return detail::serialize(out);
}

Result<raft::Message> decode_message(std::string_view bytes) {
  pb::Message in;
  if (!detail::parse(bytes, &in)) return Status::corruption("raft message: not a valid protobuf");
  Result<raft::MessageBody> body = body_from_proto(&in);
  if (!body) return named("raft message", body.error());
  raft::Message message{in.from_node_id(), in.to_node_id(), in.term(), std::move(body).value()};
  const std::string reason = check_message(message);
  if (!reason.empty()) return Status::corruption("raft message: " + reason);
  return message;
}

std::string encode_entry(const raft::Entry& entry) {
  const std::string reason = check_entry(entry);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid entry: {}", reason);
  pb::Entry out;
  to_proto(entry, &out);
  return detail::serialize(out);
}

Result<raft::Entry> decode_entry(std::string_view bytes) {
  pb::Entry in;
  if (!detail::parse(bytes, &in)) return Status::corruption("entry: not a valid protobuf");
  Result<raft::Entry> entry = from_proto(&in);
  if (!entry) return named("entry", entry.error());
  const std::string reason = check_entry(*entry);
  if (!reason.empty()) return Status::corruption("entry: " + reason);
  return entry;
}

std::string encode_hard_state(const raft::HardState& hard_state) {
  const std::string reason = check_hard_state(hard_state);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid hard state: {}", reason);
  pb::HardState out;
  out.set_current_term(hard_state.current_term);
  out.set_voted_for(hard_state.voted_for);
  out.set_commit_index(hard_state.commit_index);
  return detail::serialize(out);
}

Result<raft::HardState> decode_hard_state(std::string_view bytes) {
  pb::HardState in;
  if (!detail::parse(bytes, &in)) return Status::corruption("hard state: not a valid protobuf");
  raft::HardState hard_state{in.current_term(), in.voted_for(), in.commit_index()};
  const std::string reason = check_hard_state(hard_state);
  if (!reason.empty()) return Status::corruption("hard state: " + reason);
  return hard_state;
}

std::string encode_snapshot_meta(const raft::SnapshotMeta& meta) {
  const std::string reason = check_snapshot_meta(meta);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid snapshot meta: {}", reason);
  pb::SnapshotMeta out;
  to_proto(meta, &out);
  return detail::serialize(out);
}

Result<raft::SnapshotMeta> decode_snapshot_meta(std::string_view bytes) {
  pb::SnapshotMeta in;
  if (!detail::parse(bytes, &in)) return Status::corruption("snapshot meta: not a valid protobuf");
  Result<raft::SnapshotMeta> meta = from_proto(&in);
  if (!meta) return named("snapshot meta", meta.error());
  const std::string reason = check_snapshot_meta(*meta);
  if (!reason.empty()) return Status::corruption("snapshot " + reason);
  return meta;
}

std::string encode_snapshot(const raft::Snapshot& snapshot) {
  const std::string reason = check_snapshot_meta(snapshot.meta);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid snapshot: {}", reason);
  pb::Snapshot out;
  to_proto(snapshot, &out);
  return detail::serialize(out);
}

Result<raft::Snapshot> decode_snapshot(std::string_view bytes) {
  pb::Snapshot in;
  if (!detail::parse(bytes, &in)) return Status::corruption("snapshot: not a valid protobuf");
  Result<raft::Snapshot> snapshot = from_proto(&in);
  if (!snapshot) return named("snapshot", snapshot.error());
  const std::string reason = check_snapshot_meta(snapshot->meta);
  if (!reason.empty()) return Status::corruption("snapshot " + reason);
  return snapshot;
}

}  // namespace quorum::wire
