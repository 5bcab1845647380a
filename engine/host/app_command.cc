// Command payloads by family. Host layer: core + wire.
#include "engine/host/app_command.h"

#include <utility>

#include "engine/core/base/assert.h"
#include "engine/wire/codec.h"

namespace quorum::host {

bool app_command_encodable(const AppCommand&) {
  return true;  // every family has its codec in this build
}

std::string encode_app_command(const AppCommand& command) {
  if (const auto* config = std::get_if<config_sync::Command>(&command)) {
    return wire::encode_config_command(*config);
  }
  if (const auto* history = std::get_if<history::Record>(&command)) {
    return wire::encode_history_payload(*history);
  }
  return wire::encode_ownership_payload(std::get<ownership::Command>(command));
}

Result<AppCommand> decode_app_command(std::string_view payload) {
  Result<wire::CommandFamily> family = wire::decode_command_family(payload);
  if (!family.has_value()) return family.error();
  switch (*family) {
    case wire::CommandFamily::kConfig: {
      Result<config_sync::Command> command = wire::decode_config_command(payload);
      if (!command.has_value()) return command.error();
      return AppCommand{std::move(command).value()};
    }
    case wire::CommandFamily::kOwnership: {
      Result<ownership::Command> command = wire::decode_ownership_payload(payload);
      if (!command.has_value()) return command.error();
      return AppCommand{std::move(command).value()};
    }
    case wire::CommandFamily::kHistory: {
      Result<history::Record> record = wire::decode_history_payload(payload);
      if (!record.has_value()) return record.error();
      return AppCommand{std::move(record).value()};
    }
  }
  return Status::corruption("command: family without a state machine in this build");
}

std::string_view app_command_family_name(const AppCommand& command) {
  if (std::holds_alternative<config_sync::Command>(command)) return "config";
  if (std::holds_alternative<ownership::Command>(command)) return "ownership";
  return "history";
}

}  // namespace quorum::host
