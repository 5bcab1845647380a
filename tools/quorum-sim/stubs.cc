// Subcommands not written yet.
#include <fmt/format.h>

#include "tools/quorum-sim/options.h"
#include "tools/quorum-sim/report.h"

namespace quorum::sim::cli {
int cmd_shrink(const Options&) { fmt::print("not yet\n"); return kExitUsage; }
int cmd_bench(const Options&) { fmt::print("not yet\n"); return kExitUsage; }
int cmd_demo(const Options&) { fmt::print("not yet\n"); return kExitUsage; }
void write_html(const World&, const std::string&) {}
}  // namespace quorum::sim::cli
