// Property tests (RapidCheck) of the ownership state machine: random command sequences keep
// every invariant after every apply, epochs strictly increase at every change of owner,
// snapshot + restore gives an equal machine, and replaying the same sequence gives the same
// results and state.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

#include "engine/core/ownership/invariants.h"
#include "engine/core/ownership/state_machine.h"
#include "engine/core/ownership/testing_gen.h"

namespace quorum::ownership {
namespace {

struct GeneratedRun {
  std::vector<std::pair<LogIndex, Command>> commands;
  std::vector<ApplyResult> results;
  StateMachine machine;
};

// Applies `count` generated commands at increasing (sometimes gapped) indexes, checking the
// invariants and the transition after each.
GeneratedRun generate_run(int count) {
  GeneratedRun run;
  LogIndex index = 0;
  std::map<ClusterId, NodeId> last_owner;
  for (int i = 0; i < count; ++i) {
    index += *rc::gen::inRange<LogIndex>(1, 3);
    Command command = testing::gen_command(&run.machine);
    const StateMachine before = run.machine;
    ApplyResult result = run.machine.apply(index, command);
    RC_ASSERT(run.machine.check_invariants() == "");
    RC_ASSERT(check_transition(before, run.machine) == "");
    RC_ASSERT((result.code == ApplyResult::Code::kApplied) == result.reason.empty());
    if (result.code != ApplyResult::Code::kApplied) {
      RC_ASSERT(run.machine.snapshot() == before.snapshot());
    }
    // Epochs of a cluster strictly increase on every change of owner.
    for (const auto& [id, cl] : run.machine.clusters()) {
      const Cluster* old = before.find_cluster(id);
      if (old != nullptr && cl.owner != old->owner && cl.owner != kNoNode) {
        RC_ASSERT(cl.epoch > old->epoch);
        RC_ASSERT(cl.epoch == index);
      }
    }
    run.commands.emplace_back(index, std::move(command));
    run.results.push_back(std::move(result));
  }
  return run;
}

RC_GTEST_PROP(OwnershipSmProperty, InvariantsHoldAfterEveryApply, ()) {
  const GeneratedRun run = generate_run(*rc::gen::inRange(1, 300));
  int applied = 0;
  for (const ApplyResult& r : run.results) applied += r.code == ApplyResult::Code::kApplied;
  RC_TAG(applied > 0 ? "some applied" : "none applied");
  RC_TAG(run.machine.clusters().empty() ? "no clusters" : "clusters");
}

RC_GTEST_PROP(OwnershipSmProperty, SnapshotRestoreRoundTrips, ()) {
  const GeneratedRun run = generate_run(*rc::gen::inRange(1, 200));
  StateMachine restored;
  const Status status = restored.restore(run.machine.applied_index(), run.machine.snapshot());
  RC_ASSERT(status.is_ok());
  RC_ASSERT(restored == run.machine);
  // The restored machine keeps going exactly like the original.
  StateMachine original = run.machine;
  const LogIndex next = run.machine.applied_index() + 1;
  const Command command = testing::gen_command(&original);
  RC_ASSERT(original.apply(next, command) == restored.apply(next, command));
  RC_ASSERT(restored == original);
}

RC_GTEST_PROP(OwnershipSmProperty, ReplayingTheSameSequenceGivesTheSameState, ()) {
  const GeneratedRun run = generate_run(*rc::gen::inRange(1, 200));
  StateMachine replayed;
  for (std::size_t i = 0; i < run.commands.size(); ++i) {
    const auto& [index, command] = run.commands[i];
    RC_ASSERT(replayed.apply(index, command) == run.results[i]);
  }
  RC_ASSERT(replayed == run.machine);
}

// The generator must reach the interesting states, or the properties above prove little.
TEST(OwnershipSmProperty, GeneratedRunsReachOwnedHandingOverAndDrainingStates) {
  bool owned = false, handing_over = false, draining = false, moved = false;
  const bool passed = rc::check("coverage", [&] {
    const GeneratedRun run = generate_run(300);
    for (const auto& [id, cl] : run.machine.clusters()) {
      owned |= cl.state == ClusterState::kOwned;
      handing_over |= cl.state == ClusterState::kHandingOver;
    }
    for (const auto& [id, c] : run.machine.controllers()) {
      draining |= c.state == ControllerState::kDraining;
    }
    for (const auto& [index, command] : run.commands) {
      moved |= std::holds_alternative<Release>(command);
    }
  });
  EXPECT_TRUE(passed);
  EXPECT_TRUE(owned);
  EXPECT_TRUE(handing_over);
  EXPECT_TRUE(draining);
  EXPECT_TRUE(moved);
}

}  // namespace
}  // namespace quorum::ownership
