#include "sim/checkers/ownership_feed.h"

#include <fmt/format.h>

#include <variant>

#include "engine/host/app_command.h"
#include "sim/ownership_access.h"
#include "sim/trace/trace.h"

namespace quorum::sim {

OwnershipChecker::AskFn OwnershipFeed::ask() {
  return [this](NodeId n, ownership::ClusterId c) {
    const host::NodeHost* h = world_.live_host(n);
    if (h == nullptr) return ownership::MayAct{};  // down: unknown cluster, not ok
    return pool_may_act(*h, c);
  };
}

void OwnershipFeed::on_step(std::uint64_t time_us, NodeId node) {
  const host::NodeHost* h = world_.live_host(node);
  if (h == nullptr) return;
  owned_.clear();
  for (const auto& [id, cluster] : pool_state(*h).clusters()) {
    if (cluster.owner == node) owned_.push_back(id);
  }
  checker_.on_step(time_us, node, owned_, ask());
  Trace& trace = world_.trace();
  if (!trace.recording()) return;
  for (; gaps_traced_ < checker_.gaps().size(); ++gaps_traced_) {
    const OwnershipChecker::Gap& g = checker_.gaps()[gaps_traced_];
    trace.line(time_us, node, TraceKind::kNote,
               fmt::format("pool gap ended: cluster {} n{} -> n{}, {} us without an actor", g.cluster,
                           g.before, g.after, g.to_us - g.from_us));
  }
}

void OwnershipFeed::on_apply(std::uint64_t time_us, NodeId node, const raft::Entry& entry) {
  Trace& trace = world_.trace();
  if (!trace.recording() || entry.kind != raft::EntryKind::kCommand) return;
  const Result<host::AppCommand> app = host::decode_app_command(entry.data);
  if (!app.has_value()) return;
  const auto* command = std::get_if<ownership::Command>(&*app);
  if (command == nullptr) return;
  std::string what;
  if (const auto* a = std::get_if<ownership::Assign>(command)) {
    what = fmt::format("assign cluster {} -> n{}", a->cluster, a->to);
  } else if (const auto* r = std::get_if<ownership::Release>(command)) {
    what = fmt::format("release cluster {} by n{} for n{}", r->cluster, r->from, r->to);
  } else {
    return;
  }
  trace.line(time_us, node, TraceKind::kNote, fmt::format("pool applies #{}: {}", entry.index, what));
}

void OwnershipFeed::on_down(std::uint64_t time_us, NodeId node) { checker_.on_down(time_us, node); }

void OwnershipFeed::on_heal(std::uint64_t time_us) {
  checker_.begin_settle(time_us, settle_us_max_);
  world_.schedule(time_us, *this, 0, kNoNode, 0, 0);
}

void OwnershipFeed::on_timer(std::uint64_t time_us, std::uint32_t /*tag*/, NodeId /*node*/,
                             std::uint64_t /*arg0*/, std::uint64_t /*arg1*/) {
  const NodeId leader = world_.current_leader();
  const host::NodeHost* h = leader == kNoNode ? nullptr : world_.live_host(leader);
  std::vector<std::pair<ownership::ClusterId, NodeId>> owners;
  if (h != nullptr) {
    for (const auto& [id, cluster] : pool_state(*h).clusters()) owners.emplace_back(id, cluster.owner);
  } else {
    owners.emplace_back(0, kNoNode);  // no leader: not settled (cluster 0 stands for "no leader")
  }
  const auto live = [this](NodeId n) { return world_.live_host(n) != nullptr; };
  if (checker_.probe(time_us, owners, live, ask())) return;
  if (checker_.settling()) world_.schedule(time_us + 50'000, *this, 0, kNoNode, 0, 0);
}

}  // namespace quorum::sim
