// quorum_galera_calibration_compare REAL.tsv: compares a recording of tests/galera/calibrate.sh
// (the fault script on the real cluster) with the same script on the simulator's Galera model
// (sim/galera/galera_calibration.h says what must match). Prints both sequences with the real
// times, then every difference; exit 0 when they match, 1 when not, 2 when the file is bad.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/galera/galera_calibration.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: quorum_galera_calibration_compare REAL.tsv\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  quorum::Result<std::vector<quorum::sim::CalibrationStep>> real =
      quorum::sim::parse_real_calibration(text.str());
  if (!real) {
    std::fprintf(stderr, "%s: %s\n", argv[1], real.error().to_string().c_str());
    return 2;
  }
  const std::vector<quorum::sim::CalibrationStep> model = quorum::sim::model_fault_script();
  std::printf("%s", quorum::sim::calibration_table(*real, model).c_str());
  std::vector<std::string> notes;
  const std::vector<std::string> differences =
      quorum::sim::compare_calibration(*real, model, &notes);
  for (const std::string& n : notes) std::printf("known transient: %s\n", n.c_str());
  for (const std::string& d : differences) std::printf("DIFFERENCE: %s\n", d.c_str());
  std::printf("%s\n", differences.empty() ? "the model matches the real cluster"
                                          : "the model does NOT match the real cluster");
  return differences.empty() ? 0 : 1;
}
