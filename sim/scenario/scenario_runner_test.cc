#include "sim/scenario/scenario_runner.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace quorum::sim {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The kind column of a trace line ("<time> <node> <kind> <details>").
std::string kind_of(const std::string& line) {
  std::istringstream in(line);
  std::string time;
  std::string node;
  std::string kind;
  in >> time >> node >> kind;
  return kind;
}

// n3 may not campaign (its pre-votes are dropped) and misses its first 20 heartbeats; nothing
// else is lost (a scenario has no random link faults).
constexpr const char* kRules = R"pb(
  name: "rules"
  nodes: 3
  no_workload: true
  duration_ms: 30000
  quiet_ms: 15000
  steps { at_ms: 0 action: RULE label: "mute-n3" rule { from: [3] kinds: [PRE_VOTE] } }
  steps { at_ms: 0 action: RULE label: "deaf-n3" rule { to: [3] kinds: [HEARTBEAT] limit: 20 } }
  steps { at_ms: 12000 action: CHECK expect { one_leader: true } }
  steps { at_ms: 12000 action: UNRULE label: "mute-n3" }
)pb";

TEST(ScenarioRules, RulesDropExactlyTheMatchingMessagesAndTraceEachDrop) {
  std::string trace;
  const ScenarioResult r = run_scenario_text(kRules, 0, Mutation::kNone, true, &trace);
  ASSERT_TRUE(r.passed()) << (r.failed_expectations.empty() ? "" : r.failed_expectations[0]);
  std::size_t muted = 0;
  std::size_t deafened = 0;
  std::size_t other_drops = 0;
  std::string mute_removed;
  for (const std::string& line : lines_of(trace)) {
    if (kind_of(line) == "drop") {
      if (contains(line, "by rule #1")) {
        ++muted;
        EXPECT_TRUE(contains(line, "PreVoteRequest n3 -> ")) << line;
      } else if (contains(line, "by rule #2")) {
        ++deafened;
        EXPECT_TRUE(contains(line, "Heartbeat n") && contains(line, " -> n3 ")) << line;
      } else {
        ++other_drops;
      }
    }
    if (contains(line, "remove rule #1")) mute_removed = line;
  }
  EXPECT_EQ(deafened, 20u);  // the limit retires the rule
  EXPECT_GT(muted, 0u);      // n3 heard no heartbeat for a while and tried to campaign
  EXPECT_TRUE(contains(mute_removed, fmt::format("it touched {} messages", muted))) << mute_removed;
  EXPECT_EQ(other_drops, 0u);
}

TEST(ScenarioRules, TheSameScenarioAndSeedGiveTheSameTraceHash) {
  const ScenarioResult a = run_scenario_text(kRules, 7, Mutation::kNone);
  const ScenarioResult b = run_scenario_text(kRules, 7, Mutation::kNone);
  EXPECT_EQ(a.run.trace_hash, b.run.trace_hash);
  const ScenarioResult c = run_scenario_text(kRules, 8, Mutation::kNone);
  EXPECT_NE(a.run.trace_hash, c.run.trace_hash);
}

TEST(ScenarioRules, AnExpectationOnAnEntryFailsWhenTheEntryIsElsewhere) {
  // The proposal reaches every node: "absent" on n2 must fail, so entry checks are not vacuous.
  const ScenarioResult r = run_scenario_text(R"pb(
    nodes: 3
    no_workload: true
    duration_ms: 30000
    steps { at_ms: 0 action: AWAIT expect { one_leader: true } }
    steps { after_ms: 100 action: MARK leader: true label: "l" }
    steps { after_ms: 0 action: PROPOSE leader: true path: "/a" content: "b" }
    steps { after_ms: 0 action: AWAIT expect { entries { nodes: [1, 2, 3] index_of: "l" offset: 1 committed: true } } }
    steps { after_ms: 0 action: CHECK expect { entries { nodes: [2] index_of: "l" offset: 1 absent: true } } }
  )pb", 0, Mutation::kNone);
  ASSERT_EQ(r.failed_expectations.size(), 1u);
  EXPECT_TRUE(contains(r.failed_expectations[0], "expected n2 not to hold entry"))
      << r.failed_expectations[0];
  EXPECT_EQ(r.run.status, RunStatus::kPass);
}

TEST(ScenarioRules, AMarkWithALabelButNoNodeIsRefusedWhenTheScenarioIsLoaded) {
  // It used to record nothing, silently: every expectation on "l" then failed or meant nothing.
  const ScenarioResult r = run_scenario_text(R"pb(
    nodes: 3
    duration_ms: 30000
    steps { at_ms: 0 action: AWAIT expect { one_leader: true } }
    steps { after_ms: 100 action: MARK label: "l" }
  )pb", 0, Mutation::kNone);
  EXPECT_FALSE(r.parsed);
  ASSERT_EQ(r.failed_expectations.size(), 1u);
  EXPECT_TRUE(contains(r.failed_expectations[0], "step 1: MARK 'l' names no node"))
      << r.failed_expectations[0];
}

TEST(ScenarioRules, MoreNodesThanTheNetworkHoldsAreRefusedWhenTheScenarioIsLoaded) {
  const ScenarioResult r = run_scenario_text(R"pb(
    nodes: 16
    duration_ms: 30000
  )pb", 0, Mutation::kNone);
  EXPECT_FALSE(r.parsed);
  ASSERT_EQ(r.failed_expectations.size(), 1u);
  EXPECT_TRUE(contains(r.failed_expectations[0], "nodes: 16 (the simulated network has 1..15)"))
      << r.failed_expectations[0];
}

TEST(ScenarioRules, AClockDriftBeyondHalfTheBoundOrWithoutOneIsRefusedWhenLoaded) {
  // rho bounds the ratio of two clock rates (fast / slow <= 1 + rho); beyond it the run would
  // break the lease's own assumption, so the scenario is refused, not run.
  const ScenarioResult beyond = run_scenario_text(R"pb(
    nodes: 3
    duration_ms: 30000
    pool: true
    lease_drift_ppm: 1000
    clock_drift_ppm: 500
    clock_drift_ppm: -501
    clock_drift_ppm: 0
  )pb", 0, Mutation::kNone);
  EXPECT_FALSE(beyond.parsed);
  ASSERT_EQ(beyond.failed_expectations.size(), 1u);
  EXPECT_TRUE(contains(beyond.failed_expectations[0], "clock_drift_ppm 500 and -501: the fast clock's rate"))
      << beyond.failed_expectations[0];
  const ScenarioResult short_list = run_scenario_text(R"pb(
    nodes: 3
    duration_ms: 30000
    pool: true
    lease_drift_ppm: 1000
    clock_drift_ppm: 500
  )pb", 0, Mutation::kNone);
  EXPECT_FALSE(short_list.parsed);
  ASSERT_EQ(short_list.failed_expectations.size(), 1u);
  EXPECT_TRUE(contains(short_list.failed_expectations[0], "one value per node"))
      << short_list.failed_expectations[0];
}

}  // namespace
}  // namespace quorum::sim
