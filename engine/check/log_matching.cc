#include "engine/check/log_matching.h"

#include <fmt/format.h>

namespace quorum::check {

void LogMatching::on_written(std::uint64_t time_us, NodeId node, LogIndex index, Term term,
                             std::uint64_t chain) {
  const auto [it, inserted] = chain_by_id_.emplace(std::make_pair(index, term), Seen{chain, node});
  if (!inserted && it->second.chain != chain) {
    findings_.report({ViolationClass::kSafety, "log-matching",
                      fmt::format("entry ({}, term {}) on node {} follows a different prefix "
                                  "than the same entry on node {}",
                                  index, term, node, it->second.first_node),
                      time_us, node});
  }
}

std::optional<std::uint64_t> LogMatching::chain_of(LogIndex index, Term term) const {
  const auto it = chain_by_id_.find({index, term});
  if (it == chain_by_id_.end()) return std::nullopt;
  return it->second.chain;
}

}  // namespace quorum::check
