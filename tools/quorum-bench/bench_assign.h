#pragma once

#include <cstddef>

namespace quorum::bench {

// Times ownership::plan() for `clusters` clusters on `controllers` equal-weight controllers:
// initial assignment from nothing, a balanced pool (nothing to do), one join, one leave; each
// plan computed `runs` times, median and max printed in ms. Returns the process exit code.
int cmd_assign(std::size_t clusters, std::size_t controllers, int runs);

}  // namespace quorum::bench
