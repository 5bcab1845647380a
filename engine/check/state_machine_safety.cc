#include "engine/check/state_machine_safety.h"

#include <fmt/format.h>

#include "engine/check/log_model.h"

namespace quorum::check {

void StateMachineSafety::on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& e,
                                  std::uint64_t chain) {
  ++applies_count_;
  if (e.index <= last_applied_[node]) {
    findings_.report({ViolationClass::kSafety, "state-machine-safety",
                      fmt::format("node {} applied index {} after index {}", node, e.index,
                                  last_applied_[node]),
                      time_us, node});
  }
  last_applied_[node] = e.index;
  if (applied_.size() <= e.index) applied_.resize(e.index + 1);
  AppliedRecord& rec = applied_[e.index];
  const std::uint64_t digest = entry_digest(e);
  if (rec.term == 0) {
    rec = AppliedRecord{e.term, digest, chain, node};
    return;
  }
  if (rec.digest != digest) {
    findings_.report({ViolationClass::kSafety, "state-machine-safety",
                      fmt::format("index {}: node {} applied an entry of term {}, node {} one of "
                                  "term {} (different content)",
                                  e.index, node, e.term, rec.first_node, rec.term),
                      time_us, node});
  }
  if (rec.chain == 0) rec.chain = chain;
}

const AppliedRecord* StateMachineSafety::record(LogIndex index) const {
  if (index >= applied_.size() || applied_[index].term == 0) return nullptr;
  return &applied_[index];
}

LogIndex StateMachineSafety::max_applied_below_term(Term term) const {
  for (LogIndex i = max_applied_index(); i > 0; --i) {
    const AppliedRecord& rec = applied_[i];
    if (rec.term != 0 && rec.term < term) return i;
  }
  return 0;
}

}  // namespace quorum::check
