// Calibration of GaleraModel against a real cluster: the fault script of tests/galera/calibrate.sh
// (kill one, kill a second, recover, isolate one, heal, full outage, recover) replayed on the model,
// the real recording parsed, and the two compared node by node and step by step. Sim layer: pure
// (text in, text out; the caller reads the file).
//
// What "matches" means (the model has no time and fewer states than Galera):
//  * the state each node settles in at the end of a step is the same (in the model's vocabulary:
//    Primary/Synced, Primary/Joining, non-Primary/Initialized, down), and
//  * the sequence of fitness (fit = Primary/Synced, DESIGN invariant 8) each node went through in
//    the step is the same: no fit-unfit-fit flap that the other side lacks.
// The intermediate unfit states (real: a starting server that does not answer yet, Joined, Donor;
// model: Joining) and the times are reported, not compared: the model changes at the event, the
// real cluster after its failure detection.
// Known real-only transients, reported as notes and not counted: in the steps that restart nodes
// (recover, recover-full: tools/galera-local bootstraps one node, the others join one at a time
// by SST/IST, and a donor is Donor/Desynced meanwhile) and in `heal` (the merge's view change:
// in one of the first two recordings the two-node majority was non-Primary for 2.5 s while the
// isolated node rejoined), a fit node may be unfit for a while and fit again. The model, which
// changes in one event, has no such episode: it is optimistic there, and the notes say so.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/base/result.h"

namespace quorum::sim {

struct CalibrationState {
  double at_s = 0;    // since the step began (0 in the model)
  std::string state;  // model vocabulary (real states mapped by model_state_of_real)
  std::string raw;    // as recorded (real), or the same as state (model)
};

struct CalibrationStep {
  std::string name;
  std::array<std::vector<CalibrationState>, 3> nodes;  // node 1..3 at [0..2]; deduplicated
};

// The step names of the fault script, in order (calibrate.sh uses the same).
const std::vector<std::string>& calibration_step_names();
// The fault script on GaleraModel(3): each node's state before the step and after every update
// until the model settles.
std::vector<CalibrationStep> model_fault_script();
// "stopped" -> down; "running|Primary|Synced|..." -> Primary/Synced; "running|Primary|<other>"
// -> Primary/Joining; "running|non-Primary|..." -> non-Primary/Initialized; "running|unreachable"
// -> starting (no model equivalent: unfit). Anything else is returned as "other: RAW".
std::string model_state_of_real(std::string_view raw);
// Parses calibrate.sh's TSV (STEP, NODE, SECONDS, STATE); consecutive equal mapped states of a
// node are kept once (the first time).
Result<std::vector<CalibrationStep>> parse_real_calibration(std::string_view tsv);
// The differences between real and model (empty: they match as defined above).
// `notes`, when given, receives the known real-only transients that were not counted.
std::vector<std::string> compare_calibration(const std::vector<CalibrationStep>& real,
                                             const std::vector<CalibrationStep>& model,
                                             std::vector<std::string>* notes = nullptr);
// One line per step and node: real sequence with times, model sequence, settle time.
std::string calibration_table(const std::vector<CalibrationStep>& real,
                              const std::vector<CalibrationStep>& model);

}  // namespace quorum::sim
