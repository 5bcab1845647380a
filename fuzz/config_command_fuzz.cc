// libFuzzer target: committed config commands from untrusted bytes, applied to a state machine.
// The input is a sequence of records [u8 index gap][u16 LE length][payload]; each payload is
// decoded as a command entry and, if it decodes, applied at the next index. Properties: never
// crashes; check_state and check_transition hold after every apply; the final state survives
// AppSnapshot encode + decode + restore unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/core/config_sync/invariants.h"
#include "engine/core/config_sync/state_machine.h"
#include "engine/wire/codec.h"

namespace {

void check_snapshot_round_trip(const quorum::config_sync::StateMachine& machine) {
  namespace w = quorum::wire;
  const w::AppSnapshot snapshot{machine.applied_index(), machine.files()};
  auto decoded = w::decode_app_snapshot(w::encode_app_snapshot(snapshot));
  QUORUM_ASSERT(decoded.has_value(), "{}", decoded.error().to_string());
  QUORUM_ASSERT(*decoded == snapshot);
  quorum::config_sync::StateMachine restored;
  QUORUM_ASSERT(restored.restore(decoded->config_applied_index, decoded->config_files).is_ok());
  QUORUM_ASSERT(restored.files() == machine.files());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  quorum::config_sync::StateMachine machine;
  quorum::LogIndex index = 0;
  while (input.size() >= 3) {
    const std::size_t gap = static_cast<unsigned char>(input[0]) % 4 + std::size_t{1};
    const std::size_t length = static_cast<unsigned char>(input[1]) |
                               (std::size_t{static_cast<unsigned char>(input[2])} << 8);
    input.remove_prefix(3);
    const std::string_view payload = input.substr(0, length);
    input.remove_prefix(payload.size());
    auto command = quorum::wire::decode_config_command(payload);
    if (!command.has_value()) continue;
    index += gap;
    const quorum::config_sync::StateMachine before = machine;
    const auto result = machine.apply(index, *command);
    QUORUM_ASSERT(result.code == quorum::config_sync::ApplyResult::Code::kApplied ||
                  machine.files() == before.files());
    const std::string state = quorum::config_sync::check_state(machine);
    QUORUM_ASSERT(state.empty(), "{}", state);
    const std::string transition = quorum::config_sync::check_transition(before, machine);
    QUORUM_ASSERT(transition.empty(), "{}", transition);
  }
  check_snapshot_round_trip(machine);
  return 0;
}
