#include "sim/workload/config_client.h"

#include <fmt/format.h>

namespace quorum::sim {

std::string key_name(std::size_t key) { return fmt::format("cfg/k{}.conf", key); }

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
    op.value = fmt::format("c{}-{}", client, sequence);
  }
  return op;
}

}  // namespace quorum::sim
