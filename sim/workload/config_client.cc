#include "sim/workload/config_client.h"

#include <string>

namespace quorum::sim {

// Plain concatenation, not fmt::format: one of these per client operation (same text).
std::string key_name(std::size_t key) { return "cfg/k" + std::to_string(key) + ".conf"; }

ClientOp draw_op(Prng& prng, std::uint32_t client, const ClientState& state,
                 const WorkloadOptions& options, std::uint64_t sequence) {
  ClientOp op;
  op.client = client;
  const std::size_t key = prng.uniform(0, options.keys);
  op.key = key_name(key);
  const std::uint64_t roll = prng.uniform(0, 100);
  if (roll < 40) {
    op.kind = OpKind::kPut;
  } else if (roll < 65) {
    op.kind = OpKind::kCas;
    op.expected_version = state.known_version[key];
  } else if (roll < 95) {
    op.kind = OpKind::kRead;
  } else {
    op.kind = OpKind::kDelete;
  }
  if (op.kind == OpKind::kPut || op.kind == OpKind::kCas) {
    op.value = "c" + std::to_string(client) + "-" + std::to_string(sequence);
  }
  return op;
}

}  // namespace quorum::sim
