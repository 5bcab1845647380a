// Proto-level codec of the leadership history family, for other codec files of engine/wire only
// (codec_apply.cc embeds it in apply.proto's envelopes). Wire layer: engine/core + protobuf.
#pragma once

#include "engine/core/base/result.h"
#include "engine/core/history/state_machine.h"
#include "engine/wire/codec.h"
#include "engine/wire/proto/history.pb.h"

namespace quorum::wire {

// Asserts the reason is in range (a bad value is a bug of the caller).
void history_record_to_proto(const history::Record& record, pb::LeaderRecord* out);
// Never asserts; Status::corruption for an unknown reason. Other fields are checked at apply.
Result<history::Record> history_record_from_proto(const pb::LeaderRecord& in);

// Asserts history::validate_changes is empty.
void history_snapshot_to_proto(const HistorySnapshot& snapshot, pb::HistorySnapshot* out);
// Never asserts; checks every record and history::validate_changes.
Result<HistorySnapshot> history_snapshot_from_proto(const pb::HistorySnapshot& in);

}  // namespace quorum::wire
