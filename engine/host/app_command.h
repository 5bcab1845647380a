// The application layer as the host sees it: one command type with a case per state machine
// family, one result type with a case per family, and the replicated state with one state
// machine per family. NodeHost's API takes an AppCommand and answers with an AppResult, so a
// new family is a new case here and a handler in apply_router.cc, never a new NodeHost method.
// Host layer: core + wire.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "engine/core/base/result.h"
#include "engine/core/config_sync/command.h"
#include "engine/core/config_sync/state_machine.h"
#include "engine/core/history/state_machine.h"
#include "engine/core/ownership/command.h"
#include "engine/core/ownership/state_machine.h"

namespace quorum::host {

// What a client proposes. The case is the family (apply.proto CommandPayload's oneof).
using AppCommand = std::variant<config_sync::Command, ownership::Command, history::Record>;

// A committed command entry whose payload does not decode (corrupted bytes, or a family or
// command this build does not know): it is consumed and changes no state machine. The bytes are
// the same on every node, so every node gives this same result.
struct UndecodableCommand {
  std::string reason;
  friend bool operator==(const UndecodableCommand&, const UndecodableCommand&) = default;
};

// The outcome of applying one committed entry: std::monostate for entries that carry no command
// (the leader's no-op, membership changes), otherwise the result of the family's state machine,
// or UndecodableCommand.
using AppResult = std::variant<std::monostate, config_sync::ApplyResult, ownership::ApplyResult,
                               history::ApplyResult, UndecodableCommand>;

// The replicated application state: one state machine per family. Owned by the ApplyRouter;
// read through NodeHost::state() (const).
struct AppState {
  config_sync::StateMachine config;
  ownership::StateMachine ownership;
  history::StateMachine history;  // the leadership history
};

// True if this build can encode the command's family (NodeHost::propose refuses it otherwise).
bool app_command_encodable(const AppCommand& command);
// The payload bytes of a COMMAND entry (apply.proto CommandPayload). Asserts
// app_command_encodable; commands are validated by their state machine when applied.
std::string encode_app_command(const AppCommand& command);
// Never asserts on the bytes: Status::corruption naming what is wrong.
Result<AppCommand> decode_app_command(std::string_view payload);

// "config", "ownership", "history" (logs, replies).
std::string_view app_command_family_name(const AppCommand& command);

}  // namespace quorum::host
