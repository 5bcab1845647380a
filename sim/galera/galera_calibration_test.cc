// The simulator's Galera model against a recording of the fault script on the real cluster
// (tests/galera/calibrate.sh; tests/galera/calibration_real.tsv, recorded with tools/galera-local
// on one 2-core machine). The live run is the CTest galera.calibration; this one needs no
// database. Runs from the repository root (CTest's working directory).
#include "sim/galera/galera_calibration.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace quorum::sim {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(GaleraCalibration, TheModelMatchesTheRecordedRealCluster) {
  const std::string text = slurp("tests/galera/calibration_real.tsv");
  ASSERT_FALSE(text.empty()) << "tests/galera/calibration_real.tsv missing (run from the repo root)";
  Result<std::vector<CalibrationStep>> real = parse_real_calibration(text);
  ASSERT_TRUE(real.has_value()) << real.error().to_string();
  const std::vector<CalibrationStep> model = model_fault_script();
  ASSERT_EQ(real->size(), calibration_step_names().size());
  const std::vector<std::string> differences = compare_calibration(*real, model);
  EXPECT_TRUE(differences.empty()) << calibration_table(*real, model) << "first difference: "
                                   << differences.front();
}

TEST(GaleraCalibration, AModelThatKeepsAnIsolatedNodePrimaryIsCaught) {
  // The comparison can fail: the recording with the isolated node reported Primary throughout.
  std::vector<CalibrationStep> model = model_fault_script();
  std::vector<CalibrationStep> wrong = model;
  for (CalibrationStep& s : wrong) {
    if (s.name != "isolate-one") continue;
    s.nodes[2] = {{0, "Primary/Synced", "running|Primary|Synced|3|ON"}};
  }
  const std::vector<std::string> differences = compare_calibration(wrong, model);
  ASSERT_FALSE(differences.empty());
  EXPECT_NE(differences.front().find("isolate-one node 3"), std::string::npos) << differences.front();
}

TEST(GaleraCalibration, RealStatesMapToTheModelsVocabulary) {
  EXPECT_EQ(model_state_of_real("stopped"), "down");
  EXPECT_EQ(model_state_of_real("running|Primary|Synced|2|ON"), "Primary/Synced");
  EXPECT_EQ(model_state_of_real("running|Primary|Joining: receiving State Transfer|3|OFF"),
            "Primary/Joining");
  EXPECT_EQ(model_state_of_real("running|non-Primary|Initialized|1|OFF"), "non-Primary/Initialized");
  EXPECT_EQ(model_state_of_real("running|unreachable"), "starting");
  EXPECT_FALSE(parse_real_calibration("kill-one\t4\t0.1\tstopped\n").has_value());
  EXPECT_FALSE(parse_real_calibration("kill-one 1 0.1 stopped\n").has_value());
}

}  // namespace
}  // namespace quorum::sim
