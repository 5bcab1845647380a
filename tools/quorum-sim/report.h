// Human-readable output of a run.
#pragma once

#include <string>

#include "sim/world.h"

namespace quorum::sim::cli {

void print_result(const RunConfig& config, const RunResult& r, const World& world);
void write_html(World& world, const RunConfig& config, const RunResult& r, const std::string& file);
std::string probe_table(const Probes& probes);

}  // namespace quorum::sim::cli
