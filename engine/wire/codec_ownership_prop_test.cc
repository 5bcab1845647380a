// Property tests (RapidCheck) of the ownership codec: every command (any field values) and the
// snapshot of any generated machine survive encode + decode unchanged; arbitrary bytes never
// crash a decoder, and what a decoder accepts re-encodes to an equal value.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "engine/core/ownership/testing_gen.h"
#include "engine/wire/codec.h"

namespace quorum::wire {
namespace {

namespace own = ownership;

RC_GTEST_PROP(OwnershipCodecProperty, AnyCommandRoundTrips, ()) {
  const own::Command command = own::testing::gen_command(nullptr);
  Result<own::Command> decoded = decode_ownership_command(encode_ownership_command(command));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == command);
}

RC_GTEST_PROP(OwnershipCodecProperty, TheSnapshotOfAnyGeneratedMachineRoundTrips, ()) {
  own::StateMachine sm;
  const int count = *rc::gen::inRange(0, 200);
  for (int i = 0; i < count; ++i) {
    (void)sm.apply(sm.applied_index() + 1, own::testing::gen_command(&sm));
  }
  const OwnershipSnapshot snapshot{sm.applied_index(), sm.snapshot()};
  Result<OwnershipSnapshot> decoded = decode_ownership_snapshot(encode_ownership_snapshot(snapshot));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == snapshot);
  own::StateMachine restored;
  RC_ASSERT(restored.restore(decoded->applied_index, decoded->state).is_ok());
  RC_ASSERT(restored == sm);
}

RC_GTEST_PROP(OwnershipCodecProperty, ArbitraryBytesNeverCrashAndAcceptedOnesReEncode, ()) {
  const std::string bytes = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  Result<own::Command> command = decode_ownership_command(bytes);
  if (command) {
    Result<own::Command> again = decode_ownership_command(encode_ownership_command(*command));
    RC_ASSERT(again.has_value());
    RC_ASSERT(*again == *command);
  }
  Result<OwnershipSnapshot> snapshot = decode_ownership_snapshot(bytes);
  if (snapshot) {
    RC_ASSERT(*decode_ownership_snapshot(encode_ownership_snapshot(*snapshot)) == *snapshot);
  }
}

// Flipping bytes of a valid snapshot gives an error or a valid state, never a crash.
RC_GTEST_PROP(OwnershipCodecProperty, CorruptedSnapshotBytesGiveAnErrorOrAValidState, ()) {
  own::StateMachine sm;
  for (int i = 0; i < 60; ++i) (void)sm.apply(sm.applied_index() + 1, own::testing::gen_command(&sm));
  std::string bytes = encode_ownership_snapshot(OwnershipSnapshot{sm.applied_index(), sm.snapshot()});
  RC_PRE(!bytes.empty());
  const int flips = *rc::gen::inRange(1, 4);
  for (int i = 0; i < flips; ++i) {
    const auto pos = *rc::gen::inRange<std::size_t>(0, bytes.size());
    bytes[pos] = static_cast<char>(bytes[pos] ^ *rc::gen::inRange(1, 256));
  }
  Result<OwnershipSnapshot> decoded = decode_ownership_snapshot(bytes);
  if (decoded) RC_ASSERT(own::validate_state(decoded->applied_index, decoded->state).empty());
}

}  // namespace
}  // namespace quorum::wire
