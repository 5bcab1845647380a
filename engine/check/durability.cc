#include "engine/check/durability.h"

#include <fmt/format.h>

namespace quorum::check {

void Durability::on_ack(std::uint64_t time_us, NodeId node, LogIndex index) {
  const AppliedRecord* rec = applied_.record(index);
  if (rec == nullptr) {
    findings_.report({ViolationClass::kSafety, "durability",
                      fmt::format("node {} acknowledged a write at index {} that no node applied",
                                  node, index),
                      time_us, node});
    return;
  }
  acked_.emplace(index, rec->digest);
}

void Durability::on_apply(std::uint64_t time_us, NodeId node, LogIndex index,
                          std::uint64_t digest) {
  const auto it = acked_.find(index);
  if (it == acked_.end() || it->second == digest) return;
  findings_.report({ViolationClass::kSafety, "durability",
                    fmt::format("node {} applied another entry at index {}, where an "
                                "acknowledged write was",
                                node, index),
                    time_us, node});
}

void Durability::finish(std::uint64_t time_us, NodeId leader, LogIndex leader_applied_index) {
  if (leader == kNoNode || acked_.empty()) return;
  const LogIndex last_acked = acked_.rbegin()->first;
  if (leader_applied_index < last_acked) {
    findings_.report({ViolationClass::kSafety, "durability",
                      fmt::format("leader {} applied only through {} but index {} was acknowledged",
                                  leader, leader_applied_index, last_acked),
                      time_us, leader});
  }
}

}  // namespace quorum::check
