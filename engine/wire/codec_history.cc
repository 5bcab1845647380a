// The leadership history family on the wire (codec_history_pb.h). Wire layer.
#include <fmt/format.h>

#include "engine/core/base/assert.h"
#include "engine/wire/codec_detail.h"
#include "engine/wire/codec_history_pb.h"
#include "engine/wire/proto/apply.pb.h"

namespace quorum::wire {
namespace {

[[maybe_unused]] void field_count_guards(const history::Record& record,
                                         const history::Change& change) {
  [[maybe_unused]] const auto& [record1, record2, record3, record4] = record;
  [[maybe_unused]] const auto& [change1, change2, change3, change4] = change;
}

pb::LeaderChangeReason reason_to_proto(history::Reason reason) {
  switch (reason) {
    case history::Reason::kElection:
      return pb::LEADER_CHANGE_REASON_ELECTION;
    case history::Reason::kTransfer:
      return pb::LEADER_CHANGE_REASON_TRANSFER;
  }
  QUORUM_ASSERT(false, "leader record with reason {}", static_cast<int>(reason));
  return pb::LEADER_CHANGE_REASON_UNSPECIFIED;
}

}  // namespace

void history_record_to_proto(const history::Record& record, pb::LeaderRecord* out) {
  out->set_term(record.term);
  out->set_leader(record.leader);
  out->set_reason(reason_to_proto(record.reason));
  out->set_wall_ms(record.wall_ms);
}

Result<history::Record> history_record_from_proto(const pb::LeaderRecord& in) {
  history::Record record{in.term(), in.leader(), history::Reason::kElection, in.wall_ms()};
  switch (in.reason()) {
    case pb::LEADER_CHANGE_REASON_ELECTION:
      break;
    case pb::LEADER_CHANGE_REASON_TRANSFER:
      record.reason = history::Reason::kTransfer;
      break;
    default:
      return Status::corruption(fmt::format("leader record: unknown reason {}",
                                            static_cast<int>(in.reason())));
  }
  return record;
}

void history_snapshot_to_proto(const HistorySnapshot& snapshot, pb::HistorySnapshot* out) {
  const std::string reason = history::validate_changes(snapshot.changes, snapshot.applied_index);
  QUORUM_ASSERT(reason.empty(), "encoding an invalid leader history: {}", reason);
  out->set_applied_index(snapshot.applied_index);
  for (const history::Change& change : snapshot.changes) {
    pb::LeaderChange* c = out->add_changes();
    history_record_to_proto(change.record, c->mutable_record());
    c->set_index(change.index);
    c->set_previous_leader(change.previous_leader);
    c->set_previous_term(change.previous_term);
  }
}

Result<HistorySnapshot> history_snapshot_from_proto(const pb::HistorySnapshot& in) {
  if (static_cast<std::size_t>(in.changes_size()) > history::kRecordsMax) {
    return Status::corruption(fmt::format("leader history: {} records, above the limit {}",
                                          in.changes_size(), history::kRecordsMax));
  }
  HistorySnapshot snapshot;
  snapshot.applied_index = in.applied_index();
  for (const pb::LeaderChange& c : in.changes()) {
    Result<history::Record> record = history_record_from_proto(c.record());
    if (!record.has_value()) return record.error();
    snapshot.changes.push_back(
        history::Change{*record, c.index(), c.previous_leader(), c.previous_term()});
  }
  const std::string reason = history::validate_changes(snapshot.changes, snapshot.applied_index);
  if (!reason.empty()) return Status::corruption("leader history: " + reason);
  return snapshot;
}

std::string encode_history_payload(const history::Record& record) {
  pb::CommandPayload out;
  history_record_to_proto(record, out.mutable_history());
  QUORUM_ASSERT(out.family_case() == pb::CommandPayload::kHistory);
  return detail::serialize(out);
}

Result<history::Record> decode_history_payload(std::string_view payload) {
  pb::CommandPayload in;
  if (!detail::parse(payload, &in)) return Status::corruption("command: not a valid protobuf");
  if (in.family_case() != pb::CommandPayload::kHistory) {
    return Status::corruption("command: not of the history family");
  }
  return history_record_from_proto(in.history());
}

}  // namespace quorum::wire
