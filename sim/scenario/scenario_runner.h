// Runs a scripted scenario (scenario.proto): the World without its seeded nemesis, driven step
// by step; each CHECK step evaluates its expectations, and the run's own checkers (safety after
// every event, liveness after the quiet period) apply as in any seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/world.h"

namespace quorum::sim {

struct ScenarioResult {
  bool parsed = false;
  std::string name;
  RunResult run;
  std::vector<std::string> failed_expectations;
  std::vector<std::string> log;  // one line per step, readable
  bool passed() const {
    return parsed && run.status == RunStatus::kPass && failed_expectations.empty();
  }
};

// Parses `text` (Protobuf text format). seed_override != 0 replaces the scenario's seed.
ScenarioResult run_scenario_text(const std::string& text, std::uint64_t seed_override,
                                 Mutation mutation, bool record_trace = false,
                                 std::string* trace_text = nullptr);
ScenarioResult run_scenario_file(const std::string& path, std::uint64_t seed_override,
                                 Mutation mutation);

}  // namespace quorum::sim
