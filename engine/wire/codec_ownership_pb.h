// Proto-level ownership codec, for other codec files of engine/wire only (the host's apply
// routing embeds pb::OwnershipCommand / pb::OwnershipSnapshot in apply.proto's envelopes and
// converts with these). Users outside engine/wire call the byte-level functions of codec.h.
// Wire layer: engine/core + protobuf.
#pragma once

#include "engine/core/base/result.h"
#include "engine/core/ownership/command.h"
#include "engine/wire/codec.h"
#include "engine/wire/proto/ownership.pb.h"

namespace quorum::wire {

// Asserts the command's enums are in range (a bad value is a bug of the caller).
void ownership_command_to_proto(const ownership::Command& command, pb::OwnershipCommand* out);
// Never asserts; Status::corruption naming what is wrong. Fields are moved out of `in`.
Result<ownership::Command> ownership_command_from_proto(pb::OwnershipCommand* in);

// Asserts ownership::validate_state(snapshot) is empty.
void ownership_snapshot_to_proto(const OwnershipSnapshot& snapshot, pb::OwnershipSnapshot* out);
// Never asserts; checks order, enums and ownership::validate_state.
Result<OwnershipSnapshot> ownership_snapshot_from_proto(pb::OwnershipSnapshot* in);

}  // namespace quorum::wire
