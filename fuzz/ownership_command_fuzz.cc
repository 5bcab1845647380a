// libFuzzer target: committed ownership commands from untrusted bytes, applied to the ownership
// state machine, with the assignment policy run in between. The input is a sequence of records
// [u8 flags][u16 LE length][payload]; each payload is decoded as an ownership command and, if it
// decodes, applied at the next index (gap = flags % 4 + 1). When flags & 0x80, the policy plans
// with every controller alive and stable and its commands are applied too. Properties: never
// crashes; validate_state and check_transition hold after every apply; every planned command
// applies; the final state survives snapshot encode + decode + restore unchanged.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "engine/core/base/assert.h"
#include "engine/core/ownership/assign.h"
#include "engine/core/ownership/invariants.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/wire/codec.h"

namespace {

namespace own = quorum::ownership;
namespace w = quorum::wire;

own::ApplyResult apply_checked(own::StateMachine& machine, const own::Command& command) {
  const own::StateMachine before = machine;
  const own::ApplyResult result = machine.apply(machine.applied_index() + 1, command);
  QUORUM_ASSERT(result.code == own::ApplyResult::Code::kApplied ||
                machine.snapshot() == before.snapshot());
  const std::string state = own::check_state(machine);
  QUORUM_ASSERT(state.empty(), "{}", state);
  const std::string transition = own::check_transition(before, machine);
  QUORUM_ASSERT(transition.empty(), "{}", transition);
  return result;
}

void run_policy(own::StateMachine& machine) {
  std::set<quorum::NodeId> everyone;
  for (const auto& [id, c] : machine.controllers()) everyone.insert(id);
  for (const own::Command& c : own::plan(own::PolicyInput{machine, everyone, everyone, 4})) {
    const own::ApplyResult r = apply_checked(machine, c);
    QUORUM_ASSERT(r.code == own::ApplyResult::Code::kApplied, "planned command refused: {}",
                  r.reason);
  }
}

void check_snapshot_round_trip(const own::StateMachine& machine) {
  const w::OwnershipSnapshot snapshot{machine.applied_index(), machine.snapshot()};
  auto decoded = w::decode_ownership_snapshot(w::encode_ownership_snapshot(snapshot));
  QUORUM_ASSERT(decoded.has_value(), "{}", decoded.error().to_string());
  QUORUM_ASSERT(*decoded == snapshot);
  own::StateMachine restored;
  QUORUM_ASSERT(restored.restore(decoded->applied_index, decoded->state).is_ok());
  QUORUM_ASSERT(restored == machine);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  own::StateMachine machine;
  while (input.size() >= 3) {
    const auto flags = static_cast<unsigned char>(input[0]);
    const std::size_t length = static_cast<unsigned char>(input[1]) |
                               (std::size_t{static_cast<unsigned char>(input[2])} << 8);
    input.remove_prefix(3);
    const std::string_view payload = input.substr(0, length);
    input.remove_prefix(payload.size());
    auto command = w::decode_ownership_command(payload);
    if (command.has_value()) {
      // An index gap: entries of other families (config, no-ops) sit between ownership entries.
      const quorum::LogIndex gap = flags % 4;
      if (gap > 0) {
        own::StateMachine skipped = machine;
        QUORUM_ASSERT(skipped.restore(machine.applied_index() + gap, machine.snapshot()).is_ok());
        machine = skipped;
      }
      (void)apply_checked(machine, *command);
    }
    if (flags & 0x80) run_policy(machine);
  }
  check_snapshot_round_trip(machine);
  return 0;
}
