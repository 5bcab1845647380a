#pragma once

#include <cstddef>
#include <cstdint>

namespace quorum::bench {

// Runs `ticks` ticks of an in-process group of `nodes` Raft cores; prints ticks and commits per
// CPU second. Returns the process exit code.
int cmd_core(std::uint64_t ticks, std::size_t nodes);

}  // namespace quorum::bench
