// Snapshot + restore gives the same state as replaying the log: apply a generated command
// sequence to one state machine; snapshot another at a random point through the wire codec
// (encode_app_snapshot / decode_app_snapshot), restore it into a fresh machine, apply the rest
// to both; the files must be identical.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "engine/core/config_sync/state_machine.h"
#include "engine/wire/codec.h"

namespace quorum {
namespace {

rc::Gen<config_sync::Command> gen_command() {
  return rc::gen::apply(
      [](int kind, int key, std::uint64_t value, LogIndex expected) -> config_sync::Command {
        const std::string path = "cfg/k" + std::to_string(key) + ".conf";
        const std::string content = "v" + std::to_string(value);
        if (kind == 0) return config_sync::Put{path, content};
        if (kind == 1) return config_sync::Delete{path};
        return config_sync::PutIfVersion{path, content, expected};
      },
      rc::gen::inRange(0, 3), rc::gen::inRange(0, 4), rc::gen::inRange<std::uint64_t>(0, 1000),
      rc::gen::inRange<LogIndex>(0, 40));
}

RC_GTEST_PROP(SnapshotProperties, SnapshotPlusRestoreEqualsReplay, ()) {
  const auto commands = *rc::gen::nonEmpty(rc::gen::container<std::vector<config_sync::Command>>(gen_command()));
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, commands.size() + 1);
  config_sync::StateMachine replayed;
  for (std::size_t i = 0; i < cut; ++i) replayed.apply(i + 1, commands[i]);
  wire::AppSnapshot snap;
  snap.config_applied_index = replayed.applied_index();
  snap.config_files = replayed.files();
  const auto decoded = wire::decode_app_snapshot(wire::encode_app_snapshot(snap));
  RC_ASSERT(decoded.has_value());
  config_sync::StateMachine restored;
  if (decoded->config_applied_index > 0) {
    RC_ASSERT(restored.restore(decoded->config_applied_index, decoded->config_files).is_ok());
  }
  for (std::size_t i = cut; i < commands.size(); ++i) {
    const auto a = replayed.apply(i + 1, commands[i]);
    const auto b = restored.apply(i + 1, commands[i]);
    RC_ASSERT(a.code == b.code);
    RC_ASSERT(a.version == b.version);
  }
  RC_ASSERT(replayed.files() == restored.files());
  RC_ASSERT(replayed.applied_index() == restored.applied_index());
}

}  // namespace
}  // namespace quorum
